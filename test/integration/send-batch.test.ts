/**
 * POST /api/send/batch end to end: per-message results, the Starter month exact per message, the
 * per-key minute window counting the batch once, the time-budget refusal at the account's
 * MaxSendRate, and an Idempotency-Key covering the whole batch.
 */
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(90_000);

let system: TestSystem;

const message = (i: number, overrides: Record<string, unknown> = {}) => ({
  to: `r${i}@example.com`, from_email: 'hello@batch.dev', subject: `Message ${i}`, message: 'Body', ...overrides,
});
const batch = (apiKey: string, body: unknown, headers: Record<string, string> = {}) => call(system.relayUrl, 'POST', '/api/send/batch', { apiKey, body, headers });
const mailboxOf = (accountId: string) => system.simulator.mailbox().filter((m) => m.account_id === accountId);

beforeAll(async () => {
  system = await startTestSystem('sendbatch');
});
afterAll(() => system?.stop());

test('each message is validated and sent on its own: per-message results in order', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '404040404040', domain: 'batch.dev' });
  const response = await batch(tenant.apiKey, { messages: [
    message(0, { cc: 'cc@example.com', tags: [{ name: 'a', value: 'b' }] }),
    message(1, { to: 'not-an-address' }),
    message(2, { headers: { 'List-Unsubscribe': '<https://batch.dev/u>' } }),
    message(3, { from_email: 'hello@elsewhere.dev' }),
    message(4, { attachments: [{ filename: 'a.txt', content: 'eA==' }] }),
  ] });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ success: true, results: [
    { index: 0, success: true, message_id: expect.any(String) },
    { index: 1, success: false, error: 'invalid_request', detail: expect.stringMatching(/to/) },
    { index: 2, success: true, message_id: expect.any(String) },
    { index: 3, success: false, error: 'domain_not_registered', detail: expect.any(String) },
    { index: 4, success: false, error: 'invalid_request', detail: expect.stringMatching(/attachments are not accepted in a batch/) },
  ] });
  const sent = mailboxOf('404040404040');
  expect(sent.map((m) => m.subject).sort()).toEqual(['Message 0', 'Message 2']);
  expect(sent.find((m) => m.subject === 'Message 2')?.action).toBe('SendRawEmail');
  expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
});

test.each([
  ['no messages field', {}],
  ['messages not an array', { messages: 'x' }],
  ['an empty batch', { messages: [] }],
  ['101 messages', { messages: Array.from({ length: 101 }, (_, i) => message(i)) }],
  ['an unknown field', { messages: [message(0)], extra: true }],
])('a malformed batch is a 400 as a whole: %s', async (_name, body) => {
  const tenant = await createTenant(system, 'byoc');
  const response = await batch(tenant.apiKey, body);
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ success: false, error: 'invalid_request' });
});

test('Starter with 45 sends left gets exactly 45 successes, the rest usage_limit_exceeded', async () => {
  const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '414141414141', domain: 'batch.dev' });
  for (let i = 0; i < 5; i++) {
    expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(100 + i) })).status).toBe(200);
  }
  const response = await batch(tenant.apiKey, { messages: Array.from({ length: 50 }, (_, i) => message(i)) });
  expect(response.status).toBe(200);
  const results = response.body.results as Array<{ success: boolean; error?: string }>;
  expect(results.filter((r) => r.success)).toHaveLength(45);
  expect(results.filter((r) => !r.success).map((r) => r.error)).toEqual(Array(5).fill('usage_limit_exceeded'));
  expect(mailboxOf('414141414141')).toHaveLength(50);
});

test.each([
  ['byoc', '424242424242', 10],
  ['starter', '454545454545', 3],
] as const)('%s: the per-key minute limit counts a batch as one request', async (plan, accountId, size) => {
  const tenant = await createTenant(system, plan, { sends_per_minute: 2 });
  await onboard(system, tenant.apiKey, { accountId, domain: 'batch.dev' });
  await system.clock.advanceToNextMinute();
  const batchOfSize = { messages: Array.from({ length: size }, (_, i) => message(i)) };
  const first = await batch(tenant.apiKey, batchOfSize);
  const second = await batch(tenant.apiKey, batchOfSize);
  const third = await batch(tenant.apiKey, batchOfSize);
  expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
  expect((first.body.results as Array<{ success: boolean }>).every((r) => r.success)).toBe(true);
  expect(third.body).toMatchObject({ error: 'rate_limited' });
  expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(mailboxOf(accountId)).toHaveLength(2 * size);
});

test('a batch that cannot be sent at MaxSendRate within the time budget is refused up front with the largest size that fits', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '434343434343', domain: 'batch.dev' });
  system.simulator.createAccount({ account_id: '434343434343', regions: { 'eu-west-1': { max_send_rate: 1 } } });
  expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).body).toMatchObject({ success: true });
  // 1 recipient per second, 15 s of pacing (20 s budget less one 5 s attempt): 16 recipients fit.
  const response = await batch(tenant.apiKey, { messages: Array.from({ length: 20 }, (_, i) => message(i)) });
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ error: 'invalid_request', max_messages: 16, detail: expect.stringMatching(/at most 16 messages/) });
  expect(mailboxOf('434343434343')).toHaveLength(0);
});

test('an Idempotency-Key covers the whole batch: the same batch replays its results, another batch is refused', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '444444444444', domain: 'batch.dev' });
  const body = { messages: [message(0), message(1, { to: 'bad' }), message(2)] };
  const key = { 'idempotency-key': `batch-${Date.now()}` };
  const first = await batch(tenant.apiKey, body, key);
  const again = await batch(tenant.apiKey, body, key);
  expect(first.status).toBe(200);
  expect(again.status).toBe(200);
  expect(again.body).toEqual(first.body);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(mailboxOf('444444444444')).toHaveLength(2);
  const other = await batch(tenant.apiKey, { messages: [message(0)] }, key);
  expect([other.status, other.body.error]).toEqual([422, 'idempotency_key_reused']);
  expect(mailboxOf('444444444444')).toHaveLength(2);
});

test('a batch keeps to its time budget: SES throttling throughout ends each message in ses_throttled, nothing sent', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '464646464646', domain: 'batch.dev' });
  system.simulator.addFault({ action: 'SendEmail', error: 'Throttling', count: 1000 });
  const started = system.clock.now();
  try {
    const response = await batch(tenant.apiKey, { messages: [message(0), message(1)] });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { index: 0, success: false, error: 'ses_throttled', detail: expect.any(String) },
      { index: 1, success: false, error: 'ses_throttled', detail: expect.any(String) },
    ]);
  } finally {
    system.simulator.clearFaults();
  }
  expect(system.clock.now() - started).toBeLessThanOrEqual(20_000);
  expect(mailboxOf('464646464646')).toHaveLength(0);
});

describe('authentication comes before a batch is validated', () => {
  /** 100 messages × 160 long addresses, one of them invalid: ~4 MB that would take seconds to validate. */
  const hugeInvalidBatch = Array.from({ length: 100 }, (_, i) => message(i, {
    to: Array.from({ length: 160 }, (_, j) => `${'r'.repeat(200)}${i}x${j}@example.com`),
    ...(i === 99 ? { from_email: 'not-an-address' } : {}),
  }));

  test.each([
    ['a bogus key', 'sf_bogus'],
    ['a well-formed unknown key', `sf_${'A'.repeat(43)}`],
  ])('/api/send/batch with %s: 401, not 400', async (_name, apiKey) => {
    const response = await batch(apiKey, { messages: hugeInvalidBatch });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_api_key' });
  });

  test('/emails/batch without a valid key: Resend\'s 403 invalid_api_key, never 422', async () => {
    const emails = hugeInvalidBatch.map((m) => ({ from: m.from_email, to: m.to, subject: m.subject, text: m.message }));
    for (const authorization of ['Bearer sf_bogus', undefined]) {
      const response = await call(system.relayUrl, 'POST', '/emails/batch', { body: emails, headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ name: 'invalid_api_key' });
    }
  });
});
