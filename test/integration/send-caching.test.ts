/**
 * The warm send path, counted at the simulator: one AssumeRole serves many sends, and a role change
 * (the tenant moves to another AWS account) gets a new session, never the old account's.
 */
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;

beforeAll(async () => {
  // Production cache bounds, as deployed.
  system = await startTestSystem('caching', { authCacheTtlMs: 5_000, sendContextTtlMs: 5_000 });
});
afterAll(() => system?.stop());

test('many sends share one AssumeRole; moving to another account assumes the new role', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '141414141414', domain: 'cached.dev' });
  system.simulator.resetCalls();
  const body = { to: 'c@example.com', from_email: 'a@cached.dev', subject: 'Hi', message: 'Hello' };
  for (let i = 0; i < 10; i++) expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body })).status).toBe(200);
  expect(system.simulator.calls()).toMatchObject({ 'sts:AssumeRole': 1, 'ses:SendEmail': 10 });

  // The tenant moves to another AWS account: the domain goes, the new role is validated, the domain is set up there.
  expect((await call(system.relayUrl, 'DELETE', '/api/byoc/domains/cached.dev', { apiKey: tenant.apiKey })).status).toBe(200);
  await onboard(system, tenant.apiKey, { accountId: '151515151515', domain: 'cached.dev' });
  await system.clock.advance(5_100); // past the send function's context cache bound
  system.simulator.resetCalls();
  system.simulator.clearMailbox();
  expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body })).status).toBe(200);
  expect(system.simulator.calls()['sts:AssumeRole']).toBe(1);
  expect(system.simulator.mailbox().map((m) => m.account_id)).toEqual(['151515151515']);
});
