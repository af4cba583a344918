/**
 * The relay against an account that behaves like real SES and STS: MaxSendRate enforced per
 * recipient, about one identity/account request per second, IAM changes that take seconds, and
 * account state per region. Bursts are delivered, onboarding survives the control-plane limit,
 * validate waits out IAM propagation, and every check runs in the config's region.
 */
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem('ses-limits');
});
afterAll(() => system?.stop());

const message = (from: string) => ({ to: 'customer@example.com', from_email: from, subject: 'Hi', message: 'Body' });

test('a burst of 100 concurrent sends to an account allowing 14/s: 100 accepted, none throttled, each counted and delivered once', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  await onboard(system, tenant.apiKey, { accountId: '212121212121', domain: 'burst.dev' });
  expect(system.simulator.account('212121212121')?.regions['eu-west-1']?.max_send_rate).toBe(14);
  system.simulator.resetCalls();
  const results = await Promise.all(Array.from({ length: 100 }, () =>
    call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message('a@burst.dev') })));
  expect(results.map((r) => r.body.error ?? r.status).filter((s) => s !== 200)).toEqual([]);
  expect(new Set(results.map((r) => r.body.message_id)).size).toBe(100);
  expect(system.simulator.mailbox().filter((m) => m.account_id === '212121212121')).toHaveLength(100);
  // Paced in this container to the account's rate: SES was asked (almost) once per message.
  const sendCalls = system.simulator.calls()['ses:SendEmail'] ?? 0;
  expect(sendCalls).toBeGreaterThanOrEqual(100);
  expect(sendCalls).toBeLessThanOrEqual(110);
});

test('adding and verifying 5 domains of one tenant at once all succeed under the ~1 req/s identity limit', async () => {
  const tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '262626262626', domain: 'first.dev' });
  const domains = ['d1.dev', 'd2.dev', 'd3.dev', 'd4.dev', 'd5.dev'];
  const added = await Promise.all(domains.map((domain) => call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey: tenant.apiKey, body: { domain } })));
  expect(added.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
  for (const domain of domains) system.simulator.setIdentityStatus('262626262626', domain, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  const verified = await Promise.all(domains.map((domain) => call(system.relayUrl, 'POST', `/api/byoc/domains/${domain}/verify`, { apiKey: tenant.apiKey })));
  expect(verified.map((r) => [r.status, r.body.status])).toEqual(domains.map(() => [200, 'verified']));
});

test('validate right after creating the role passes while IAM is still propagating, and says it waited', async () => {
  const tenant = await createTenant(system, 'byoc');
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  system.simulator.createAccount({ account_id: '232323232323', iam_propagation_ms: 4_000, regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
  system.simulator.putRole('232323232323', BYOC_ROLE_NAME, { trust_policy: config.body.trust_policy as never, permissions_policy: config.body.permissions_policy as never });
  await call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey: tenant.apiKey, body: { role_arn: `arn:aws:iam::232323232323:role/${BYOC_ROLE_NAME}`, region: 'eu-west-1' } });
  const validated = await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey });
  expect(validated.body).toMatchObject({ success: true, status: 'validated' });
  const assume = (validated.body.checks as Array<{ name: string; detail: string }>).find((c) => c.name === 'assume_role');
  expect(assume?.detail).toMatch(/passed after \d+ s: IAM was still propagating/);
});

test('every account check runs in the config\'s region: sandboxed in one region, in production in another', async () => {
  const tenant = await createTenant(system, 'byoc');
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  // production access in eu-west-1 only: us-east-1 was never moved out of the sandbox
  system.simulator.createAccount({ account_id: '242424242424', regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
  system.simulator.putRole('242424242424', BYOC_ROLE_NAME, { trust_policy: config.body.trust_policy as never, permissions_policy: config.body.permissions_policy as never });
  const validateIn = async (region: string) => {
    await call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey: tenant.apiKey, body: { role_arn: `arn:aws:iam::242424242424:role/${BYOC_ROLE_NAME}`, region } });
    return call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey });
  };
  expect((await validateIn('us-east-1')).body).toMatchObject({ status: 'invalid', error: 'ses_sandbox', detail: expect.stringMatching(/us-east-1/) });
  expect((await validateIn('eu-west-1')).body).toMatchObject({ success: true, status: 'validated' });
});

test('Max24HourSend -1 (unlimited, as SES reports it) validates as production', async () => {
  const tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '252525252525', domain: 'unlimited.dev', maxSend: -1 });
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  expect(config.body.status).toBe('validated');
});
