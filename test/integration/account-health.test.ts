/**
 * Continuous account health, end to end on the virtual clock: each breakage the simulator can make
 * (role deleted, trust edited, sending paused, back to the sandbox, DKIM Failed) is found by the next
 * scheduled run, shown by GET /api/byoc/health, handed to the outbox as its event, and so is its
 * recovery; a known-broken role is refused at send time without an STS call; one account that
 * stalls does not hold the others; the manual check is rate-limited.
 */
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { TENANT_BUDGET_MS } from '../../lambdas/relay/health/check-tenant';
import { afterIamPropagation, call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem('health');
});
afterAll(() => system?.stop());

interface Tenant { tenantId: string; apiKey: string; accountId: string; domain: string; region: string }

async function onboarded(accountId: string, domain: string): Promise<Tenant> {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId, domain });
  return { ...tenant, accountId, domain, region: 'eu-west-1' };
}

/** What the EventBridge schedule does: every BYOC tenant enqueued, every check run to its end. */
async function scheduledRun(): Promise<void> {
  await system.health.runSchedule();
  await system.health.drain();
}

const health = async (tenant: Tenant) => {
  const answer = await call(system.relayUrl, 'GET', '/api/byoc/health', { apiKey: tenant.apiKey });
  expect(answer.status).toBe(200);
  return answer.body as { state: string; last_run_complete: boolean; last_run_at: string; checks: Record<string, { status: string; code: string | null; since: string; last_transition_at: string | null }>; domains: Array<{ domain: string; records: Record<string, { status: string; health: string }> }> };
};

const eventsOf = (tenant: Tenant) => system.health.notifications.filter((n) => n.tenantId === tenant.tenantId).map((n) => n.notification);

async function roleFromConfig(tenant: Tenant, changes: { externalId?: string } = {}) {
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  const trust = JSON.parse(JSON.stringify(config.body.trust_policy)) as { Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }> };
  if (changes.externalId) trust.Statement[0]!.Condition.StringEquals['sts:ExternalId'] = changes.externalId;
  system.simulator.putRole(tenant.accountId, BYOC_ROLE_NAME, { trust_policy: trust as never, permissions_policy: config.body.permissions_policy as never });
  await afterIamPropagation(system);
}

/** Breaks, runs the schedule, checks what is shown and announced; repairs, runs again, checks the recovery. */
async function breakAndRecover(tenant: Tenant, breakIt: () => Promise<void> | void, repair: () => Promise<void> | void, expected: { check: string; code?: string; event: string; recovered: string; domainRecord?: boolean }) {
  await scheduledRun();
  expect((await health(tenant)).state).toBe('healthy');
  const before = eventsOf(tenant).length;

  await breakIt();
  await scheduledRun();
  const broken = await health(tenant);
  expect(broken.state).toBe('failing');
  if (expected.domainRecord) {
    expect(broken.domains.find((d) => d.domain === tenant.domain)?.records[expected.check]).toMatchObject({ status: 'Failed', health: 'failing' });
  } else {
    expect(broken.checks[expected.check]).toMatchObject({ status: 'failing', code: expected.code, last_transition_at: expect.any(String) });
  }
  const announced = eventsOf(tenant).slice(before);
  expect(announced.map((e) => e.type)).toEqual([expected.event]);
  expect(announced[0]!.id).toMatch(new RegExp(`^msg_health_${tenant.tenantId}_`));

  // The next run sees the same breakage: no second event.
  await scheduledRun();
  expect(eventsOf(tenant).slice(before)).toHaveLength(1);

  await repair();
  await scheduledRun();
  const recovered = await health(tenant);
  expect(recovered.state).toBe('healthy');
  expect(eventsOf(tenant).slice(before).map((e) => e.type)).toEqual([expected.event, expected.recovered]);
  return announced[0]!;
}

test('a deleted role: detected, announced, refused at send time without an STS call, recovered', async () => {
  const tenant = await onboarded('221000000001', 'health-role.dev');
  const send = () => call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'a@example.com', from_email: 'hi@health-role.dev', subject: 'Hi', message: 'Hello' } });
  const event = await breakAndRecover(tenant, async () => {
    system.simulator.deleteRole(tenant.accountId, BYOC_ROLE_NAME);
    await afterIamPropagation(system);
  }, async () => {
    await roleFromConfig(tenant);
  }, { check: 'assume_role', code: 'could_not_assume_role', event: 'byoc.role_failed', recovered: 'byoc.recovered' });
  expect(event.data).toMatchObject({ check: 'assume_role', status: 'failing', previous_status: 'ok' });
  expect(JSON.stringify(event.data)).not.toMatch(/AccessDenied|not authorized/i); // our words only

  // Broken again: once the health check knows, a send is refused from the config, no AssumeRole.
  system.simulator.deleteRole(tenant.accountId, BYOC_ROLE_NAME);
  await afterIamPropagation(system);
  await scheduledRun();
  system.simulator.resetCalls();
  const refused = await send();
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ success: false, error: 'could_not_assume_role' });
  expect(refused.body.detail).toContain('health check');
  expect(system.simulator.calls()['sts:AssumeRole']).toBeUndefined();

  // A validation that assumes the role again lifts it at once.
  await roleFromConfig(tenant);
  expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).body).toMatchObject({ status: 'validated' });
  expect((await send()).status).toBe(200);
});

test('a trust policy edited by someone else (wrong ExternalId): byoc.role_failed, then recovered', async () => {
  const tenant = await onboarded('221000000002', 'health-trust.dev');
  await breakAndRecover(tenant, () => roleFromConfig(tenant, { externalId: 'someone-elses-id-000000000000' }), () => roleFromConfig(tenant),
    { check: 'assume_role', code: 'could_not_assume_role', event: 'byoc.role_failed', recovered: 'byoc.recovered' });
});

test('sending paused in the region: byoc.sending_paused, then recovered', async () => {
  const tenant = await onboarded('221000000003', 'health-paused.dev');
  const set = (sending_enabled: boolean) => { system.simulator.createAccount({ account_id: tenant.accountId, regions: { [tenant.region]: { sending_enabled } } }); };
  await breakAndRecover(tenant, () => set(false), () => set(true),
    { check: 'sending_enabled', code: 'sending_disabled', event: 'byoc.sending_paused', recovered: 'byoc.recovered' });
});

test('back to the SES sandbox: byoc.sandbox, then recovered', async () => {
  const tenant = await onboarded('221000000004', 'health-sandbox.dev');
  const quota = (max_24_hour_send: number) => { system.simulator.createAccount({ account_id: tenant.accountId, regions: { [tenant.region]: { max_24_hour_send } } }); };
  await breakAndRecover(tenant, () => quota(200), () => quota(50_000),
    { check: 'production_access', code: 'ses_sandbox', event: 'byoc.sandbox', recovered: 'byoc.recovered' });
});

test('DKIM Failed (a CNAME removed): domain.dkim_failed, shown on the domain, then domain.recovered', async () => {
  const tenant = await onboarded('221000000005', 'health-dkim.dev');
  const dkim = (status: 'Failed' | 'Success') => { system.simulator.setIdentityStatus(tenant.accountId, tenant.domain, { dkim: status }); };
  const event = await breakAndRecover(tenant, () => dkim('Failed'), () => dkim('Success'),
    { check: 'dkim', event: 'domain.dkim_failed', recovered: 'domain.recovered', domainRecord: true });
  expect(event.data).toMatchObject({ domain: tenant.domain, record: 'dkim', status: 'Failed', previous_status: 'Success' });
  // The domain's own record says when it was last checked.
  const domain = await call(system.relayUrl, 'GET', `/api/byoc/domains/${tenant.domain}`, { apiKey: tenant.apiKey });
  expect(domain.body).toMatchObject({ statuses: { dkim: 'Success' }, checked_at: expect.any(String) });
});

test('an account that stalls (throttles every call) spends its own budget; the others are checked at once', async () => {
  const slow = await onboarded('221000000006', 'health-slow.dev');
  const fine = await onboarded('221000000007', 'health-fine.dev');
  await scheduledRun();
  // From now on the slow account answers about one control-plane call a day: every other one is Throttling.
  system.simulator.createAccount({ account_id: slow.accountId, regions: { [slow.region]: { control_plane_rate: 0.00001, control_plane_burst: 1 } } });
  const started = system.clock.now();
  await scheduledRun();
  const fineHealth = await health(fine);
  expect(fineHealth).toMatchObject({ state: 'healthy', last_run_complete: true });
  expect(Date.parse(fineHealth.last_run_at) - started).toBeLessThan(30_000);
  const slowHealth = await health(slow);
  // No verdict from a throttled account: it keeps its last one, and says the run was incomplete.
  expect(slowHealth).toMatchObject({ state: 'healthy', last_run_complete: false });
  // …after its own budget (120 s) at most: the stalled account ends, it does not run on.
  expect(Date.parse(slowHealth.last_run_at) - started).toBeGreaterThanOrEqual(60_000);
  expect(Date.parse(slowHealth.last_run_at) - started).toBeLessThanOrEqual(TENANT_BUDGET_MS + 10_000);
  expect(eventsOf(slow).length).toBe(0);
});

test('POST /api/byoc/health/check runs a check now, at most once a minute', async () => {
  const tenant = await onboarded('221000000008', 'health-manual.dev');
  const first = await call(system.relayUrl, 'POST', '/api/byoc/health/check', { apiKey: tenant.apiKey });
  expect(first.status).toBe(202);
  const again = await call(system.relayUrl, 'POST', '/api/byoc/health/check', { apiKey: tenant.apiKey });
  expect(again.status).toBe(429);
  expect(again.body).toMatchObject({ success: false, error: 'rate_limited' });
  expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  await system.health.drain();
  expect((await health(tenant)).state).toBe('healthy');
  await system.clock.advance(60_000);
  expect((await call(system.relayUrl, 'POST', '/api/byoc/health/check', { apiKey: tenant.apiKey })).status).toBe(202);
  await system.health.drain();
});

test('a send that meets a refused role asks for a re-check at once', async () => {
  const tenant = await onboarded('221000000009', 'health-recheck.dev');
  await scheduledRun();
  system.simulator.deleteRole(tenant.accountId, BYOC_ROLE_NAME);
  await afterIamPropagation(system);
  const sent = await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'a@example.com', from_email: 'hi@health-recheck.dev', subject: 'Hi', message: 'Hello' } });
  expect(sent.body).toMatchObject({ error: 'could_not_assume_role' });
  await system.health.drain(); // no scheduled run: the send's request alone
  expect((await health(tenant)).checks.assume_role).toMatchObject({ status: 'failing' });
  expect(eventsOf(tenant).map((e) => e.type)).toEqual(['byoc.role_failed']);
});
