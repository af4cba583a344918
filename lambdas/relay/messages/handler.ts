/** Lambda entry of the message status API: settings from the environment, built once per container (messages-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { configuredHandler } from '../../shared/http';
import { relayConfigFromEnv } from '../relay-config';
import { createMessagesHandler } from './messages-function';

export const handler = configuredHandler(() => createMessagesHandler(relayConfigFromEnv(), lambdaWiring()), 'byoc_not_configured');
