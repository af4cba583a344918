/**
 * Signed webhook delivery in AWS (lambdas/relay/webhooks/): the outbox queue, the delivery function
 * it feeds, and the dead-letter queue after the last attempt.
 *
 * - The queue holds notifications whose `data` carries recipients, in transit only: encrypted with
 *   the stack's KMS key, SSL only, a message deleted once delivered (Lambda deletes what the batch
 *   does not report failed), kept at most 4 days (the schedule spans about 27.6 h).
 * - Retries: the function sets a failed message's visibility to the schedule's next delay, so the
 *   same message (same webhook-id) comes back then; the receive count is the attempt number.
 * - After MAX_ATTEMPTS receives SQS moves it to the dead-letter queue (same key, 4 days), whose
 *   depth alarms: an endpoint that refused a notification for a whole day.
 * - `grantEnqueue` gives a producer (the delivery-events function) exactly sqs:SendMessage on this
 *   queue (and the key's data-key use); `producerEnvironment` is the queue URL it gets as WEBHOOK_QUEUE_URL.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_ATTEMPTS } from '../../lambdas/relay/webhooks/schedule';
import { FUNCTIONS } from '../function-catalog';
import { DeadLetterQueue } from './dead-letter-queue';
import { OperationsKey } from './operations-key';
import { ServiceFunction } from './service-function';

export interface WebhookDeliveryProps {
  /** The relay table: the tenants' endpoints and signing secrets. */
  readonly table: dynamodb.ITable;
  /** Of the function's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** The variable a producer reads the queue URL from (lambdas/relay/webhooks/sqs-outbox.ts). */
export const WEBHOOK_QUEUE_URL_VARIABLE = 'WEBHOOK_QUEUE_URL';

/** Longest a notification may wait: the schedule (~27.6 h) with room for our own failures. */
const NOTIFICATION_RETENTION = Duration.days(4);

export class WebhookDelivery extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly deliveryFunction: ServiceFunction;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const key = OperationsKey.of(this);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: 'webhook notifications not delivered after the whole retry schedule (the customer\'s endpoint refused them for a day; they hold recipients and expire after 4 days)',
      encryptionKey: key,
      retentionPeriod: NOTIFICATION_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      // KMS calls once per 5 minutes per data key, not per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: NOTIFICATION_RETENTION,
      // AWS: at least six times the function's timeout for an SQS event source.
      visibilityTimeout: Duration.seconds(6 * FUNCTIONS.webhookDelivery.timeoutSeconds),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: MAX_ATTEMPTS },
    });
    this.deliveryFunction = ServiceFunction.fromCatalog(this, 'Function', 'webhookDelivery', {
      table: props.table,
      environment: { [WEBHOOK_QUEUE_URL_VARIABLE]: this.queue.queueUrl },
      removalPolicy: props.removalPolicy,
    });
    this.deliveryFunction.addEventSource(new SqsEventSource(this.queue, {
      batchSize: 10,
      reportBatchItemFailures: true,
    }));
  }

  /** Lets a producer queue notifications: exactly sqs:SendMessage here, and the queue URL in its environment. */
  /** What a producer's catalog entry names in `environment` (WEBHOOK_QUEUE_URL), for its construction. */
  get producerEnvironment(): Record<string, string> {
    return { [WEBHOOK_QUEUE_URL_VARIABLE]: this.queue.queueUrl };
  }

  grantEnqueue(producer: ServiceFunction): void {
    // Spelled out: the queue's own grant adds kms:ReEncrypt* and kms:GenerateDataKey* (wildcards).
    producer.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    producer.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [OperationsKey.of(this).keyArn] }));
  }
}
