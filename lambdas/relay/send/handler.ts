/** Lambda entry of the send function: every client and cache is created once per container. */
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoDocumentClient } from '../../shared/clients';
import { optionalNumberEnv, requireEnv } from '../../shared/env';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../byoc/config-store';
import { CustomerSessions, awsRequestHandler } from '../byoc/customer-session';
import { DomainStore } from '../byoc/domain-store';
import { ProjectionStore } from '../tenant-sync/projection-store';
import { IdempotencyStore } from './idempotency-store';
import { LimitsStore } from './limits-store';
import { RateGuard } from './rate-guard';
import { createSendApi } from './send-api';
import { SendContextLoader } from './send-context';

const table = requireEnv('RELAY_TABLE');
const db = dynamoDocumentClient();
const requestHandler = awsRequestHandler(optionalNumberEnv('AWS_REQUEST_TIMEOUT_MS'));

export const handler = createSendApi({
  authenticator: new Authenticator(new ProjectionStore(db, table), { ttlMs: optionalNumberEnv('AUTH_CACHE_TTL_MS') }),
  contexts: new SendContextLoader(new ByocConfigStore(db, table), new DomainStore(db, table), { ttlMs: optionalNumberEnv('SEND_CONTEXT_TTL_MS') }),
  limits: new LimitsStore(db, table),
  idempotency: new IdempotencyStore(db, table),
  sessions: new CustomerSessions(new STSClient({ requestHandler, maxAttempts: 2 }), { requestHandler }),
  rateGuard: new RateGuard(),
  relayAccountId: requireEnv('RELAY_ACCOUNT_ID'),
});
