/** Lambda entry of the send function: settings from the environment, built once per container (send-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { configuredHandler } from '../../shared/http';
import { relayConfigFromEnv } from '../relay-config';
import { createSendHandler } from './send-function';

export const handler = configuredHandler(() => createSendHandler(relayConfigFromEnv(), lambdaWiring()), 'byoc_not_configured');
