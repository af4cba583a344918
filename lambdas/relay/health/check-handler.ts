/**
 * Lambda entry: the health queue's consumer (SQS, ReportBatchItemFailures). Each message names up
 * to ten tenants; their checks run at bounded concurrency, each in its own time budget. A message
 * whose tenants all got a result (a verdict, or "AWS did not answer", which is recorded) is done; one
 * with a tenant that failed on our side (our table) comes back for that tenant only, and after the
 * queue's retries lands in the dead-letter queue. A body that is not ours is dropped and logged.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaWiring } from '../../shared/clients';
import { logger } from '../../shared/logger';
import { observability } from '../../shared/powertools';
import { relayConfigFromEnv } from '../relay-config';
import { sqsWebhookOutboxFromEnv } from '../webhooks/sqs-outbox';
import { createHealthChecker } from './health-wiring';
import { parseHealthMessage } from './sqs-health-queue';

const config = relayConfigFromEnv();
const aws = lambdaWiring();
// Transitions go to the tenant's webhook endpoint through the webhook queue (WEBHOOK_QUEUE_URL).
const checkTenants = createHealthChecker(config, aws, { outbox: sqsWebhookOutboxFromEnv(config.relayTable, aws) });

export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(event.Records.map(async (record) => {
    const message = parseHealthMessage(record.body);
    if (!message) {
      logger.warn('health queue message dropped', { outcome: 'malformed_message', message_id: record.messageId });
      return;
    }
    const { failed } = await checkTenants(message);
    if (failed.length > 0) batchItemFailures.push({ itemIdentifier: record.messageId });
  }));
  return { batchItemFailures };
}).use(observability());
