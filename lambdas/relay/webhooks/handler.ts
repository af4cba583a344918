/** Lambda entry of the webhook endpoint API: settings from the environment, built once per container (webhooks-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { configuredHandler } from '../../shared/http';
import { relayConfigFromEnv } from '../relay-config';
import { createWebhooksHandler } from './webhooks-function';

export const handler = configuredHandler(() => createWebhooksHandler(relayConfigFromEnv(), lambdaWiring()), 'byoc_not_configured');
