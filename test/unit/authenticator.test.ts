import { sha512Hex } from '../../lambdas/shared/crypto';
import { ApiError } from '../../lambdas/shared/errors';
import { Authenticator } from '../../lambdas/relay/auth/authenticator';
import { onboardingRoutes } from '../../lambdas/relay/api-routes';
import { systemClock } from '../../lambdas/shared/clock';
import { VirtualClock } from '../../local/virtual-clock';
import type { ApiKeyRecord } from '../../lambdas/relay/store/projection-store';

const apiKey = `sf_${'a'.repeat(43)}`;
const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  tenant_id: 'ten_1', key_id: 'key_1', key_hash: sha512Hex(apiKey), status: 'active', expires_at: null, version: 3,
  tenant: { tenant_id: 'ten_1', plan: 'byoc', status: 'active', sends_per_minute: 60, monthly_sends: null, version: 3 },
  ...overrides,
});

function storeWith(item: ApiKeyRecord | undefined) {
  const lookups: string[] = [];
  return { lookups, store: { getApiKey: async (hash: string) => { lookups.push(hash); return item; } } };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: unknown) => (e instanceof ApiError ? e.code : String(e)));

test('one read of the key item authenticates (tenant profile included); a cached key needs none', async () => {
  const clock = new VirtualClock({ start: 0 });
  const { lookups, store } = storeWith(record());
  const auth = new Authenticator(store, clock, { ttlMs: 5_000 });
  expect((await auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage)).profile.plan).toBe('byoc');
  await auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage);
  expect(lookups).toEqual([sha512Hex(apiKey)]);
  await clock.advance(5_001);
  await auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage);
  expect(lookups).toHaveLength(2);
});

test('malformed keys are refused without a lookup; unknown, revoked → 401; suspended tenant → 403', async () => {
  const none = storeWith(undefined);
  expect(await codeOf(new Authenticator(none.store, systemClock).authenticate({ 'x-api-key': 'not-a-key' }, onboardingRoutes.usage))).toBe('invalid_api_key');
  expect(await codeOf(new Authenticator(none.store, systemClock).authenticate({}, onboardingRoutes.usage))).toBe('invalid_api_key');
  expect(none.lookups).toHaveLength(0);
  expect(await codeOf(new Authenticator(none.store, systemClock).authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
  expect(await codeOf(new Authenticator(storeWith(record({ status: 'revoked' })).store, systemClock).authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
  const suspended = record({ tenant: { ...record().tenant, status: 'suspended' } });
  expect(await codeOf(new Authenticator(storeWith(suspended).store, systemClock).authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('tenant_suspended');
});

test('a record whose hash does not match the key is refused (constant-time comparison)', async () => {
  const { store } = storeWith(record({ key_hash: sha512Hex('something else') }));
  expect(await codeOf(new Authenticator(store, systemClock).authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
});

test('a revoked key stops working within the cache bound (5 s), and warm requests never wait for the reload', async () => {
  const clock = new VirtualClock({ start: 0, autoAdvance: false });
  let current = record();
  const lookups: number[] = [];
  let release: (() => void) | undefined;
  const store = {
    getApiKey: async () => {
      lookups.push(clock.now());
      if (lookups.length === 2) await new Promise<void>((resolve) => { release = resolve; }); // the reload is slow
      return current;
    },
  };
  const auth = new Authenticator(store, clock, { ttlMs: 5_000 });
  await auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage);
  await clock.advance(1_000);
  current = record({ status: 'revoked' }); // the revocation is applied at 1 s

  await clock.advance(1_600); // 2.6 s: served from the cache at once; one reload starts behind it
  const warm = [auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage), auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage)];
  expect(await Promise.all(warm.map((p) => codeOf(p)))).toEqual(['ok', 'ok']);
  expect(lookups).toEqual([0, 2_600]);
  release!();
  await new Promise((resolve) => setImmediate(resolve));
  expect(await codeOf(auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key'); // at 2.6 s

  // An idle function: no request between half the bound and the bound — the first one after it waits and sees the revocation.
  const idle = new Authenticator({ getApiKey: async () => current }, clock, { ttlMs: 5_000 });
  current = record();
  await idle.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage);
  current = record({ status: 'revoked' });
  await clock.advance(5_000);
  expect(await codeOf(idle.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
});

test('concurrent requests with one uncached key share one read; an unknown key is not cached', async () => {
  const { lookups, store } = storeWith(record());
  const auth = new Authenticator(store, new VirtualClock({ start: 0, autoAdvance: false }));
  await Promise.all(Array.from({ length: 20 }, () => auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage)));
  expect(lookups).toHaveLength(1);
  const none = storeWith(undefined);
  const unknown = new Authenticator(none.store, new VirtualClock({ start: 0, autoAdvance: false }));
  expect(await codeOf(unknown.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
  expect(await codeOf(unknown.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage))).toBe('invalid_api_key');
  expect(none.lookups).toHaveLength(2);
});
