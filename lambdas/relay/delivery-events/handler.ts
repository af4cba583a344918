/** Lambda entry of the delivery-events function (an EventBridge target): built once per container. */
import { lambdaWiring } from '../../shared/clients';
import { relayConfigFromEnv } from '../relay-config';
import { sqsWebhookOutboxFromEnv } from '../webhooks/sqs-outbox';
import { createDeliveryEventsHandler } from './delivery-events-function';

const config = relayConfigFromEnv();
const aws = lambdaWiring();
export const handler = createDeliveryEventsHandler(config, aws, sqsWebhookOutboxFromEnv(config.relayTable, aws));
