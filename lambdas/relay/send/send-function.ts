/** The send function's composition root: every client and cache is created once per container. */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../store/config-store';
import { DomainStore } from '../store/domain-store';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { customerSessionsFor } from '../customer-account/sessions';
import { ProjectionStore } from '../store/projection-store';
import { IdempotencyStore } from '../store/idempotency-store';
import { LimitsStore } from '../store/limits-store';
import { DeliveryStore } from '../store/delivery-store';
import type { RelayConfig } from '../relay-config';
import { RateGuard } from './rate-guard';
import { createSendApi } from './http/send-routes';
import { SendContextLoader } from './send-context';
import { RecheckRequests, type HealthQueue } from '../health/health-run';
import { healthQueueFor } from '../health/health-wiring';

/** The send API of one relay: its tables, its AWS endpoints and its clock. */
export function createSendHandler(config: RelayConfig, aws: AwsWiring, ports: { healthQueue?: HealthQueue } = {}) {
  const { clock } = aws;
  const table = config.relayTable;
  const db = dynamoDocumentClient(aws);
  const limits = new LimitsStore(db, table);
  return createSendApi({
    authenticator: new Authenticator(new ProjectionStore(db, table), clock, { ttlMs: config.authCacheTtlMs }),
    contexts: new SendContextLoader(new ByocConfigStore(db, table), new DomainStore(db, table), clock, { ttlMs: config.sendContextTtlMs }),
    rateWindows: limits,
    usage: limits,
    idempotency: new IdempotencyStore(db, table),
    accounts: new AssumedRoleAccounts(customerSessionsFor(aws), { clock }),
    rateGuard: new RateGuard(),
    // One write on a refused send only (refusal-counts.ts).
    refusals: new DeliveryStore(db, table),
    relayAccountId: config.relayAccountId,
    clock,
    // Created lazily by the SQS client on first use: a warm healthy send never touches it.
    healthRechecks: new RecheckRequests(healthQueueFor(config, aws, ports.healthQueue), () => clock.now()),
  });
}
