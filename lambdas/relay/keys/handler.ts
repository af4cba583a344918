/** Lambda entry of the keys API: settings from the environment, built once per container (keys-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { configuredHandler } from '../../shared/http';
import { relayConfigFromEnv } from '../relay-config';
import { createKeysHandler } from './keys-function';

export const handler = configuredHandler(() => createKeysHandler(relayConfigFromEnv(), lambdaWiring()), 'byoc_not_configured');
