/**
 * The relay's self-service keys use case against a fake KeyRegistry: what it asks the platform,
 * what it refuses before asking (the request schema and the authenticator's scope check come before it), how it maps the platform's refusals, and that every change the
 * platform answers is applied to the projection (and a revoked key dropped from this container's cache).
 */
import type { CustomerKeysResult } from '../../lambdas/shared/customer-keys';
import { RefusedError } from '../../lambdas/shared/refusal';
import type { ApiKeySnapshot, TenantSnapshot } from '../../lambdas/shared/tenant-events';
import type { Principal } from '../../lambdas/relay/auth/authenticator';
import { ApiKeys } from '../../lambdas/relay/keys/api-keys';
import { VirtualClock } from '../../local/virtual-clock';
import type { KeyRegistry } from '../../lambdas/relay/keys/key-registry';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const TENANT = 'ten_00000000000000000001';

const key = (id: string, more: Partial<ApiKeySnapshot> = {}): ApiKeySnapshot => ({
  key_id: id, key_hash: id.padEnd(128, '0').replace(/[^0-9a-f]/g, 'a'), prefix: `sf_${id.slice(-8)}`, status: 'active', expires_at: null,
  name: `name of ${id}`, scope: 'full_access', domains: null, created_at: '2026-11-01T00:00:00.000Z', ...more,
});

const tenant = (keys: ApiKeySnapshot[], status: TenantSnapshot['status'] = 'active'): TenantSnapshot => ({
  tenant_id: TENANT, version: 7, name: null, plan: 'byoc', status, limits: { sends_per_minute: 60, monthly_sends: null }, api_keys: keys, updated_at: '2026-12-01T00:00:00.000Z',
});

const principal = (keyId: string, scope: Principal['scope'] = 'full_access'): Principal => ({
  tenantId: TENANT, keyId, scope, domains: null, keyExpiresAt: null,
  profile: { tenant_id: TENANT, plan: 'byoc', status: 'active', sends_per_minute: 60, monthly_sends: null, version: 7 },
});

function setup(answers: Partial<Record<keyof KeyRegistry, CustomerKeysResult>> = {}, domains: string[] = ['acme.com']) {
  const registry = {
    list: jest.fn(async () => answers.list ?? { ok: true as const, tenant: tenant([]) }),
    create: jest.fn(async () => answers.create ?? { ok: true as const, tenant: tenant([]) }),
    revoke: jest.fn(async () => answers.revoke ?? { ok: true as const, tenant: tenant([]) }),
  };
  const apply = jest.fn(async () => ({ applied: 1, stale: 0 }));
  const forgetKey = jest.fn();
  const keys = new ApiKeys({
    registry, projection: { apply }, forgetKey, clock: new VirtualClock({ start: NOW }),
    domains: { list: async () => domains.map((domain) => ({ domain }) as never) },
  });
  return { keys, registry, apply, forgetKey };
}

async function refusalOf(work: Promise<unknown>): Promise<{ code: string; detail: string }> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RefusedError);
  return (error as RefusedError).refusal;
}

describe('list', () => {
  test('newest first, with active, expired and revoked told apart and the current key marked; never a hash', async () => {
    const { keys } = setup({
      list: { ok: true, tenant: tenant([
        key('key_0000000000000001', { created_at: '2026-10-01T00:00:00.000Z', status: 'revoked' }),
        key('key_0000000000000002', { created_at: '2026-11-20T00:00:00.000Z', expires_at: '2026-12-01T11:59:59.000Z' }),
        key('key_0000000000000003', { created_at: '2026-11-25T00:00:00.000Z', scope: 'sending_access', domains: ['acme.com'] }),
        key('key_0000000000000004', { created_at: undefined }),
      ]) },
    });
    const listed = await keys.list(principal('key_0000000000000002'));
    expect(listed.map((k) => [k.id, k.status, k.current, k.scope])).toEqual([
      ['key_0000000000000003', 'active', false, 'sending_access'],
      ['key_0000000000000002', 'expired', true, 'full_access'],
      ['key_0000000000000001', 'revoked', false, 'full_access'],
      ['key_0000000000000004', 'active', false, 'full_access'],
    ]);
    expect(JSON.stringify(listed)).not.toContain('key_hash');
    expect(listed[0]).toEqual({ id: 'key_0000000000000003', name: 'name of key_0000000000000003', prefix: 'sf_00000003', scope: 'sending_access', domains: ['acme.com'], status: 'active', created_at: '2026-11-25T00:00:00.000Z', expires_at: null, current: false });
  });
});

describe('create', () => {
  const issued = { key_id: 'key_00000000000000aa', api_key: `sf_${'a'.repeat(43)}`, prefix: 'sf_aaaaaaaa', name: 'CI', scope: 'sending_access' as const, domains: ['acme.com'], created_at: '2026-12-01T12:00:00.000Z', expires_at: null };

  test('asks the platform with the defaults filled in, applies the answered snapshot, and answers the secret', async () => {
    const snapshot = tenant([key('key_00000000000000aa')]);
    const { keys, registry, apply } = setup({ create: { ok: true, tenant: snapshot, key: issued } });
    const created = await keys.create(principal('key_0000000000000001'), { name: 'CI', scope: 'sending_access', domains: ['acme.com'] });
    expect(registry.create).toHaveBeenCalledWith(TENANT, { name: 'CI', scope: 'sending_access', domains: ['acme.com'], expires_at: null });
    expect(apply).toHaveBeenCalledWith(snapshot);
    expect(created).toEqual({ id: 'key_00000000000000aa', key: issued.api_key, name: 'CI', prefix: 'sf_aaaaaaaa', scope: 'sending_access', domains: ['acme.com'], created_at: issued.created_at, expires_at: null });

    await keys.create(principal('key_0000000000000001'), { name: 'plain' });
    expect(registry.create).toHaveBeenLastCalledWith(TENANT, { name: 'plain', scope: 'full_access', domains: null, expires_at: null });
  });

  test('domains must be ones the tenant added (the request schema refuses the rest); the platform is not asked otherwise', async () => {
    const { keys, registry } = setup({}, ['acme.com', 'shop.dev']);
    const notAdded = await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x', scope: 'sending_access', domains: ['acme.com', 'other.example'] }));
    expect(notAdded.code).toBe('domain_not_added');
    expect(notAdded.detail).toContain('other.example');
    expect(notAdded.detail).toContain('acme.com, shop.dev');
    // Spelled as listed: no rewriting of another spelling.
    expect((await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x', scope: 'sending_access', domains: ['ACME.com'] }))).code).toBe('domain_not_added');
    // A name that merely ends like an added domain is another domain.
    expect((await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x', scope: 'sending_access', domains: ['notacme.com'] }))).code).toBe('domain_not_added');
    expect(registry.create).not.toHaveBeenCalled();
  });

  test('a key may be limited to a subdomain of an added domain (the added domain sends from it too)', async () => {
    const { keys, registry } = setup({}, ['acme.com']);
    // (The default answer has no key: the request reached the platform, which is what is checked.)
    await keys.create(principal('key_0000000000000001'), { name: 'x', scope: 'sending_access', domains: ['mail.acme.com'] }).catch(() => undefined);
    expect(registry.create).toHaveBeenCalledWith(TENANT, { name: 'x', scope: 'sending_access', domains: ['mail.acme.com'], expires_at: null });
  });

  test('a stored key keeps its secret when the relay\'s own apply fails (the tenant event applies it)', async () => {
    const issuedKey = { key_id: 'key_00000000000000bb', api_key: `sf_${'b'.repeat(43)}`, prefix: 'sf_bbbbbbbb', expires_at: null, name: 'x', scope: 'full_access' as const, domains: null, created_at: new Date(NOW).toISOString() };
    const { keys, apply } = setup({ create: { ok: true, tenant: tenant([]), key: issuedKey } });
    apply.mockRejectedValueOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    const created = await keys.create(principal('key_0000000000000001'), { name: 'x' });
    expect(created.key).toBe(issuedKey.api_key);
    expect(apply).toHaveBeenCalledTimes(1);
  });

  test('an expiry must be in the future and within a year', async () => {
    const { keys, registry } = setup({ create: { ok: true, tenant: tenant([]), key: { ...issued, scope: 'full_access', domains: null } } });
    const past = await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x', expires_at: '2026-12-01T12:00:00Z' }));
    expect(past).toMatchObject({ code: 'invalid_request', detail: expect.stringContaining('in the past') });
    const far = await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x', expires_at: '2027-12-02T12:00:00Z' }));
    expect(far).toMatchObject({ code: 'invalid_request', detail: expect.stringContaining('365 days') });
    expect(registry.create).not.toHaveBeenCalled();
    await keys.create(principal('key_0000000000000001'), { name: 'x', expires_at: '2027-12-01T12:00:00Z' });
    expect(registry.create).toHaveBeenCalledTimes(1);
  });

  test('the platform\'s refusals become the relay\'s codes, and nothing is applied', async () => {
    for (const [platform, relay] of [['key_limit_reached', 'key_limit_reached'], ['tenant_deleted', 'invalid_api_key'], ['tenant_not_found', 'invalid_api_key']] as const) {
      const { keys, apply } = setup({ create: { ok: false, refusal: platform } });
      expect({ platform, code: (await refusalOf(keys.create(principal('key_0000000000000001'), { name: 'x' }))).code }).toEqual({ platform, code: relay });
      expect(apply).not.toHaveBeenCalled();
    }
    // Our own request refused as malformed is our bug, not the customer's: no refusal in their words.
    const { keys } = setup({ create: { ok: false, refusal: 'invalid_request' } });
    await expect(keys.create(principal('key_0000000000000001'), { name: 'x' })).rejects.not.toBeInstanceOf(RefusedError);
  });
});

describe('revoke', () => {
  test('the key making the request cannot revoke itself: refused before the platform is asked', async () => {
    const { keys, registry } = setup();
    expect((await refusalOf(keys.revoke(principal('key_0000000000000001'), 'key_0000000000000001'))).code).toBe('key_in_use');
    expect(registry.revoke).not.toHaveBeenCalled();
  });

  test('applies the answered snapshot and forgets the revoked key in this container\'s cache', async () => {
    const revoked = key('key_0000000000000002', { status: 'revoked' });
    const snapshot = tenant([key('key_0000000000000001'), revoked]);
    const { keys, registry, apply, forgetKey } = setup({ revoke: { ok: true, tenant: snapshot } });
    expect(await keys.revoke(principal('key_0000000000000001'), 'key_0000000000000002')).toEqual({ id: 'key_0000000000000002', status: 'revoked' });
    expect(registry.revoke).toHaveBeenCalledWith(TENANT, 'key_0000000000000002');
    expect(apply).toHaveBeenCalledWith(snapshot);
    expect(forgetKey).toHaveBeenCalledWith(revoked.key_hash);
  });

  test('an unknown key (or another tenant\'s) is key_not_found', async () => {
    const { keys, apply } = setup({ revoke: { ok: false, refusal: 'key_not_found' } });
    expect((await refusalOf(keys.revoke(principal('key_0000000000000001'), 'key_00000000000000ff'))).code).toBe('key_not_found');
    expect(apply).not.toHaveBeenCalled();
  });

  test('a deleted tenant\'s snapshot is left to the tenant sync (which also empties its partition)', async () => {
    const { keys, apply } = setup({ revoke: { ok: true, tenant: tenant([key('key_0000000000000002', { status: 'revoked' })], 'deleted') } });
    await keys.revoke(principal('key_0000000000000001'), 'key_0000000000000002');
    expect(apply).not.toHaveBeenCalled();
  });
});
