/** Lambda entry of the delivery-events function (an EventBridge target): built once per container. */
import { lambdaWiring } from '../../shared/clients';
import { relayConfigFromEnv } from '../relay-config';
import { createDeliveryEventsHandler } from './delivery-events-function';
import { noWebhooks } from './no-webhooks';

export const handler = createDeliveryEventsHandler(relayConfigFromEnv(), lambdaWiring(), noWebhooks);
