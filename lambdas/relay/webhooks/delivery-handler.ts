/** Lambda entry of the webhook delivery function (SQS event source, partial batch responses). */
import middy from '@middy/core';
import { lambdaWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { observability } from '../../shared/powertools';
import { createWebhookDeliveryHandler } from './delivery-function';

export const handler = middy(createWebhookDeliveryHandler({ relayTable: requireEnv('RELAY_TABLE'), queueUrl: requireEnv('WEBHOOK_QUEUE_URL') }, lambdaWiring())).use(observability());
