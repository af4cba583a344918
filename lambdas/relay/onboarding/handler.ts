/** Lambda entry of the onboarding API: settings from the environment, built once per container (onboarding-function.ts). */
import { lambdaWiring } from '../../shared/clients';
import { configuredHandler } from '../../shared/http';
import { relayConfigFromEnv } from '../relay-config';
import { createOnboardingHandler } from './onboarding-function';

export const handler = configuredHandler(() => createOnboardingHandler(relayConfigFromEnv(), lambdaWiring()), 'byoc_not_configured');
