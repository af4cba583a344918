/** Lambda entry of the onboarding API: clients and stores created once per cold start. */
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoDocumentClient } from '../../shared/clients';
import { optionalEnv, optionalNumberEnv, requireEnv } from '../../shared/env';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../byoc/config-store';
import { CustomerSessions, awsRequestHandler } from '../byoc/customer-session';
import { DomainStore } from '../byoc/domain-store';
import { ProjectionStore } from '../tenant-sync/projection-store';
import { MonthlyUsageReader } from '../usage/monthly-usage';
import { createOnboardingApi } from './onboarding-api';

const table = requireEnv('RELAY_TABLE');
const db = dynamoDocumentClient();
/**
 * Up to four sequential AWS calls per request (AssumeRole + three SES calls to add a domain), each
 * at most 2 attempts of 3 s: at worst about 24 s, inside the function's 28 s and API Gateway's 29 s.
 * SES control-plane calls answer in well under a second when healthy.
 */
const ONBOARDING_REQUEST_TIMEOUT_MS = 3_000;
const requestHandler = awsRequestHandler(optionalNumberEnv('AWS_REQUEST_TIMEOUT_MS') ?? ONBOARDING_REQUEST_TIMEOUT_MS);

export const handler = createOnboardingApi({
  authenticator: new Authenticator(new ProjectionStore(db, table), { ttlMs: optionalNumberEnv('AUTH_CACHE_TTL_MS') }),
  configs: new ByocConfigStore(db, table),
  domains: new DomainStore(db, table),
  sessions: new CustomerSessions(new STSClient({ requestHandler, maxAttempts: 2 }), { requestHandler, maxAttempts: 2 }),
  usage: new MonthlyUsageReader(db, table),
  relayAccountId: requireEnv('RELAY_ACCOUNT_ID'),
  platformAccountId: optionalEnv('PLATFORM_ACCOUNT_ID'),
});
