/**
 * Delivery events in: the relay's bus that customers' SendFleet-BYOC stacks forward their SES
 * events to, a rule sending every SES event on it to the delivery-events function
 * (lambdas/relay/delivery-events/), retried and dead-lettered like every event target.
 *
 * The bus admits `events:PutEvents` from any account, but only from the forwarding role the
 * customer template creates (its fixed name, `aws:PrincipalArn`): customers' accounts are not
 * known in advance. What an admitted event may do is decided by the function: only an account a
 * tenant's stack registered, with that registration's configuration set, is recorded; anything
 * else is dropped and counted (a flood costs invocations, never a retry storm).
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { WebhookDelivery } from './webhook-delivery';
import { Construct } from 'constructs';
import { EVENT_FORWARDING_ROLE_NAME } from '../../lambdas/relay/byoc/customer-template';
import { SES_DETAIL_TYPES, SES_EVENT_SOURCE } from '../../lambdas/shared/ses-events';
import { asyncLambdaTarget } from './async-lambda-target';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

export interface DeliveryEventsProps {
  /** Physical name: customer templates target it by ARN. */
  readonly busName: string;
  readonly table: dynamodb.ITable;
  readonly removalPolicy: RemovalPolicy;
  /** Where notifications of the recorded events go (the tenant's webhook endpoint). */
  readonly webhooks: WebhookDelivery;
}

export class DeliveryEvents extends Construct {
  readonly bus: events.EventBus;
  /** Built from the name, complete at synth: the customer template carries it. */
  readonly busArn: string;
  readonly function: ServiceFunction;
  readonly rule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: DeliveryEventsProps) {
    super(scope, id);
    const { account, region } = Stack.of(this);
    this.busArn = `arn:aws:events:${region}:${account}:event-bus/${props.busName}`;
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'SendFleet delivery events: SES events forwarded from customers\' SendFleet-BYOC stacks' });
    (this.bus.node.defaultChild as events.CfnEventBus).policy = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'CustomerStacksForwardSesEvents',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.busArn],
        conditions: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${EVENT_FORWARDING_ROLE_NAME}` } },
      })],
    });

    this.function = ServiceFunction.fromCatalog(this, 'Function', 'deliveryEvents', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: account, ...props.webhooks.producerEnvironment },
      removalPolicy: props.removalPolicy,
    });
    props.webhooks.grantEnqueue(this.function);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: 'SES delivery events the relay could not record (its table failed): re-drive them to the function once fixed; duplicates are harmless',
    });
    this.rule = new events.Rule(this, 'SesEventsRule', {
      eventBus: this.bus,
      description: 'Records SES delivery events forwarded from customer accounts',
      eventPattern: { source: [SES_EVENT_SOURCE], detailType: Object.values(SES_DETAIL_TYPES) },
      targets: [asyncLambdaTarget(this.function, this.deadLetters, {
        retryAttempts: 20,
        maxEventAge: Duration.hours(6),
        functionRetryAttempts: 2,
        functionMaxEventAge: Duration.hours(6),
      })],
    });
  }
}
