/**
 * IETF draft rate-limit fields beside X-RateLimit-*, on every send response once the key is known:
 * accepted, replayed, refused (403, 429), batches and the Resend-compatible route.
 */
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(90_000);

let system: TestSystem;
const message = (overrides: Record<string, unknown> = {}) => ({ to: 'a@example.com', from_email: 'hello@limits.dev', subject: 'S', message: 'M', ...overrides });
const send = (apiKey: string, body: unknown, headers: Record<string, string> = {}) => call(system.relayUrl, 'POST', '/api/send', { apiKey, body, headers });
const fields = (response: { headers: Headers }) => ({
  policy: response.headers.get('ratelimit-policy'),
  limit: response.headers.get('ratelimit'),
  xLimit: response.headers.get('x-ratelimit-limit'),
  xRemaining: response.headers.get('x-ratelimit-remaining'),
});

beforeAll(async () => {
  system = await startTestSystem('ratehdr');
});
afterAll(() => system?.stop());

test('BYOC: accepted, replayed, refused (403 and 429), batch and /emails all carry RateLimit-Policy and RateLimit', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 5 });
  await onboard(system, tenant.apiKey, { accountId: '464646464646', domain: 'limits.dev' });
  await system.clock.advanceToNextMinute();
  const policy = '"per-key-minute";q=5;w=60';
  const key = { 'idempotency-key': `hdr-${Date.now()}` };

  const accepted = await send(tenant.apiKey, message(), key);
  expect(accepted.status).toBe(200);
  expect(fields(accepted)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=4;t=\d+$/), xLimit: '5', xRemaining: '4' });

  const replayed = await send(tenant.apiKey, message(), key);
  expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  expect(fields(replayed)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=3;t=\d+$/), xLimit: '5', xRemaining: '3' });

  const refused = await send(tenant.apiKey, message({ from_email: 'hello@elsewhere.dev' }));
  expect(refused.status).toBe(403);
  expect(fields(refused)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=2;t=\d+$/), xLimit: '5', xRemaining: '2' });

  const batch = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body: { messages: [message()] } });
  expect(fields(batch)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=1;t=\d+$/), xLimit: '5', xRemaining: '1' });

  const resend = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${tenant.apiKey}` }, body: { from: 'hello@limits.dev', to: 'a@example.com', subject: 'S', text: 'M' } });
  expect(resend.status).toBe(200);
  expect(fields(resend)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=0;t=\d+$/), xLimit: '5', xRemaining: '0' });

  const limited = await send(tenant.apiKey, message());
  expect(limited.status).toBe(429);
  expect(fields(limited)).toEqual({ policy, limit: expect.stringMatching(/^"per-key-minute";r=0;t=\d+$/), xLimit: '5', xRemaining: '0' });
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
});

test('Starter refused before its window is counted: the policy is still stated, what is left is not guessed', async () => {
  const tenant = await createTenant(system, 'starter', { sends_per_minute: 7 });
  const response = await send(tenant.apiKey, message());
  expect(response.status).toBe(403);
  expect(fields(response)).toEqual({ policy: '"per-key-minute";q=7;w=60', limit: null, xLimit: null, xRemaining: null });
});
