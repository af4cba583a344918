/**
 * AWS's webhook outbox: one SQS message per notification, on a queue encrypted with the stack's KMS
 * key (the payload holds recipients in transit) and consumed by the webhook delivery function
 * (delivery-function.ts). The message is deleted once delivered; retries are the same message made
 * visible again after the schedule's delay; after the last attempt it goes to the dead-letter queue.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientSettings, dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { WebhookStore, type WebhookEndpointReader } from '../store/webhook-store';
import { subscribes } from './delivery';
import type { WebhookNotification, WebhookOutbox } from './outbox';

/** The queue message's body. */
export interface QueuedNotification {
  tenant_id: string;
  notification: WebhookNotification;
}

export interface SqsWebhookOutboxOptions {
  sqs: SQSClient;
  queueUrl: string;
  webhooks: WebhookEndpointReader;
}

export function createSqsWebhookOutbox(options: SqsWebhookOutboxOptions): WebhookOutbox {
  return {
    async enqueue(tenantId, notification) {
      if (!(await subscribes(options.webhooks, tenantId, notification))) return;
      const body: QueuedNotification = { tenant_id: tenantId, notification };
      await options.sqs.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(body) }));
    },
  };
}

/**
 * The outbox of a Lambda function that produces notifications (delivery events, account health):
 * the queue named by WEBHOOK_QUEUE_URL (WebhookDelivery.grantEnqueue sets it and the permissions).
 */
export function sqsWebhookOutboxFromEnv(relayTable: string, aws: AwsWiring): WebhookOutbox {
  return createSqsWebhookOutbox({
    sqs: new SQSClient(clientSettings(aws, undefined)),
    queueUrl: requireEnv('WEBHOOK_QUEUE_URL'),
    webhooks: new WebhookStore(dynamoDocumentClient(aws), relayTable),
  });
}
