/**
 * Self-service API keys end to end on the local system: the relay's keys API asks the platform's
 * customer-keys function (in-process, as local mode wires it), which stays the system of record
 * (the admin API sees every key), and applies the answered snapshot to the relay's projection itself,
 * so a new key works before the platform's event arrives and a revoked one stops at once in the keys
 * function (elsewhere within the authentication cache's bound, advanced on the virtual clock).
 */
import { AUTH_CACHE_TTL_MS } from '../../lambdas/relay/auth/authenticator';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

let system: TestSystem;

beforeAll(async () => {
  // The production authentication cache, so that the revocation bound is the one AWS has.
  system = await startTestSystem('keys', { authCacheTtlMs: AUTH_CACHE_TTL_MS });
});
afterAll(() => system?.stop());
afterEach(() => system.tenantEvents.release());

const keysOf = (apiKey: string) => call(system.relayUrl, 'GET', '/api/keys', { apiKey });
const createKey = (apiKey: string, body: unknown) => call(system.relayUrl, 'POST', '/api/keys', { apiKey, body });
const revokeKey = (apiKey: string, id: string) => call(system.relayUrl, 'DELETE', `/api/keys/${id}`, { apiKey });
type Listed = { id: string; name: string | null; prefix: string; scope: string; domains: string[] | null; status: string; created_at: string; expires_at: string | null; current: boolean };
const listed = async (apiKey: string) => {
  const response = await keysOf(apiKey);
  expect(response.status).toBe(200);
  return response.body.keys as Listed[];
};

test('lifecycle: create a full and a sending key (secret once), both work at once, the list marks the current key, revoke stops a key', async () => {
  const admin = await createTenant(system, 'byoc');
  await onboard(system, admin.apiKey, { accountId: '720000000001', domain: 'keys-lifecycle.dev', verify: false });

  // The platform's event is held back: what makes the new key work is the relay applying the answer itself.
  system.tenantEvents.hold();
  await system.clock.advance(1000);
  const full = await createKey(admin.apiKey, { name: 'Deploy bot' });
  expect(full.status).toBe(201);
  expect(full.body).toMatchObject({ success: true, name: 'Deploy bot', scope: 'full_access', domains: null, expires_at: null, key: expect.stringMatching(/^sf_/) });
  const fullKey = full.body.key as string;
  expect(full.body.prefix).toBe(fullKey.slice(0, 11));
  expect((await listed(fullKey)).find((k) => k.current)?.id).toBe(full.body.id);

  await system.clock.advance(1000);
  const expiresAt = new Date(system.clock.now() + 30 * 24 * 3600 * 1000).toISOString();
  const sending = await createKey(fullKey, { name: 'Checkout', scope: 'sending_access', domains: ['keys-lifecycle.dev'], expires_at: expiresAt });
  expect(sending.status).toBe(201);
  expect(sending.body).toMatchObject({ scope: 'sending_access', domains: ['keys-lifecycle.dev'], expires_at: expiresAt });
  const sendingKey = sending.body.key as string;
  // The sending key authenticates (it exists in the projection) but may not manage keys.
  const bySending = await keysOf(sendingKey);
  expect(bySending.status).toBe(403);
  expect(bySending.body.error).toBe('insufficient_scope');
  await system.tenantEvents.release();

  // Newest first; `current` is the asking key; no secret or hash anywhere.
  const keys = await listed(admin.apiKey);
  expect(keys.map((k) => [k.id, k.current, k.status, k.scope])).toEqual([
    [sending.body.id, false, 'active', 'sending_access'],
    [full.body.id, false, 'active', 'full_access'],
    [admin.keyId, true, 'active', 'full_access'],
  ]);
  const text = JSON.stringify(keys);
  expect(text).not.toContain(fullKey);
  expect(text).not.toContain(sendingKey);
  expect(text).not.toMatch(/[0-9a-f]{128}/);
  // The platform is the system of record: the operator sees the customer's keys with their names.
  const operator = await call(system.platformUrl, 'GET', `/admin/tenants/${admin.tenantId}/keys`);
  expect((operator.body.api_keys as Array<{ key_id: string; name: string }>).map((k) => [k.key_id, k.name]))
    .toEqual(expect.arrayContaining([[full.body.id, 'Deploy bot'], [sending.body.id, 'Checkout']]));

  // Revoke the full key while another function (webhooks) has it cached; events held again.
  expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey: fullKey })).status).toBe(200);
  system.tenantEvents.hold();
  const revoked = await revokeKey(admin.apiKey, full.body.id as string);
  expect(revoked.status).toBe(200);
  expect(revoked.body).toEqual({ success: true, id: full.body.id, status: 'revoked' });
  // The keys function forgot it at once; the relay's projection has it revoked before the event arrives.
  const refused = await keysOf(fullKey);
  expect(refused.status).toBe(401);
  expect(refused.body.error).toBe('invalid_api_key');
  await system.clock.advance(AUTH_CACHE_TTL_MS);
  expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey: fullKey })).status).toBe(401);
  await system.tenantEvents.release();
  expect((await listed(admin.apiKey)).find((k) => k.id === full.body.id)?.status).toBe('revoked');
  // A second revoke changes nothing and answers the same.
  expect((await revokeKey(admin.apiKey, full.body.id as string)).body).toEqual({ success: true, id: full.body.id, status: 'revoked' });
});

test('a key expired meanwhile is listed as expired', async () => {
  const admin = await createTenant(system, 'byoc');
  const soon = new Date(system.clock.now() + 60_000).toISOString();
  const created = await createKey(admin.apiKey, { name: 'Short-lived', expires_at: soon });
  expect(created.status).toBe(201);
  await system.clock.advance(61_000);
  expect((await listed(admin.apiKey)).find((k) => k.id === created.body.id)?.status).toBe('expired');
  expect((await keysOf(created.body.key as string)).status).toBe(401);
});

test('revoking: the key making the request 409 key_in_use; an unknown id, or another tenant\'s, 404 key_not_found; a malformed id 400', async () => {
  const mine = await createTenant(system, 'byoc');
  const theirs = await createTenant(system, 'byoc');
  const own = await revokeKey(mine.apiKey, mine.keyId);
  expect(own.status).toBe(409);
  expect(own.body).toMatchObject({ error: 'key_in_use', detail: expect.stringContaining('Sign in with another full-access key') });
  for (const id of [theirs.keyId, 'key_00000000000000ff']) {
    const response = await revokeKey(mine.apiKey, id);
    expect({ id, status: response.status, error: response.body.error }).toEqual({ id, status: 404, error: 'key_not_found' });
  }
  expect((await keysOf(theirs.apiKey)).status).toBe(200);
  expect((await revokeKey(mine.apiKey, 'not-a-key')).status).toBe(400);
  expect((await keysOf(mine.apiKey)).status).toBe(200);
});

test('bad bodies are refused with what to fix, and create nothing', async () => {
  const admin = await createTenant(system, 'byoc');
  await onboard(system, admin.apiKey, { accountId: '720000000002', domain: 'keys-bodies.dev', verify: false });
  const now = system.clock.now();
  const cases: Array<[unknown, number, string, string]> = [
    [{}, 400, 'invalid_request', 'name'],
    [{ name: 'x', extra: true }, 400, 'invalid_request', 'unknown field'],
    [{ name: 'x'.repeat(51) }, 400, 'invalid_request', '1 to 50'],
    [{ name: 'two\nlines' }, 400, 'invalid_request', 'single line'],
    [{ name: ' padded' }, 400, 'invalid_request', 'spaces'],
    [{ name: 'x', scope: 'admin' }, 400, 'invalid_request', 'scope'],
    [{ name: 'x', expires_at: 'tomorrow' }, 400, 'invalid_request', 'ISO-8601'],
    [{ name: 'x', expires_at: new Date(now - 1000).toISOString() }, 400, 'invalid_request', 'in the past'],
    [{ name: 'x', expires_at: new Date(now + 366 * 24 * 3600 * 1000).toISOString() }, 400, 'invalid_request', '365 days'],
    [{ name: 'x', domains: ['keys-bodies.dev'] }, 400, 'invalid_request', 'only for a sending key'],
    [{ name: 'x', scope: 'sending_access', domains: ['Keys-Bodies.dev'] }, 400, 'invalid_request', 'lower case'],
    [{ name: 'x', scope: 'sending_access', domains: [] }, 400, 'invalid_request', 'domains'],
    [{ name: 'x', scope: 'sending_access', domains: ['elsewhere.dev'] }, 422, 'domain_not_added', 'keys-bodies.dev'],
  ];
  for (const [body, status, error, hint] of cases) {
    const response = await createKey(admin.apiKey, body);
    expect({ body, status: response.status, error: response.body.error, hinted: String(response.body.detail).includes(hint) }).toEqual({ body, status, error, hinted: true });
  }
  expect(await listed(admin.apiKey)).toHaveLength(1);
});
