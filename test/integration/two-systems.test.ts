/**
 * Handlers are built per system, not per process: two systems in one test file share no table,
 * simulator or clock (before, the second system's handlers silently kept the first one's tables).
 */
import { utcMonth } from '../../lambdas/relay/store/relay-table';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

let a: TestSystem;
let b: TestSystem;
beforeAll(async () => {
  a = await startTestSystem('two-a');
  b = await startTestSystem('two-b');
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

test('a key issued by one system is unknown to the other, and each sends through its own simulator', async () => {
  const tenant = await createTenant(a, 'byoc', { sends_per_minute: 100 });
  expect((await call(b.relayUrl, 'GET', '/api/usage', { apiKey: tenant.apiKey })).body.error).toBe('invalid_api_key');
  await onboard(a, tenant.apiKey, { accountId: '292929292929', domain: 'two.dev' });
  const sent = await call(a.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'c@example.com', from_email: 'a@two.dev', subject: 'Hi', message: 'Hello' } });
  expect(sent.status).toBe(200);
  expect(a.simulator.mailbox()).toHaveLength(1);
  expect(b.simulator.mailbox()).toHaveLength(0);
  expect(() => b.simulator.account('292929292929')).toThrow(/no account/);
});

test('each system reads its own clock: a month passed in one is not seen by the other', async () => {
  const inA = await createTenant(a, 'starter');
  const inB = await createTenant(b, 'starter');
  const monthOf = async (system: TestSystem, apiKey: string) => (await call(system.relayUrl, 'GET', '/api/usage', { apiKey })).body.month;
  expect(await monthOf(a, inA.apiKey)).toBe(utcMonth(new Date(a.clock.now())));
  const bBefore = b.clock.now();
  await a.clock.advance(31 * 24 * 3600 * 1000);
  expect(await monthOf(a, inA.apiKey)).toBe(utcMonth(new Date(a.clock.now())));
  expect(b.clock.now()).toBe(bBefore);
  expect(await monthOf(b, inB.apiKey)).toBe(utcMonth(new Date(bBefore)));
  expect(await monthOf(a, inA.apiKey)).not.toBe(await monthOf(b, inB.apiKey));
});
