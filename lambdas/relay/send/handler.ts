/** Lambda entry of the send function: every client and cache is created once per container. */
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoDocumentClient } from '../../shared/clients';
import { optionalNumberEnv, requireEnv } from '../../shared/env';
import { configuredHandler } from '../../shared/http';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../store/config-store';
import { DomainStore } from '../store/domain-store';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { CustomerSessions, awsRequestHandler } from '../customer-account/sessions';
import { ProjectionStore } from '../store/projection-store';
import { IdempotencyStore } from '../store/idempotency-store';
import { LimitsStore } from '../store/limits-store';
import { RateGuard } from './rate-guard';
import { createSendApi } from './send-api';
import { SendContextLoader } from './send-context';

export const handler = configuredHandler(() => {
  const table = requireEnv('RELAY_TABLE');
  const relayAccountId = requireEnv('RELAY_ACCOUNT_ID');
  const db = dynamoDocumentClient();
  const requestHandler = awsRequestHandler(optionalNumberEnv('AWS_REQUEST_TIMEOUT_MS'));
  const limits = new LimitsStore(db, table);
  return createSendApi({
    authenticator: new Authenticator(new ProjectionStore(db, table), { ttlMs: optionalNumberEnv('AUTH_CACHE_TTL_MS') }),
    contexts: new SendContextLoader(new ByocConfigStore(db, table), new DomainStore(db, table), { ttlMs: optionalNumberEnv('SEND_CONTEXT_TTL_MS') }),
    rateWindows: limits,
    usage: limits,
    batchUsage: limits,
    idempotency: new IdempotencyStore(db, table),
    accounts: new AssumedRoleAccounts(new CustomerSessions(new STSClient({ requestHandler, maxAttempts: 2 }), { requestHandler })),
    rateGuard: new RateGuard(),
    relayAccountId,
  });
}, 'byoc_not_configured');
