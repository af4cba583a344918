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
import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
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
}

export class StackRegistration extends Construct {
  readonly topic: sns.Topic;
  /** The topic's ARN built from its name, for the customer template. */
  readonly topicArnByName: string;
  readonly function: ServiceFunction;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: StackRegistrationProps) {
    super(scope, id);
    // A fixed name: the customer template names the topic in the stack's own region (customer-template.ts).
    const topicName = `sendfleet-${stageOf(this)}-byoc-registration`;
    this.topic = new sns.Topic(this, 'Topic', { topicName, displayName: 'SendFleet BYOC stack registration', enforceSSL: true });
    // Spelled out (not the topic's Ref) so the template can put the stack's own region in its place.
    this.topicArnByName = `arn:aws:sns:${Stack.of(this).region}:${Stack.of(this).account}:${topicName}`;
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AnyStackMayRegister',
      principals: [new iam.AnyPrincipal()],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
    }));
    const openTopic = 'CloudFormation publishes a custom resource request from the customer\'s own account, unknown at deploy ' +
      'time, so the topic must accept Publish from any account. A KMS key would have to grant every account too. A message ' +
      'carries no secret that its publisher does not already hold; the registration function trusts nothing in it ' +
      '(forged requests are dropped or refused without revealing anything, and answered only at CloudFormation\'s own S3 URL).';
    Validations.of(this.topic).acknowledge({ id: 'AwsSolutions-SNS2', reason: openTopic });

    this.function = ServiceFunction.fromCatalog(this, 'Function', 'registration', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: Stack.of(this).account, PLATFORM_ACCOUNT_ID: props.platformAccountId },
      removalPolicy: props.removalPolicy,
    });
    (this.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = REGISTRATION_CONCURRENCY;
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
