/**
 * The scope checks on their own (lambdas/relay/auth/scopes.ts) and through the authenticator: which
 * key a route admits, the refusal's words, and the from-domain rule of a sending key.
 */
import { sha512Hex } from '../../lambdas/shared/crypto';
import { ApiError } from '../../lambdas/shared/errors';
import { systemClock } from '../../lambdas/shared/clock';
import { requiredScope, type RouteSpec } from '../../lambdas/shared/routes';
import * as relayRoutes from '../../lambdas/relay/api-routes';
import { Authenticator } from '../../lambdas/relay/auth/authenticator';
import { admits, fromDomainRefusal, requireScope } from '../../lambdas/relay/auth/scopes';
import type { ApiKeyRecord } from '../../lambdas/relay/store/projection-store';

const routes: RouteSpec[] = Object.values(relayRoutes).flatMap((table) => (table instanceof Set ? [] : Object.values(table as Record<string, RouteSpec>)));
const SEND = new Set(['POST /api/send', 'POST /api/send/batch', 'POST /emails', 'POST /emails/batch']);
const name = (route: RouteSpec) => `${route.method} ${route.resource}`;

test('only the four send routes admit a sending key; every other authenticated route needs full access; pages need no key', () => {
  expect(routes.filter((route) => requiredScope(route) === 'sending_access').map(name).sort()).toEqual([...SEND].sort());
  expect(routes.filter((route) => requiredScope(route) === 'none').map((route) => route.resource).sort()).toEqual(['/', '/api/openapi.json', '/assets/{file}', '/docs']);
  for (const route of routes) {
    expect(admits('full_access', route)).toBe(true);
    expect(`${name(route)} ${admits('sending_access', route)}`).toBe(`${name(route)} ${requiredScope(route) !== 'full_access'}`);
  }
  // A route its table says nothing about needs full access.
  expect(admits('sending_access', { })).toBe(false);
});

test('every full-access route names what it is for, in words and not as a path', () => {
  const unnamed = routes.filter((route) => requiredScope(route) === 'full_access' && !(route.purpose && !route.purpose.includes('/'))).map(name);
  expect(unnamed).toEqual([]);
});

test('a refused key is told what it can do and what key to use, naming the thing', () => {
  const sending = { scope: 'sending_access' as const, domains: null };
  let error: unknown;
  try { requireScope(sending, relayRoutes.onboardingRoutes.addDomain); } catch (e) { error = e; }
  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ code: 'insufficient_scope', status: 403, detail: 'This API key can only send email. Use a full-access key to manage domains.' });
  expect(() => requireScope(sending, relayRoutes.sendRoutes.send)).not.toThrow();
  expect(() => requireScope({ scope: 'full_access', domains: null }, relayRoutes.onboardingRoutes.addDomain)).not.toThrow();
});

test('from domains: exact and case-insensitive; any domain without a list or with full access; the detail names domains only', () => {
  const key = { scope: 'sending_access' as const, domains: ['acme.com', 'Acme.org'] };
  expect(fromDomainRefusal(key, 'acme.com')).toBeUndefined();
  expect(fromDomainRefusal(key, 'ACME.ORG')).toBeUndefined();
  expect(fromDomainRefusal(key, 'mail.acme.com')?.code).toBe('from_domain_not_allowed');
  expect(fromDomainRefusal(key, 'acme.com.evil.net')?.code).toBe('from_domain_not_allowed');
  expect(fromDomainRefusal(key, 'Other.COM')?.detail).toBe('This API key may send only from one of acme.com, Acme.org, not from other.com (subdomains count as other domains). Send from an address on one of those domains, or use a key allowed to send from other.com.');
  expect(fromDomainRefusal({ scope: 'sending_access', domains: ['acme.com'] }, 'other.com')?.detail).toContain('only from acme.com, not from other.com');
  expect(fromDomainRefusal({ scope: 'sending_access', domains: [] }, 'acme.com')?.code).toBe('from_domain_not_allowed');
  expect(fromDomainRefusal({ scope: 'sending_access', domains: null }, 'anything.net')).toBeUndefined();
  expect(fromDomainRefusal({ scope: 'full_access', domains: ['acme.com'] }, 'other.com')).toBeUndefined();
});

describe('the authenticator checks the route\'s scope after the key', () => {
  const apiKey = `sf_${'b'.repeat(43)}`;
  const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
    tenant_id: 'ten_1', key_id: 'key_1', key_hash: sha512Hex(apiKey), status: 'active', expires_at: null, version: 3,
    tenant: { tenant_id: 'ten_1', plan: 'byoc', status: 'active', sends_per_minute: 60, monthly_sends: null, version: 3 },
    ...overrides,
  });
  const authenticator = (item: ApiKeyRecord) => new Authenticator({ getApiKey: async () => item }, systemClock);
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: unknown) => (e instanceof ApiError ? e.code : String(e)));

  test('a sending key: refused on a full-access route, admitted on a send route, with its domains on the principal', async () => {
    const auth = authenticator(record({ scope: 'sending_access', domains: ['acme.com'] }));
    expect(await codeOf(auth.authenticate({ 'x-api-key': apiKey }, relayRoutes.webhookRoutes.getWebhook))).toBe('insufficient_scope');
    expect(await auth.authenticate({ 'x-api-key': apiKey }, relayRoutes.sendRoutes.sendBatch)).toMatchObject({ scope: 'sending_access', domains: ['acme.com'] });
  });

  test('a key from before scopes (no scope on its item) is a full-access key', async () => {
    const auth = authenticator(record());
    expect(await auth.authenticate({ 'x-api-key': apiKey }, relayRoutes.onboardingRoutes.putConfig)).toMatchObject({ scope: 'full_access', domains: null });
  });

  test('a suspended tenant is told so before any scope question', async () => {
    const auth = authenticator(record({ scope: 'sending_access', tenant: { ...record().tenant, status: 'suspended' } }));
    expect(await codeOf(auth.authenticate({ 'x-api-key': apiKey }, relayRoutes.onboardingRoutes.usage))).toBe('tenant_suspended');
  });
});
