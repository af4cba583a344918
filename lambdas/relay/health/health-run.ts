/**
 * The account health check's fan-out: a scheduler that only lists (the BYOC index, page by page)
 * and enqueues, and a consumer that checks the tenants of one message at bounded concurrency.
 *
 * - Scheduler: walks the BYOC index's shards (GSI1 `BYOC#<n>`, never a scan: the table also holds
 *   every message's events) and puts `TENANTS_PER_MESSAGE` tenant ids per queue message. It checks
 *   no account itself, so 10,000 tenants cost it 16+ index pages and ~100 SendMessageBatch calls.
 * - Consumer: the tenants of one message, `TENANT_CONCURRENCY` at a time, each inside its own time
 *   budget (check-tenant.ts): a hung or failing account costs its own budget and never holds the
 *   others. A tenant whose check throws (our own table, not the customer's account) fails the
 *   message; only those tenants are retried, and after the queue's retries the message goes to
 *   the dead-letter queue.
 *
 * The load is spread by the queue: the consumer runs at a bounded number of instances (the event
 * source's maximum concurrency), each checking `TENANT_CONCURRENCY` tenants at once. With ~8
 * paced calls per tenant (3 account + 3 per domain, two domains, ~1/s), 2 instances × 10 tenants
 * check ~2.5 tenants a second: 10,000 tenants in ~70 min, far inside the 6-hour interval, without a
 * burst on our side or SES's (bench/health.ts measures it).
 */
import { emitMetric, type Logger } from '../../shared/logger';
import { BYOC_SHARDS } from '../store/relay-table';
import type { HealthStore } from '../store/health-store';
import { checkTenant, type CheckTenantDeps, type TenantCheckResult } from './check-tenant';

export const TENANTS_PER_MESSAGE = 10;
export const TENANT_CONCURRENCY = 10;

/** Why a check runs: the schedule, the tenant's button, or a send that failed the way health detects. */
export type CheckReason = 'schedule' | 'manual' | 'send_failure';

export interface HealthCheckMessage {
  tenants: string[];
  reason: CheckReason;
}

/** The queue between scheduler (and the API, and the send path) and consumer. */
export interface HealthQueue {
  enqueue(messages: HealthCheckMessage[]): Promise<void>;
}

export interface ScheduleReport {
  tenants: number;
  messages: number;
  pages: number;
}

export function createHealthScheduler(deps: { health: Pick<HealthStore, 'byocTenants'>; queue: HealthQueue; shards?: number; log: Logger }) {
  return async function scheduleHealthChecks(): Promise<ScheduleReport> {
    const report: ScheduleReport = { tenants: 0, messages: 0, pages: 0 };
    for (let shard = 0; shard < (deps.shards ?? BYOC_SHARDS); shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await deps.health.byocTenants(shard, startKey);
        report.pages++;
        const messages: HealthCheckMessage[] = [];
        for (let i = 0; i < page.tenantIds.length; i += TENANTS_PER_MESSAGE) {
          messages.push({ tenants: page.tenantIds.slice(i, i + TENANTS_PER_MESSAGE), reason: 'schedule' });
        }
        if (messages.length > 0) await deps.queue.enqueue(messages);
        report.tenants += page.tenantIds.length;
        report.messages += messages.length;
        startKey = page.next;
      } while (startKey);
    }
    deps.log.info('health checks scheduled', { ...report });
    return report;
  };
}

export interface ConsumedMessage {
  results: TenantCheckResult[];
  /** Tenants whose check failed on our side (to retry). */
  failed: string[];
}

export function createHealthConsumer(deps: CheckTenantDeps & { log: Logger; concurrency?: number }) {
  return async function checkTenants(message: HealthCheckMessage): Promise<ConsumedMessage> {
    const tenants = [...new Set(message.tenants)];
    const results: TenantCheckResult[] = [];
    const failed: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < tenants.length) {
        const tenantId = tenants[next++]!;
        try {
          const result = await checkTenant(deps, tenantId);
          results.push(result);
          if (result.kind === 'checked') {
            emitMetric('TenantHealthChecked', { state: result.state });
            const broke = result.transitions.filter((t) => !t.type.endsWith('recovered')).length;
            if (broke > 0) emitMetric('HealthTransitionsToFailing', {}, broke);
            deps.log.info('tenant health checked', { tenant_id: tenantId, reason: message.reason, state: result.state, complete: result.complete, transitions: result.transitions.length });
          }
        } catch (error) {
          failed.push(tenantId);
          deps.log.error('tenant health check failed', { tenant_id: tenantId, reason: message.reason, error_name: error instanceof Error ? error.name : typeof error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? TENANT_CONCURRENCY, tenants.length) }, worker));
    return { results, failed };
  };
}

/** Re-check requests of failing sends: at most one per tenant per `intervalMs` from this container. */
export class RecheckRequests {
  private readonly last = new Map<string, number>();

  constructor(private readonly queue: HealthQueue, private readonly now: () => number, private readonly intervalMs = 60_000, private readonly maxTenants = 10_000) {}

  async request(tenantId: string): Promise<void> {
    const at = this.now();
    const previous = this.last.get(tenantId);
    if (previous !== undefined && at - previous < this.intervalMs) return;
    if (this.last.size >= this.maxTenants) this.last.clear();
    this.last.set(tenantId, at);
    await this.queue.enqueue([{ tenants: [tenantId], reason: 'send_failure' }]);
  }
}
