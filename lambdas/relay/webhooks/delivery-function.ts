/**
 * The webhook delivery function: its SQS adapter and its composition root. Each message is one
 * notification; its receive count is the attempt number. Delivered or dropped → reported done
 * (Lambda deletes it); a retry → the message's visibility is set to the schedule's delay and it is
 * reported failed (it comes back then, same body, same webhook-id); given up → reported failed and
 * visible at once: its next receive exceeds the queue's maxReceiveCount (the schedule's length) and
 * SQS moves it to the dead-letter queue (alarmed).
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { logger, type Logger } from '../../shared/logger';
import { WebhookStore } from '../store/webhook-store';
import { createWebhookDelivery, type WebhookDelivery } from './delivery';
import type { QueuedNotification } from './sqs-outbox';
import { nodeWebhookTransport } from './transport';
import { systemResolver } from './url-guard';

/** SQS's longest visibility timeout (12 h); the schedule's longest delay (10 h) fits. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

export interface SqsDeliveryDeps {
  delivery: WebhookDelivery;
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  log: Logger;
}

/** The SQS adapter: a batch of queued notifications → attempts → what SQS does with each message. */
export function createSqsDeliveryHandler({ delivery, sqs, queueUrl, log }: SqsDeliveryDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(event.Records.map(async (record) => {
      let job: QueuedNotification;
      try {
        job = JSON.parse(record.body) as QueuedNotification;
      } catch {
        log.error('webhook message unreadable', { message_id: record.messageId });
        return; // deleted: it can never be delivered
      }
      try {
        const attempt = Number(record.attributes.ApproximateReceiveCount);
        const decision = await delivery.attempt({ tenantId: job.tenant_id, notification: job.notification, attempt });
        if (decision.kind === 'delivered' || decision.kind === 'dropped') return;
        const visibility = decision.kind === 'retry' ? Math.min(Math.ceil(decision.retryAfterMs / 1000), MAX_VISIBILITY_SECONDS) : 0;
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibility }));
      } catch (error) {
        // Our own failure (the table, SQS): the message comes back after the queue's visibility timeout.
        log.error('webhook attempt not completed', { message_id: record.messageId, error_name: (error as Error).name });
      }
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }));
    return { batchItemFailures };
  };
}

export function createWebhookDeliveryHandler(config: { relayTable: string; queueUrl: string }, aws: AwsWiring) {
  const webhooks = new WebhookStore(dynamoDocumentClient(aws), config.relayTable);
  const delivery = createWebhookDelivery({ webhooks, resolver: systemResolver, transport: nodeWebhookTransport, clock: aws.clock, log: logger });
  return createSqsDeliveryHandler({ delivery, sqs: new SQSClient(aws.region ? { region: aws.region } : {}), queueUrl: config.queueUrl, log: logger });
}
