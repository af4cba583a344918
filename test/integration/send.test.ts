/**
 * The send path end to end: HTTP → send handler → DynamoDB Local → real STS/SES SDK clients →
 * the customer-account simulator. Every error code of the spec's table, the monthly count under
 * concurrency and faults, idempotency, and credential caching counted at the simulator.
 */
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { scanAll } from '../support/dynamo';
import { call, createTenant, onboard, startTestSystem, type TestSystem, afterIamPropagation } from '../support/system';

let system: TestSystem;
let byoc: { tenantId: string; apiKey: string };
const ACCOUNT = '333333333333';

const message = (overrides: Record<string, unknown> = {}) => ({
  to: 'customer@example.com', from_email: 'hello@acme.com', from_name: 'Acme', subject: 'Welcome!', message: 'Thanks for joining Acme.', ...overrides,
});
const send = (apiKey: string, body: unknown, headers: Record<string, string> = {}) => call(system.relayUrl, 'POST', '/api/send/', { apiKey, body, headers });

beforeAll(async () => {
  system = await startTestSystem('send');
  byoc = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  await onboard(system, byoc.apiKey, { accountId: ACCOUNT, domain: 'acme.com' });
});
afterAll(() => system?.stop());
beforeEach(() => {
  system.simulator.clearMailbox();
  system.simulator.clearFaults();
});

describe('happy path', () => {
  test('the message lands in the customer account with From, Reply-To, subject and both bodies', async () => {
    const response = await send(byoc.apiKey, message({ to: ['a@example.com', 'b@example.com'], reply_to: 'support@acme.com', html: '<p>Hi</p>' }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: 'Email accepted by your SES account.', message_id: expect.any(String), mode: 'byoc' });
    expect(response.headers.get('x-ratelimit-limit')).toBe('10000');
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeLessThan(10_000);
    const [mail, ...rest] = system.simulator.mailbox();
    expect(rest).toHaveLength(0);
    expect(mail).toMatchObject({
      message_id: response.body.message_id, account_id: ACCOUNT, region: 'eu-west-1',
      source: { name: 'Acme', address: 'hello@acme.com' }, to: ['a@example.com', 'b@example.com'],
      reply_to: ['support@acme.com'], subject: 'Welcome!', text: 'Thanks for joining Acme.', html: '<p>Hi</p>',
    });
  });

  test('a non-ASCII sender name is RFC 2047 encoded and reads back intact; /api/send works without the slash', async () => {
    const response = await call(system.relayUrl, 'POST', '/api/send', { apiKey: byoc.apiKey, body: message({ from_name: 'Zoë Ünïcode 日本', subject: 'Grüße 👋' }) });
    expect(response.status).toBe(200);
    const [mail] = system.simulator.mailbox();
    expect(mail?.source.raw).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <hello@acme\.com>$/);
    expect(mail?.source.name).toBe('Zoë Ünïcode 日本');
    expect(mail?.subject).toBe('Grüße 👋');
  });

  test('a subdomain of a verified domain may send; IDN recipients are converted to punycode', async () => {
    const response = await send(byoc.apiKey, message({ from_email: 'news@mail.acme.com', to: 'kunde@bücher.de' }));
    expect(response.status).toBe(200);
    expect(system.simulator.mailbox()[0]?.to).toEqual(['kunde@xn--bcher-kva.de']);
  });
});

describe('400 invalid_request', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a recipient that is not an address', message({ to: 'not-an-address' }), 'to'],
    ['51 recipients', message({ to: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) }), 'to'],
    ['CR/LF in the subject', message({ subject: 'Hi\r\nBcc: victim@example.com' }), 'subject'],
    ['LF in from_name', message({ from_name: 'Acme\nBcc: x@y.com' }), 'from_name'],
    ['a Unicode line separator in the subject', message({ subject: 'a\u2028b' }), 'subject'],
    ['a lone surrogate', message({ message: 'bad \ud800 text' }), 'message'],
    ['a number for the subject', message({ subject: 42 }), 'subject'],
    ['an unknown field', message({ priority: 'high' }), '(body)'],
    ['no body at all', message({ message: undefined }), 'message'],
    ['a non-ASCII local part', message({ to: 'jürgen@example.com' }), 'to'],
  ];
  test.each(cases)('%s', async (_name, body, path) => {
    const response = await send(byoc.apiKey, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.any(String) });
    expect((response.body.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });

  test('malformed JSON, a body over 256 KB and a bad Idempotency-Key', async () => {
    expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: byoc.apiKey, rawBody: '{"to":' })).body.error).toBe('invalid_request');
    const huge = await send(byoc.apiKey, message({ message: 'x'.repeat(300 * 1024) }));
    expect(huge).toMatchObject({ status: 413, body: { error: 'request_too_large', detail: expect.stringMatching(/limit is 262144 bytes/) } });
    const badKey = await send(byoc.apiKey, message(), { 'idempotency-key': 'x'.repeat(256) });
    expect(badKey.status).toBe(400);
  });

  test('validation comes before authentication, as the spec orders it', async () => {
    expect((await send('sf_wrong', { to: 'nope' })).status).toBe(400);
  });
});

describe('401, 403 and 429 checks, in order', () => {
  test('missing, unknown and revoked keys → 401 invalid_api_key', async () => {
    expect((await call(system.relayUrl, 'POST', '/api/send', { body: message() })).body.error).toBe('invalid_api_key');
    expect((await send(`sf_${'A'.repeat(43)}`, message())).status).toBe(401);
    const tenant = await createTenant(system, 'byoc');
    await call(system.platformUrl, 'DELETE', `/admin/tenants/${tenant.tenantId}/keys/${tenant.keyId}`);
    const revoked = await send(tenant.apiKey, message());
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toMatch(/revoked/);
  });

  test('suspended tenant → 403 tenant_suspended; reactivated sends again', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '444444444444', domain: 'suspend.io' });
    await call(system.platformUrl, 'PATCH', `/admin/tenants/${tenant.tenantId}`, { body: { status: 'suspended' } });
    expect((await send(tenant.apiKey, message({ from_email: 'a@suspend.io' }))).body.error).toBe('tenant_suspended');
    await call(system.platformUrl, 'PATCH', `/admin/tenants/${tenant.tenantId}`, { body: { status: 'active' } });
    expect((await send(tenant.apiKey, message({ from_email: 'a@suspend.io' }))).status).toBe(200);
  });

  test('no role → byoc_not_validated; unknown domain → domain_not_registered; TXT then DKIM pending → their codes', async () => {
    const tenant = await createTenant(system, 'byoc');
    expect((await send(tenant.apiKey, message())).body.error).toBe('byoc_not_validated');
    await onboard(system, tenant.apiKey, { accountId: '555555555555', domain: 'pending.dev', verify: false });
    const unregistered = await send(tenant.apiKey, message({ from_email: 'a@other.dev' }));
    expect(unregistered).toMatchObject({ status: 403, body: { error: 'domain_not_registered' } });
    expect((await send(tenant.apiKey, message({ from_email: 'a@pending.dev' }))).body.error).toBe('domain_not_verified');
    system.simulator.setIdentityStatus('555555555555', 'pending.dev', { ownership: 'Success' });
    await call(system.relayUrl, 'POST', '/api/byoc/domains/pending.dev/verify', { apiKey: tenant.apiKey });
    const dkim = await send(tenant.apiKey, message({ from_email: 'a@pending.dev' }));
    expect(dkim).toMatchObject({ status: 403, body: { error: 'dkim_not_verified' } });
    expect(dkim.body.detail).toMatch(/CNAME/);
  });

  test('rate limit per key per minute → 429 rate_limited with Retry-After and rate headers', async () => {
    const tenant = await createTenant(system, 'byoc', { sends_per_minute: 2 });
    await onboard(system, tenant.apiKey, { accountId: '666666666666', domain: 'ratelimit.dev' });
    const body = message({ from_email: 'a@ratelimit.dev' });
    await system.clock.advanceToNextMinute();
    const [first, second] = [await send(tenant.apiKey, body), await send(tenant.apiKey, body)];
    const third = await send(tenant.apiKey, body);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(third.body.error).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(third.headers.get('x-ratelimit-limit')).toBe('2');
    expect(system.simulator.mailbox().filter((m) => m.account_id === '666666666666')).toHaveLength(2);
  });

  test('far below the limit the window is counted alongside SES, yet a key stops exactly at its limit', async () => {
    const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10 });
    await onboard(system, tenant.apiKey, { accountId: '161616161616', domain: 'exact.dev' });
    const body = message({ from_email: 'a@exact.dev' });
    const statuses: number[] = [];
    const remaining: string[] = [];
    await system.clock.advanceToNextMinute();
    for (let i = 0; i < 12; i++) {
      const response = await send(tenant.apiKey, body);
      statuses.push(response.status);
      remaining.push(response.headers.get('x-ratelimit-remaining') ?? '');
    }
    // Twelve sequential sends inside one minute: ten accepted, then rate_limited.
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(remaining.slice(0, 10)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
  });

  test('Starter counts its minute window with the month: rate_limited after the per-minute limit', async () => {
    const tenant = await createTenant(system, 'starter', { sends_per_minute: 2 });
    await onboard(system, tenant.apiKey, { accountId: '171717171717', domain: 'starterrate.dev' });
    const body = message({ from_email: 'a@starterrate.dev' });
    await system.clock.advanceToNextMinute();
    const responses = [await send(tenant.apiKey, body), await send(tenant.apiKey, body), await send(tenant.apiKey, body)];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(responses[2]!.body.error).toBe('rate_limited');
    expect(responses[1]!.headers.get('x-ratelimit-remaining')).toBe('0');
    const month = new Date(system.clock.now()).toISOString().slice(0, 7);
    const usage = (await scanAll(system.tables.relay)).find((i) => i.PK === `TENANT#${tenant.tenantId}` && i.SK === `USAGE#${month}`);
    expect(usage?.used).toBe(2);
  });

  test('a role deleted and recreated with the right policies: the cached session is refused, a fresh one sends, once', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '181818181818', domain: 'recreated.dev' });
    const headers = { 'idempotency-key': `recreate-${Date.now()}` };
    expect((await send(tenant.apiKey, message({ from_email: 'a@recreated.dev' }))).status).toBe(200); // session cached
    const config = (await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey })).body;
    system.simulator.deleteRole('181818181818', BYOC_ROLE_NAME);
    system.simulator.putRole('181818181818', BYOC_ROLE_NAME, { trust_policy: config.trust_policy as never, permissions_policy: config.permissions_policy as never });
    await afterIamPropagation(system);
    system.simulator.resetCalls();
    const response = await send(tenant.apiKey, message({ from_email: 'a@recreated.dev' }), headers);
    expect(response.status).toBe(200);
    expect(system.simulator.calls()['sts:AssumeRole']).toBe(1);
    expect(system.simulator.mailbox().filter((m) => m.account_id === '181818181818')).toHaveLength(2);
  });

  test('a role whose policy no longer allows sending → 422 missing_permission with the fix, not kept for the key', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '191919191919', domain: 'noperm.dev' });
    const config = (await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey })).body;
    const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ses:GetSendQuota'], Resource: '*' }] };
    system.simulator.putRole('191919191919', BYOC_ROLE_NAME, { trust_policy: config.trust_policy as never, permissions_policy: readOnly as never });
    await afterIamPropagation(system);
    const headers = { 'idempotency-key': `noperm-${Date.now()}` };
    const refused = await send(tenant.apiKey, message({ from_email: 'a@noperm.dev' }), headers);
    expect(refused).toMatchObject({ status: 422, body: { error: 'missing_permission', detail: expect.stringMatching(/ses:SendEmail.*permissions_policy/) } });
    // Fixed: the same key now sends (the refusal was not stored as the key's result).
    system.simulator.putRole('191919191919', BYOC_ROLE_NAME, { trust_policy: config.trust_policy as never, permissions_policy: config.permissions_policy as never });
    await afterIamPropagation(system);
    expect((await send(tenant.apiKey, message({ from_email: 'a@noperm.dev' }), headers)).status).toBe(200);
  });

  test('a validation that just passed is honoured at once, despite the cached "not validated"', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '202020202020', domain: 'fresh.dev' });
    system.simulator.createAccount({ account_id: '202020202020', sending_enabled: false });
    expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).status).toBe(422);
    expect((await send(tenant.apiKey, message({ from_email: 'a@fresh.dev' }))).body.error).toBe('byoc_not_validated'); // cached now
    system.simulator.createAccount({ account_id: '202020202020', sending_enabled: true });
    expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).status).toBe(200);
    expect((await send(tenant.apiKey, message({ from_email: 'a@fresh.dev' }))).status).toBe(200);
  });

  test('role gone in the customer account → 403 could_not_assume_role with what to check', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '777777777777', domain: 'norole.dev' });
    system.simulator.deleteRole('777777777777', BYOC_ROLE_NAME);
    await afterIamPropagation(system);
    // The send function has not assumed this role yet, so its first send meets STS.
    const response = await send(tenant.apiKey, message({ from_email: 'a@norole.dev' }));
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('could_not_assume_role');
    expect(response.body.detail).toMatch(/sts:ExternalId/);
    expect(response.body.detail).toMatch(/arn:aws:iam::111111111111:root/);
  });
});

describe('SES outcomes', () => {
  test('SES refuses (sandbox, unverified recipient) → 422 ses_rejected, SES reason without addresses', async () => {
    const tenant = await createTenant(system, 'byoc');
    await onboard(system, tenant.apiKey, { accountId: '888888888888', domain: 'sandbox.dev' });
    // Validated while in production, then back in the sandbox (as after an AWS review).
    system.simulator.createAccount({ account_id: '888888888888', regions: { 'eu-west-1': { max_24_hour_send: 200 } } });
    const response = await send(tenant.apiKey, message({ from_email: 'a@sandbox.dev', to: 'secret.recipient@example.com' }));
    expect(response.status).toBe(422);
    expect(response.body.error).toBe('ses_rejected');
    expect(response.body.detail).toMatch(/not verified/);
    expect(JSON.stringify(response.body)).not.toContain('secret.recipient');
  });

  test('throttling that persists for the whole time budget → 429 ses_throttled with Retry-After, nothing sent', async () => {
    system.simulator.resetCalls();
    system.simulator.addFault({ action: 'SendEmail', error: 'Throttling', count: 1000 });
    const response = await send(byoc.apiKey, message());
    system.simulator.clearFaults();
    expect(response.status).toBe(429);
    expect(response.body.error).toBe('ses_throttled');
    expect(response.headers.get('retry-after')).toBe('1');
    // Retried with backoff for as long as another attempt could finish inside the budget.
    expect(system.simulator.calls()['ses:SendEmail']).toBeGreaterThan(3);
    expect(system.simulator.mailbox()).toHaveLength(0);
  });

  test('throttling that clears within the budget → 200, one message', async () => {
    system.simulator.addFault({ action: 'SendEmail', error: 'Throttling', count: 4 });
    expect((await send(byoc.apiKey, message())).status).toBe(200);
    expect(system.simulator.mailbox()).toHaveLength(1);
  });

  test('SES 5xx that persists → 502 ses_unavailable after 3 attempts, nothing sent', async () => {
    system.simulator.resetCalls();
    system.simulator.addFault({ action: 'SendEmail', error: 'InternalFailure', count: 3 });
    const failure = await send(byoc.apiKey, message());
    expect(failure).toMatchObject({ status: 502, body: { error: 'ses_unavailable', detail: expect.stringMatching(/Nothing was done/) } });
    expect(system.simulator.calls()['ses:SendEmail']).toBe(3);
    expect(system.simulator.mailbox()).toHaveLength(0);
  });

  test('a SendEmail that times out is never retried → 502 ses_outcome_unknown saying it may have been sent', async () => {
    system.simulator.resetCalls();
    system.simulator.addFault({ action: 'SendEmail', error: 'timeout', count: 3 });
    const timeout = await send(byoc.apiKey, message());
    system.simulator.clearFaults();
    expect(timeout).toMatchObject({ status: 502, body: { error: 'ses_outcome_unknown', detail: expect.stringMatching(/may or may not have been sent/) } });
    expect(system.simulator.calls()['ses:SendEmail']).toBe(1);
  });
});

describe('unknown outcomes (SES answers after the relay gave up)', () => {
  test('Starter + Idempotency-Key: one copy at most, counted, and the retry gets the same answer and sends nothing', async () => {
    const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
    await onboard(system, tenant.apiKey, { accountId: '131313131313', domain: 'slow.dev' });
    const headers = { 'idempotency-key': `order-42-${Date.now()}` };
    // Warm: the session is cached, so only SendEmail meets the latency (as in the reported incident).
    expect((await send(tenant.apiKey, message({ from_email: 'a@slow.dev' }))).status).toBe(200);
    system.simulator.setLatency(5_600); // longer than the relay's 5 s per-attempt timeout; SES still sends
    const first = await send(tenant.apiKey, message({ from_email: 'a@slow.dev' }), headers);
    system.simulator.setLatency(0);
    await system.clock.settled(); // the simulator finishes the late send (SES sends after the relay gave up)
    expect(first).toMatchObject({ status: 502, body: { error: 'ses_outcome_unknown' } });
    expect(system.simulator.mailbox().filter((m) => m.account_id === '131313131313')).toHaveLength(2);
    const retry = await send(tenant.apiKey, message({ from_email: 'a@slow.dev' }), headers);
    expect(retry).toMatchObject({ status: 502, body: { error: 'ses_outcome_unknown' } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(system.simulator.mailbox().filter((m) => m.account_id === '131313131313')).toHaveLength(2);
    const month = new Date(system.clock.now()).toISOString().slice(0, 7);
    const usage = (await scanAll(system.tables.relay)).find((i) => i.PK === relayKeys.usage(tenant.tenantId, month).PK && i.SK === `USAGE#${month}`);
    expect(usage?.used).toBe(2);
  });
});

describe('Starter monthly count', () => {
  test('200 concurrent sends → exactly 50 accepted, counter 50, mailbox 50', async () => {
    const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
    await onboard(system, tenant.apiKey, { accountId: '999999999999', domain: 'starter.dev' });
    const results = await Promise.all(Array.from({ length: 200 }, () => send(tenant.apiKey, message({ from_email: 'a@starter.dev' }))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.error === 'usage_limit_exceeded')).toBe(true);
    expect(system.simulator.mailbox().filter((m) => m.account_id === '999999999999')).toHaveLength(50);
    const month = new Date(system.clock.now()).toISOString().slice(0, 7);
    const usage = (await scanAll(system.tables.relay)).find((i) => i.PK === relayKeys.usage(tenant.tenantId, month).PK && i.SK === `USAGE#${month}`);
    expect(usage?.used).toBe(50);
  });

  test('sends SES provably did not accept are not counted; an unknown outcome is (counter = mailbox + unknown)', async () => {
    const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
    await onboard(system, tenant.apiKey, { accountId: '121212121212', domain: 'faulty.dev' });
    system.simulator.addFault({ action: 'SendEmail', error: 'InternalFailure', count: 3 });
    system.simulator.addFault({ action: 'SendEmail', error: 'timeout', count: 1 });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await send(tenant.apiKey, message({ from_email: 'a@faulty.dev' })));
    const accepted = results.filter((r) => r.status === 200).length;
    expect(results.map((r) => r.body.error ?? r.status).sort()).toEqual([200, 200, 200, 200, 'ses_outcome_unknown', 'ses_unavailable']);
    const month = new Date(system.clock.now()).toISOString().slice(0, 7);
    const usage = (await scanAll(system.tables.relay)).find((i) => i.PK === `TENANT#${tenant.tenantId}` && i.SK === `USAGE#${month}`);
    // The 5xx is given back; the attempt whose outcome is unknown stays counted (it may have been sent).
    expect(usage?.used).toBe(accepted + 1);
    expect(system.simulator.mailbox().filter((m) => m.account_id === '121212121212')).toHaveLength(accepted);
  });

  test('BYOC sends store no count at all', async () => {
    await send(byoc.apiKey, message());
    expect((await scanAll(system.tables.relay)).some((i) => i.PK === `TENANT#${byoc.tenantId}` && String(i.SK).startsWith('USAGE#'))).toBe(false);
  });
});

describe('Idempotency-Key', () => {
  test('a retry with the same key sends once and returns the first result', async () => {
    const headers = { 'idempotency-key': `order-${Date.now()}` };
    const first = await send(byoc.apiKey, message(), headers);
    const second = await send(byoc.apiKey, message(), headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.message_id).toBe(first.body.message_id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(system.simulator.mailbox()).toHaveLength(1);
  });

  test('the same key with another request → 422 idempotency_key_reused; concurrent duplicates → one send, 409 for the rest', async () => {
    const key = `k-${Date.now()}`;
    expect((await send(byoc.apiKey, message(), { 'idempotency-key': key })).status).toBe(200);
    const reused = await send(byoc.apiKey, message({ subject: 'Different' }), { 'idempotency-key': key });
    expect(reused).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });

    system.simulator.clearMailbox();
    system.simulator.setLatency(200);
    try {
      const racing = await Promise.all(Array.from({ length: 5 }, () => send(byoc.apiKey, message(), { 'idempotency-key': `${key}-race` })));
      expect(racing.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
      expect(racing.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.error === 'idempotency_in_progress')).toBe(true);
      expect(system.simulator.mailbox()).toHaveLength(1);
    } finally {
      system.simulator.setLatency(0);
    }
  });

  test('only hashes and the message id are stored', async () => {
    const key = `secret-idem-${Date.now()}`;
    const response = await send(byoc.apiKey, message(), { 'idempotency-key': key });
    const records = (await scanAll(system.tables.relay)).filter((i) => String(i.PK).startsWith('IDEMPOTENCY#'));
    expect(JSON.stringify(records)).not.toContain(key);
    const record = records.find((r) => (r.outcome as { messages?: Array<{ message_id?: string }> } | undefined)?.messages?.[0]?.message_id === response.body.message_id);
    expect(Object.keys(record ?? {}).sort()).toEqual(['PK', 'SK', 'expires_at', 'outcome', 'request_hash', 'state']);
  });
});
