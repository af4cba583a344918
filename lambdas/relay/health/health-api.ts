/**
 * The tenant's side of account health: `GET /api/byoc/health` (what the last runs found) and
 * `POST /api/byoc/health/check` (a check now, at most once a minute per tenant, run by the same
 * consumer as the schedule's: the answer is 202 and the result shows in GET once it ran).
 */
import { dateOf, type Clock } from '../../shared/clock';
import { RefusedError, refusal } from '../../shared/refusal';
import { notValidatedReason, type ByocConfigStore } from '../store/config-store';
import type { HealthRecord, HealthStore } from '../store/health-store';
import type { HealthQueue } from './health-run';

export const MANUAL_CHECK_INTERVAL_MS = 60_000;

export interface HealthApiDeps {
  configs: Pick<ByocConfigStore, 'get'>;
  health: Pick<HealthStore, 'get' | 'claimManualCheck'>;
  queue: HealthQueue;
  clock: Clock;
}

export function presentHealth(record: HealthRecord) {
  return {
    success: true,
    state: record.state,
    last_run_at: record.last_run_at,
    last_run_complete: record.last_run_complete,
    checks: record.checks,
    domains: Object.entries(record.domains).sort(([a], [b]) => a.localeCompare(b)).map(([domain, health]) => ({ domain, region: health.region, records: health.records })),
  };
}

export async function readHealth(deps: HealthApiDeps, tenantId: string): Promise<HealthRecord> {
  return deps.health.get(tenantId);
}

/** Queues a check of the tenant now; refused when its config has no role to check, or within a minute of the last request. */
export async function requestHealthCheck(deps: HealthApiDeps, tenantId: string): Promise<{ requested_at: string }> {
  const config = await deps.configs.get(tenantId);
  if (!config?.role_arn || !config.region || config.status === 'disconnected' || config.status === 'unconfigured' || config.status === 'pending_validation') {
    throw new RefusedError(refusal('byoc_not_validated', `There is nothing to check yet: ${notValidatedReason(config) ?? 'validate your BYOC setup first'}.`));
  }
  const now = deps.clock.now();
  const claim = await deps.health.claimManualCheck(tenantId, now, MANUAL_CHECK_INTERVAL_MS);
  if (!claim.claimed) {
    const seconds = Math.max(1, Math.ceil((claim.nextAllowedAt - now) / 1000));
    throw new RefusedError(refusal('rate_limited', `A health check of your account was requested less than a minute ago. Its result shows in GET /api/byoc/health once it ran; request another in ${seconds} s.`, { retryAfterSeconds: seconds }));
  }
  await deps.queue.enqueue([{ tenants: [tenantId], reason: 'manual' }]);
  return { requested_at: dateOf(deps.clock).toISOString() };
}
