/** Lambda entry of the onboarding API: clients and stores created once per cold start. */
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoDocumentClient } from '../../shared/clients';
import { optionalEnv, optionalNumberEnv, requireEnv } from '../../shared/env';
import { configuredHandler } from '../../shared/http';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../store/config-store';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { CustomerSessions, awsRequestHandler } from '../customer-account/sessions';
import { DomainStore } from '../store/domain-store';
import { ProjectionStore } from '../store/projection-store';
import { MonthlyUsageReader } from '../usage/monthly-usage';
import { createOnboardingApi } from './onboarding-api';

/**
 * Per-attempt timeout of onboarding's AWS calls. Retries (throttling, 5xx) stop starting once an
 * attempt could end past the request's budget (customer-account.ts, 20 s), so a request ends
 * inside the function's 28 s and API Gateway's 29 s. Control-plane calls answer in well under a
 * second when healthy.
 */
const ONBOARDING_REQUEST_TIMEOUT_MS = 3_000;

export const handler = configuredHandler(() => {
  const table = requireEnv('RELAY_TABLE');
  const db = dynamoDocumentClient();
  const requestHandler = awsRequestHandler(optionalNumberEnv('AWS_REQUEST_TIMEOUT_MS') ?? ONBOARDING_REQUEST_TIMEOUT_MS);
  const sessions = new CustomerSessions(new STSClient({ requestHandler, maxAttempts: 2 }), { requestHandler });
  return createOnboardingApi({
    authenticator: new Authenticator(new ProjectionStore(db, table), { ttlMs: optionalNumberEnv('AUTH_CACHE_TTL_MS') }),
    configs: new ByocConfigStore(db, table),
    domains: new DomainStore(db, table),
    accounts: new AssumedRoleAccounts(sessions, { attemptTimeoutMs: ONBOARDING_REQUEST_TIMEOUT_MS, controlPlaneRate: optionalNumberEnv('SES_CONTROL_PLANE_RATE') }),
    sessions,
    usage: new MonthlyUsageReader(db, table),
    relayAccountId: requireEnv('RELAY_ACCOUNT_ID'),
    platformAccountId: optionalEnv('PLATFORM_ACCOUNT_ID'),
    propagationWindowMs: optionalNumberEnv('IAM_PROPAGATION_WINDOW_MS'),
  });
}, 'byoc_not_configured');
