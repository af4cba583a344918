/**
 * GET /api/usage: the month's accepted sends as the send path counted them, the plan's limits from
 * the authenticated principal. Starter sends go through the tenant's onboarded SES like BYOC sends.
 */
import { utcMonth } from '../../lambdas/relay/store/relay-table';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem('usage');
});
afterAll(() => system?.stop());

const usage = (apiKey?: string) => call(system.relayUrl, 'GET', '/api/usage', apiKey ? { apiKey } : {});
const send = (apiKey: string, from: string) => call(system.relayUrl, 'POST', '/api/send', {
  apiKey, body: { to: 'customer@example.com', from_email: from, from_name: 'Acme', subject: 'Hi', message: 'Hello' },
});

test('Starter: the month\'s accepted sends against the limit of 50, and the per-minute limit', async () => {
  const tenant = await createTenant(system, 'starter', { sends_per_minute: 7 });
  const before = await usage(tenant.apiKey);
  expect(before.status).toBe(200);
  expect(before.body).toEqual({ success: true, plan: 'starter', month: utcMonth(new Date(system.clock.now())), used: 0, limit: 50, sends_per_minute: 7, delivery: null, refusals: { window_days: 30, days: expect.any(Array) } });

  await onboard(system, tenant.apiKey, { accountId: '515151515151', domain: 'usage-starter.dev' });
  expect((await send(tenant.apiKey, 'a@usage-starter.dev')).status).toBe(200);
  expect((await send(tenant.apiKey, 'b@usage-starter.dev')).status).toBe(200);
  // A refused send is not an accepted one: the reservation is given back.
  expect((await send(tenant.apiKey, 'c@not-registered.dev')).status).toBe(403);

  expect((await usage(tenant.apiKey)).body).toMatchObject({ used: 2, limit: 50 });
});

test('BYOC: no monthly limit and nothing counted per month (used and limit are null)', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 120 });
  await onboard(system, tenant.apiKey, { accountId: '525252525252', domain: 'usage-byoc.dev' });
  expect((await send(tenant.apiKey, 'a@usage-byoc.dev')).status).toBe(200);
  const response = await usage(tenant.apiKey);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ success: true, plan: 'byoc', month: utcMonth(new Date(system.clock.now())), used: null, limit: null, sends_per_minute: 120, delivery: null, refusals: { window_days: 30, days: expect.any(Array) } });
  // An accepted send counts no refusal.
  expect((response.body.refusals as Refusals).days.every((day) => day.refused === 0)).toBe(true);
});

type Refusals = { window_days: number; days: Array<{ date: string; refused: number; codes: Record<string, number> }> };

test('the relay\'s refusals per UTC day and code: per message, once the key is read; not a single send refused by its validation', async () => {
  const tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '535353535353', domain: 'usage-refusals.dev' });
  expect((await send(tenant.apiKey, 'a@not-registered.dev')).status).toBe(403);
  expect((await send(tenant.apiKey, 'b@not-registered.dev')).status).toBe(403);
  // Refused before its key is read (the contract orders 400 before 401): not counted.
  expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'customer@example.com' } })).status).toBe(400);
  // A batch: one message refused by its own validation, one accepted.
  const batch = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body: { messages: [
    { to: 'customer@example.com', from_email: 'hello@usage-refusals.dev', subject: 'Hi', message: 'Hello' },
    { to: 'not an address', from_email: 'hello@usage-refusals.dev', subject: 'Hi', message: 'Hello' },
  ] } });
  expect((batch.body.results as Array<{ success: boolean }>).map((r) => r.success)).toEqual([true, false]);

  const { refusals } = (await usage(tenant.apiKey)).body as { refusals: Refusals };
  expect(refusals.days).toHaveLength(30);
  expect(refusals.days.at(-1)).toEqual({ date: new Date(system.clock.now()).toISOString().slice(0, 10), refused: 3, codes: { domain_not_registered: 2, invalid_request: 1 } });
  expect(refusals.days.slice(0, -1).every((day) => day.refused === 0 && Object.keys(day.codes).length === 0)).toBe(true);
});

test('needs a valid API key: 401 in the one error shape', async () => {
  for (const response of [await usage(), await usage('sf_' + 'x'.repeat(43))]) {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ success: false, error: 'invalid_api_key', detail: expect.any(String) });
  }
});

test('other methods are 405 with Allow: GET', async () => {
  const tenant = await createTenant(system, 'starter');
  const response = await call(system.relayUrl, 'POST', '/api/usage', { apiKey: tenant.apiKey, body: {} });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('GET');
});
