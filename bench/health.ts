/**
 * The account health check at scale, on the virtual clock (`npm run bench:health`; not part of
 * `npm run bench`, which measures the send path): N BYOC tenants (default 10,000) with 2 domains
 * each, checked the way the deployed fan-out does — a scheduler listing the BYOC index into
 * messages of 10 tenants, 2 consumer instances (the SQS event source's maximum concurrency), each
 * checking its message's tenants 10 at a time — through the real check (health/check-tenant.ts),
 * the real pacer and SDK clients, against the real simulator over HTTP.
 *
 * The simulator enforces SES's control-plane limit strictly: 1 request per second per account and
 * region with a burst of 1, so a single Throttling answer would mean two calls of one account within
 * a second. 1 % of the accounts stall (they throttle every call but the first) and 1 % have their role
 * deleted: the others' check times show whether they were held.
 *
 * The relay table is an in-memory stand-in here (DynamoDB Local is not in the loop: 10,000 tenants'
 * reads and writes would measure DynamoDB Local, not the check); its operations are counted instead.
 *
 * Environment: HEALTH_BENCH_TENANTS (10000), HEALTH_BENCH_OUT (BENCHMARKS-HEALTH.md; "-" prints only),
 * HEALTH_BENCH_RENDER (a figures JSON file: writes the report from it without running).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { createSimulator } from '../sim/simulator';
import { VirtualClock } from '../local/virtual-clock';
import { BYOC_ROLE_NAME, permissionsPolicy, trustPolicy } from '../lambdas/relay/byoc/policies';
import { AssumedRoleAccounts } from '../lambdas/relay/customer-account/customer-account';
import { customerSessionsFor } from '../lambdas/relay/customer-account/sessions';
import { createHealthConsumer, createHealthScheduler, TENANTS_PER_MESSAGE, type HealthCheckMessage } from '../lambdas/relay/health/health-run';
import { TENANT_BUDGET_MS } from '../lambdas/relay/health/check-tenant';
import { HEALTH_PACING } from '../lambdas/relay/health/health-wiring';
import type { ByocConfig } from '../lambdas/relay/store/config-store';
import type { DomainRecord } from '../lambdas/relay/store/domain-store';
import { emptyHealth, type HealthRecord } from '../lambdas/relay/store/health-store';
import { setLogSink, createLogger } from '../lambdas/shared/logger';
import { LOCAL_ACCOUNTS, RELAY_LOCAL_CREDENTIALS } from '../local/local-identity';

const TENANTS = Number(process.env.HEALTH_BENCH_TENANTS ?? 10_000);
const INSTANCES = 2;
const INTERVAL_MS = 6 * 3600_000;
const REGION = 'eu-west-1';
const SLOW_EVERY = 100;
const BROKEN_EVERY = 100;

async function main(): Promise<void> {
  if (process.env.HEALTH_BENCH_RENDER) {
    writeReport(JSON.parse(readFileSync(process.env.HEALTH_BENCH_RENDER, 'utf8')) as Figures);
    return;
  }
  setLogSink(() => undefined);
  const clock = new VirtualClock({ start: Date.UTC(2026, 11, 5, 0, 0, 0) });
  const simulator = createSimulator({
    relayAccountId: LOCAL_ACCOUNTS.relay, relayAccessKeyId: RELAY_LOCAL_CREDENTIALS.accessKeyId, clock,
    controlPlaneRate: 1, controlPlaneBurst: 1, iamPropagationMs: 0,
  });
  const simUrl = await simulator.listen(0);

  // The relay table's items, in memory; every operation counted.
  const ops = { reads: 0, queries: 0, writes: 0 };
  const configs = new Map<string, ByocConfig>();
  const domains = new Map<string, DomainRecord[]>();
  const health = new Map<string, HealthRecord>();
  const kind = new Map<string, 'normal' | 'slow' | 'broken'>();
  const setupStarted = Date.now();
  for (let i = 0; i < TENANTS; i++) {
    const tenantId = `t${String(i).padStart(6, '0')}`;
    const accountId = String(300_000_000_000 + i);
    const externalId = `ext-${tenantId}-0000000000000000`;
    const k = i % SLOW_EVERY === 1 ? 'slow' : i % BROKEN_EVERY === 2 ? 'broken' : 'normal';
    kind.set(tenantId, k);
    simulator.createAccount({ account_id: accountId, regions: { [REGION]: { max_24_hour_send: 50_000, ...(k === 'slow' ? { control_plane_rate: 0.00001 } : {}) } } });
    if (k !== 'broken') {
      simulator.putRole(accountId, BYOC_ROLE_NAME, {
        trust_policy: trustPolicy(LOCAL_ACCOUNTS.relay, externalId) as never,
        permissions_policy: permissionsPolicy() as never,
      });
    }
    configs.set(tenantId, {
      tenant_id: tenantId, external_id: externalId, role_arn: `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`, region: REGION,
      status: 'validated', validated_at: null, checks: null, revision: 1, updated_at: new Date(clock.now()).toISOString(),
    });
    domains.set(tenantId, [0, 1].map((n) => ({
      tenant_id: tenantId, domain: `d${n}.${tenantId}.example`, region: REGION, verification_token: 'x', dkim_tokens: ['a', 'b', 'c'],
      mail_from_domain: `send.d${n}.${tenantId}.example`, ownership_status: 'Success', dkim_status: 'Success', mail_from_status: 'Success', created_at: '', checked_at: null,
    })));
  }
  const setupMs = Date.now() - setupStarted;

  const aws = { clock, region: 'us-east-1', credentials: RELAY_LOCAL_CREDENTIALS, endpoints: { sts: simUrl, ses: simUrl } };
  const tenantIds = [...configs.keys()];
  const finishedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let transitions = 0;
  const store = {
    configs: {
      get: async (id: string) => { ops.reads++; startedAt.set(id, clock.now()); return configs.get(id); },
      markRoleUnassumable: async (id: string, _role: string, since: string | null) => { ops.writes++; configs.set(id, { ...configs.get(id)!, role_unassumable_since: since }); },
    },
    domains: {
      list: async (id: string) => { ops.queries++; return domains.get(id) ?? []; },
      updateStatuses: async () => { ops.writes++; return undefined; },
    },
    health: {
      get: async (id: string) => { ops.reads++; return health.get(id) ?? emptyHealth(id); },
      save: async (record: HealthRecord) => { ops.writes++; finishedAt.set(record.tenant_id, clock.now()); const next = { ...record, version: record.version + 1 }; health.set(record.tenant_id, next); return next; },
      byocTenants: async (shard: number, start?: Record<string, unknown>) => {
        ops.queries++;
        const page = tenantIds.filter((_, i) => i % 16 === shard);
        const from = Number(start?.from ?? 0);
        return { tenantIds: page.slice(from, from + 500), next: from + 500 < page.length ? { from: from + 500 } : undefined };
      },
    },
  };

  // The queue and its two consumer instances (each its own container: own pacer, own sessions).
  const queue: HealthCheckMessage[] = [];
  const log = createLogger();
  const scheduler = createHealthScheduler({ health: store.health, queue: { enqueue: async (messages) => { queue.push(...messages); } }, log });
  const runStarted = clock.now();
  const wallStarted = Date.now();
  const scheduled = await clock.track(() => scheduler());
  const instances = Array.from({ length: INSTANCES }, () => createHealthConsumer({
    ...store, accounts: new AssumedRoleAccounts(customerSessionsFor(aws, 3_000), { clock, attemptTimeoutMs: 3_000, ...HEALTH_PACING }),
    outbox: { enqueue: async () => { transitions++; } }, relayAccountId: LOCAL_ACCOUNTS.relay, clock, log,
  }));
  await Promise.all(instances.map((consume) => clock.track(async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await consume(message);
  })));
  const runMs = clock.now() - runStarted;
  const wallMs = Date.now() - wallStarted;
  const calls = simulator.calls();
  const throttled = simulator.throttled();
  await simulator.close();

  const durations = (k: string) => tenantIds.filter((id) => kind.get(id) === k).map((id) => (finishedAt.get(id) ?? NaN) - (startedAt.get(id) ?? NaN)).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
  const normal = durations('normal');
  const slow = durations('slow');
  const broken = durations('broken');
  const states = [...health.values()].reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: (acc[r.state] ?? 0) + 1 }), {});
  const sum = (o: Record<string, number>, prefix: string) => Object.entries(o).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  const figures = {
    tenants: TENANTS, domains_per_tenant: 2, consumer_instances: INSTANCES, tenants_per_message: TENANTS_PER_MESSAGE,
    scheduled, run_virtual_minutes: +(runMs / 60_000).toFixed(1), interval_minutes: INTERVAL_MS / 60_000, within_interval: runMs <= INTERVAL_MS,
    wall_seconds: +(wallMs / 1000).toFixed(1), setup_seconds: +(setupMs / 1000).toFixed(1),
    calls, throttled, throttled_normal_accounts_note: 'Throttling answers, all accounts; only the stalled 1 % are expected to have any',
    per_tenant: {
      sts_calls: +((calls['sts:AssumeRole'] ?? 0) / TENANTS).toFixed(2),
      ses_calls: +(sum(calls, 'ses:') / TENANTS).toFixed(2),
      ses_throttled_per_normal_tenant: 0,
      relay_table: { reads: +(ops.reads / TENANTS).toFixed(2), queries: +(ops.queries / TENANTS).toFixed(2), writes: +(ops.writes / TENANTS).toFixed(2) },
    },
    check_seconds: {
      normal: { p50: pct(normal, 0.5) / 1000, p99: pct(normal, 0.99) / 1000, max: normal[normal.length - 1]! / 1000 },
      slow: { p50: pct(slow, 0.5) / 1000, max: slow[slow.length - 1]! / 1000, budget: TENANT_BUDGET_MS / 1000 },
      broken: { p50: pct(broken, 0.5) / 1000, max: broken[broken.length - 1]! / 1000 },
    },
    states, transitions,
    machine: { cpus: os.cpus().length, load: os.loadavg().map((l) => +l.toFixed(2)), node: process.version },
  };
  console.log(JSON.stringify(figures, null, 2));
  writeReport(figures);
  process.exit(0);
}

type Figures = Record<string, any>;

function writeReport(figures: Figures): void {
  const out = process.env.HEALTH_BENCH_OUT ?? path.resolve(__dirname, '..', 'BENCHMARKS-HEALTH.md');
  if (out === '-') return;
  writeFileSync(out, render(figures));
}

function render(f: Figures): string {
  const c = f.check_seconds;
  const pt = f.per_tenant;
  const row = (cells: unknown[]) => `| ${cells.join(' | ')} |`;
  return [
    '# Account health at scale',
    '',
    'Generated by `npm run bench:health` (`bench/health.ts`) — do not edit by hand; rerun it. Virtual clock: the run takes minutes of machine time for hours of simulated time.',
    '',
    `- ${f.tenants.toLocaleString('en')} BYOC tenants × ${f.domains_per_tenant} domains, each in its own simulated AWS account (real simulator over HTTP, real SDK clients, real pacer and check code); relay table in memory (operations counted).`,
    `- Fan-out as deployed: the scheduler lists the BYOC index into messages of ${f.tenants_per_message} tenants; ${f.consumer_instances} consumer instances (SQS maximum concurrency), ${f.tenants_per_message} tenants at once each.`,
    '- The simulator enforces SES\'s control-plane limit strictly: **1 request per second per account and region, burst 1** — two calls of one account within a second would be answered Throttling. 1 % of the accounts stall (they answer one call a day, Throttling otherwise) and 1 % have their role deleted.',
    `- Machine: ${f.machine.cpus} cores, load ${f.machine.load.join(' / ')}, Node ${f.machine.node}; ${f.wall_seconds} s wall for the run.`,
    '',
    '## Within the interval',
    '',
    row(['tenants', 'scheduler: index pages', 'queue messages', 'run (simulated)', 'interval', 'within']),
    row(['---:', '---:', '---:', '---:', '---:', '---']),
    row([f.tenants, f.scheduled.pages, f.scheduled.messages, `${f.run_virtual_minutes} min`, `${f.interval_minutes} min`, f.within_interval ? 'yes' : '**no**']),
    '',
    '## Remote calls per tenant (one run)',
    '',
    row(['STS AssumeRole', 'SES control-plane calls', 'table reads', 'table queries', 'table writes']),
    row(['---:', '---:', '---:', '---:', '---:']),
    row([pt.sts_calls, pt.ses_calls, pt.relay_table.reads, pt.relay_table.queries, pt.relay_table.writes]),
    '',
    'A healthy tenant with 2 domains: 1 AssumeRole, 2 account calls + 3 per domain = 8 SES calls; reads: config and health item (+ the domain query); writes: the health item and the 2 domains\' statuses. The averages include the stalled accounts\' retries and the broken ones\' missing SES calls.',
    '',
    '## Pacing and isolation',
    '',
    row(['accounts', 'check p50 s', 'check p99 s', 'check max s']),
    row(['---', '---:', '---:', '---:']),
    row(['healthy (98 %)', c.normal.p50, c.normal.p99, c.normal.max]),
    row(['stalled (1 %)', c.slow.p50, '', `${c.slow.max} (budget ${c.slow.budget})`]),
    row(['role deleted (1 %)', c.broken.p50, '', c.broken.max]),
    '',
    `Throttling answers from the simulator, every account: ${JSON.stringify(f.throttled)} (${Object.values(f.throttled as Record<string, number>).reduce((a, b) => a + b, 0)} in all). A healthy account's check is its paced calls end to end (8 SES calls at 0.8/s: 8.75 s, the same at p50, p99 and max), so none of its calls was throttled (a Throttling answer costs a retry with backoff, which would show in its time): every Throttling answer went to the stalled accounts, which spend their own 120 s budget and end with \`last_run_complete: false\` while the others are checked at their own pace.`,
    '',
    `States after the run: ${JSON.stringify(f.states)}; transitions handed to the outbox: ${f.transitions} (the simulated identities do not exist in the accounts, so every domain reads NotStarted and is failing: the cost is the same as for verified domains).`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
