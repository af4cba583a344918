/** Lambda entry of the stack registration (SNS-backed custom resource): built once per container (registration-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { relayConfigFromEnv } from '../relay-config';
import { createRegistrationHandler } from './registration-function';

export const handler = createRegistrationHandler(relayConfigFromEnv(), lambdaWiring());
