/**
 * Platform → relay on DynamoDB Local: the platform's use cases publish full snapshots, the relay
 * applies them idempotently, and the relay's authenticator sees the result.
 */
import { sha512Hex } from '../../lambdas/shared/crypto';
import { dynamoDocumentClient } from '../../lambdas/shared/clients';
import { ApiError } from '../../lambdas/shared/errors';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshot } from '../../lambdas/shared/tenant-events';
import { TenantService } from '../../lambdas/platform/tenants/tenant-service';
import { TenantStore } from '../../lambdas/platform/tenants/tenant-store';
import { Authenticator } from '../../lambdas/relay/auth/authenticator';
import { onboardingRoutes } from '../../lambdas/relay/api-routes';
import { ProjectionStore } from '../../lambdas/relay/store/projection-store';
import { createTenantSync } from '../../lambdas/relay/tenant-sync/tenant-sync';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { createTestTables, scanAll, testWiring } from '../support/dynamo';
import { systemClock } from '../../lambdas/shared/clock';
import { VirtualClock } from '../../local/virtual-clock';

let tables: { tenants: string; relay: string };
let service: TenantService;
let projection: ProjectionStore;
let published: TenantSnapshot[];
let sync: ReturnType<typeof createTenantSync>;

const envelope = (detail: TenantSnapshot) => ({ id: 'evt', source: TENANT_EVENT_SOURCE, 'detail-type': TENANT_SNAPSHOT_DETAIL_TYPE, detail });

async function expectApiError(promise: Promise<unknown>, code: string): Promise<ApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe(code);
  return error as ApiError;
}

beforeAll(async () => {
  tables = await createTestTables('projection');
  const db = dynamoDocumentClient(testWiring());
  projection = new ProjectionStore(db, tables.relay);
  sync = createTenantSync(projection);
  published = [];
  service = new TenantService({
    store: new TenantStore(db, tables.tenants),
    publish: async (snapshot) => {
      published.push(snapshot);
      await sync(envelope(snapshot));
    },
    clock: systemClock,
  });
});

test('a created tenant with a key authenticates on the relay; the key is stored only as its hash', async () => {
  const tenant = await service.createTenant({ plan: 'starter', name: 'Acme' });
  const { key } = await service.issueKey(tenant.tenant_id, {});
  expect(key.api_key).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);
  expect(key.prefix).toBe(key.api_key.slice(0, 11));

  const auth = new Authenticator(projection, systemClock, { ttlMs: 0 });
  const principal = await auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage);
  expect(principal).toMatchObject({ tenantId: tenant.tenant_id, keyId: key.key_id, profile: { plan: 'starter', monthly_sends: 50, sends_per_minute: 60 } });

  const everything = JSON.stringify([...(await scanAll(tables.tenants)), ...(await scanAll(tables.relay)), ...published]);
  expect(everything).not.toContain(key.api_key);
  expect(everything).toContain(sha512Hex(key.api_key));
});

test('versions grow with every change and the relay follows suspension, plan change and revocation', async () => {
  const tenant = await service.createTenant({ plan: 'byoc' });
  const { key } = await service.issueKey(tenant.tenant_id, {});
  const auth = new Authenticator(projection, systemClock, { ttlMs: 0 });

  const suspended = await service.updateTenant(tenant.tenant_id, { status: 'suspended' });
  expect(suspended.version).toBeGreaterThan(tenant.version);
  await expectApiError(auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage), 'tenant_suspended');

  await service.updateTenant(tenant.tenant_id, { status: 'active', plan: 'starter' });
  expect((await auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage)).profile).toMatchObject({ plan: 'starter', monthly_sends: 50 });

  await service.revokeKey(tenant.tenant_id, key.key_id);
  const error = await expectApiError(auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage), 'invalid_api_key');
  expect(error.detail).toMatch(/revoked/);
  const versions = published.filter((s) => s.tenant_id === tenant.tenant_id).map((s) => s.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
});

test('a stale snapshot is ignored and cannot bring a revoked key back', async () => {
  const tenant = await service.createTenant({ plan: 'starter' });
  const { key, tenant: withKey } = await service.issueKey(tenant.tenant_id, {});
  const revoked = await service.revokeKey(tenant.tenant_id, key.key_id);

  const result = await sync(envelope(withKey));
  expect(result).toEqual({ applied: 0, stale: 2 });
  const stored = await projection.getApiKey(sha512Hex(key.api_key));
  expect(stored).toMatchObject({ status: 'revoked', version: revoked.version });
});

test('out-of-order and duplicate deliveries converge on the newest snapshot', async () => {
  const tenant = await service.createTenant({ plan: 'starter' });
  const tenantId = tenant.tenant_id;
  const { key } = await service.issueKey(tenantId, {});
  const before = published.length;
  await service.updateTenant(tenantId, { plan: 'byoc' });
  await service.updateTenant(tenantId, { status: 'suspended' });
  await service.updateTenant(tenantId, { status: 'active', sends_per_minute: 120 });
  const snapshots = published.slice(before);
  expect(snapshots).toHaveLength(3);

  // A fresh relay table receives them newest first, twice each.
  const other = await createTestTables('ooo');
  const freshSync = createTenantSync(new ProjectionStore(dynamoDocumentClient(testWiring()), other.relay));
  for (const snapshot of [...snapshots].reverse()) await freshSync(envelope(snapshot));
  for (const snapshot of snapshots) await freshSync(envelope(snapshot));

  const profile = (await scanAll(other.relay)).find((item) => item.PK === relayKeys.tenantProfile(tenantId).PK && item.SK === 'PROFILE');
  expect(profile).toMatchObject({ plan: 'byoc', status: 'active', sends_per_minute: 120, monthly_sends: null, version: snapshots[2]!.version });
  const auth = new Authenticator(new ProjectionStore(dynamoDocumentClient(testWiring()), other.relay), systemClock, { ttlMs: 0 });
  expect((await auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage)).tenantId).toBe(tenantId);
});

test('an expired key is refused even while cached', async () => {
  const clock = new VirtualClock();
  const tenant = await service.createTenant({ plan: 'starter' });
  const expiresAt = new Date(clock.now() + 60_000).toISOString();
  const { key } = await service.issueKey(tenant.tenant_id, { expires_at: expiresAt });
  const auth = new Authenticator(projection, clock, { ttlMs: 3_600_000 });
  await auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage);
  await clock.advance(61_000);
  const error = await expectApiError(auth.authenticate({ 'x-api-key': key.api_key }, onboardingRoutes.usage), 'invalid_api_key');
  expect(error.detail).toContain('expired');
});

test('malformed snapshot events are refused, not half-applied', async () => {
  await expect(sync({ id: 'x', source: 'someone.else', 'detail-type': TENANT_SNAPSHOT_DETAIL_TYPE, detail: {} as TenantSnapshot })).rejects.toThrow(/unexpected event/);
  // The error names the fields, never their values.
  const refused = await sync(envelope({ tenant_id: 'ten_zz', name: 'Canary Ltd' } as TenantSnapshot)).catch((error: Error) => error);
  expect(String(refused)).toMatch(/contract \(detail\.tenant_id, detail\.version, /);
  expect(String(refused)).not.toMatch(/Canary|ten_zz/);
});

test('a second suspend, revoke or delete writes nothing, keeps the version and publishes nothing', async () => {
  const tenant = await service.createTenant({ plan: 'byoc' });
  const { key } = await service.issueKey(tenant.tenant_id, {});
  const suspended = await service.updateTenant(tenant.tenant_id, { status: 'suspended' });
  const revoked = await service.revokeKey(tenant.tenant_id, key.key_id);
  const before = published.length;

  expect(await service.updateTenant(tenant.tenant_id, { status: 'suspended' })).toEqual(revoked);
  expect(await service.updateTenant(tenant.tenant_id, { status: 'suspended', plan: 'byoc', sends_per_minute: 60 })).toEqual(revoked);
  expect(await service.revokeKey(tenant.tenant_id, key.key_id)).toEqual(revoked);
  expect(published.length).toBe(before);
  expect(revoked.version).toBe(suspended.version + 1);

  const deleted = await service.deleteTenant(tenant.tenant_id);
  expect(published.length).toBe(before + 1);
  expect(await service.deleteTenant(tenant.tenant_id)).toEqual(deleted);
  expect(published.length).toBe(before + 1);
});

test('deletion is final on the relay: late, duplicate and out-of-order snapshots cannot bring the tenant or a key back', async () => {
  const tenant = await service.createTenant({ plan: 'starter' });
  const { key, tenant: withKey } = await service.issueKey(tenant.tenant_id, {});
  const { key: second } = await service.issueKey(tenant.tenant_id, {});
  const auth = new Authenticator(projection, systemClock, { ttlMs: 0 });
  await auth.authenticate({ 'x-api-key': second.api_key }, onboardingRoutes.usage);

  const deleted = await service.deleteTenant(tenant.tenant_id);
  expect(deleted).toMatchObject({ status: 'deleted', api_keys: [{ status: 'revoked' }, { status: 'revoked' }] });
  for (const apiKey of [key.api_key, second.api_key]) await expectApiError(auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage), 'invalid_api_key');

  // The snapshot from before the deletion arrives late, then the deletion again.
  expect(await sync(envelope(withKey))).toEqual({ applied: 0, stale: 2 });
  expect(await sync(envelope(deleted))).toEqual({ applied: 0, stale: 3, removed: 0 });
  for (const apiKey of [key.api_key, second.api_key]) await expectApiError(auth.authenticate({ 'x-api-key': apiKey }, onboardingRoutes.usage), 'invalid_api_key');

  // A relay that missed everything gets the deletion first and the older snapshots after it.
  const other = await createTestTables('deleted');
  const freshSync = createTenantSync(new ProjectionStore(dynamoDocumentClient(testWiring()), other.relay));
  await freshSync(envelope(deleted));
  expect(await freshSync(envelope(withKey))).toEqual({ applied: 0, stale: 2 });
  const items = await scanAll(other.relay);
  expect(items.map((item) => item.status).sort()).toEqual(['deleted', 'revoked', 'revoked']);
  expect(JSON.stringify(items)).not.toContain(key.api_key);
});
