/** The onboarding function's composition root: clients and stores created once per cold start. */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../store/config-store';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { customerSessionsFor } from '../customer-account/sessions';
import { DomainStore } from '../store/domain-store';
import { ProjectionStore } from '../store/projection-store';
import { MonthlyUsageReader } from '../usage/monthly-usage';
import { DeliveryUsageReader } from '../usage/delivery-usage';
import { DeliveryStore } from '../store/delivery-store';
import type { RelayConfig } from '../relay-config';
import { createOnboardingApi } from './onboarding-api';
import { HealthStore } from '../store/health-store';
import type { HealthQueue } from '../health/health-run';
import { healthQueueFor } from '../health/health-wiring';

/**
 * Per-attempt timeout of onboarding's AWS calls. Retries (throttling, 5xx) stop starting once an
 * attempt could end past the request's budget (customer-account.ts, 20 s), so a request ends
 * inside the function's 28 s and API Gateway's 29 s. Control-plane calls answer in well under a
 * second when healthy.
 */
const ONBOARDING_REQUEST_TIMEOUT_MS = 3_000;

/** The onboarding API of one relay: its tables, its AWS endpoints and its clock. */
export function createOnboardingHandler(config: RelayConfig, aws: AwsWiring, ports: { healthQueue?: HealthQueue } = {}) {
  const { clock } = aws;
  const table = config.relayTable;
  const db = dynamoDocumentClient(aws);
  const sessions = customerSessionsFor(aws, ONBOARDING_REQUEST_TIMEOUT_MS);
  return createOnboardingApi({
    authenticator: new Authenticator(new ProjectionStore(db, table), clock, { ttlMs: config.authCacheTtlMs }),
    configs: new ByocConfigStore(db, table),
    domains: new DomainStore(db, table),
    accounts: new AssumedRoleAccounts(sessions, { clock, attemptTimeoutMs: ONBOARDING_REQUEST_TIMEOUT_MS, controlPlaneRate: config.controlPlaneRate }),
    sessions,
    usage: new MonthlyUsageReader(db, table),
    health: new HealthStore(db, table),
    healthQueue: healthQueueFor(config, aws, ports.healthQueue),
    delivery: new DeliveryUsageReader(new ByocConfigStore(db, table), new DeliveryStore(db, table)),
    relayAccountId: config.relayAccountId,
    platformAccountId: config.platformAccountId,
    propagationWindowMs: config.propagationWindowMs,
    registrationTopicArn: config.registrationTopicArn,
    deliveryEventsBusArn: config.deliveryEventsBusArn,
    customerTemplateUrl: config.customerTemplateUrl,
    quickCreateBaseUrl: config.quickCreateBaseUrl,
    registrationRegions: config.registrationRegions,
    clock,
  });
}
