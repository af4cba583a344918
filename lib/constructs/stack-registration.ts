/**
 * The one-click onboarding's relay side: the public SNS topic the customer template's
 * `Custom::SendFleetRegistration` names as ServiceToken, and the registration function behind it
 * (lambdas/relay/registration/).
 *
 * Anyone may publish to the topic (CloudFormation publishes from the customer's account, which is
 * unknown), so a flood must cost little: the function has a small reserved concurrency (excess
 * deliveries are throttled and retried by Lambda's async queue, then dead-lettered), and it drops
 * anything that is not CloudFormation's request before any table read or AWS call.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';
import { stageOf } from '../stage';

/**
 * At most this many registrations run at once. A real one takes seconds (the IAM propagation
 * window); customers launch a few stacks a day. A forged one is dropped in milliseconds.
 */
export const REGISTRATION_CONCURRENCY = 2;

export interface StackRegistrationProps {
  readonly table: dynamodb.ITable;
  readonly platformAccountId: string;
  readonly removalPolicy: RemovalPolicy;
  /** Regions besides the relay's whose registration topic (RegistrationRegionStack) delivers to this function. */
  readonly otherRegions: readonly string[];
}

export const registrationTopicName = (stage: string) => `sendfleet-${stage}-byoc-registration`;
export const registrationFunctionName = (stage: string) => `sendfleet-${stage}-byoc-registration`;
export const registrationTopicArn = (account: string, region: string, stage: string) => `arn:aws:sns:${region}:${account}:${registrationTopicName(stage)}`;

/**
 * The registration topic of one region: CloudFormation needs the ServiceToken in the stack's own
 * region, so every region a customer may launch the stack in has one, of the same name.
 */
export class RegistrationTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { topicName: registrationTopicName(props.stage), displayName: 'SendFleet BYOC stack registration', enforceSSL: true });
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AnyStackMayRegister',
      principals: [new iam.AnyPrincipal()],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
    }));
  }
}

export class StackRegistration extends Construct {
  readonly topic: sns.Topic;
  /** The topic's ARN built from its name, for the customer template. */
  readonly topicArnByName: string;
  readonly function: ServiceFunction;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: StackRegistrationProps) {
    super(scope, id);
    this.topic = new RegistrationTopic(this, 'Topic', { stage: stageOf(this) }).topic;
    this.topicArnByName = registrationTopicArn(Stack.of(this).account, Stack.of(this).region, stageOf(this));

    this.function = ServiceFunction.fromCatalog(this, 'Function', 'registration', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: Stack.of(this).account, PLATFORM_ACCOUNT_ID: props.platformAccountId },
      removalPolicy: props.removalPolicy,
    });
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.reservedConcurrentExecutions = REGISTRATION_CONCURRENCY;
    // A fixed name: the other regions' topics subscribe it by ARN, built from configuration.
    cfn.functionName = registrationFunctionName(stageOf(this));
    for (const region of props.otherRegions) {
      this.function.addPermission(`Sns${region.replaceAll('-', '')}`, {
        principal: new iam.ServicePrincipal('sns.amazonaws.com'),
        sourceArn: registrationTopicArn(Stack.of(this).account, region, stageOf(this)),
      });
    }
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: 'stack registrations that failed after retries (the customer\'s stack timed out: ask them to launch it again)',
    });
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      // CloudFormation waits an hour for the answer; later ones are useless.
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetters.queue),
    });
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.function, { deadLetterQueue: this.deadLetters.queue }));
  }
}
