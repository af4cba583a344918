/**
 * Caps hold under real concurrency on DynamoDB Local: 20 sending domains per tenant, 100 API keys
 * per tenant that are not revoked (through the admin API and the relay's self-service keys API). Requests go through the HTTP APIs all at once; the tables and the simulator are then
 * read to check the exact outcome.
 */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { MAX_DOMAINS_PER_TENANT } from '../../lambdas/relay/onboarding/domains';
import { MAX_KEYS_PER_TENANT } from '../../lambdas/platform/tenants/tenant-service';
import { KeyCountRefusedError, MAX_REVOKED_KEYS_PUBLISHED, TenantStore } from '../../lambdas/platform/tenants/tenant-store';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { sha512Hex } from '../../lambdas/shared/crypto';
import { scanAll } from '../support/dynamo';
import { call, createTenant, startTestSystem, type JsonResponse, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

let system: TestSystem;

beforeAll(async () => {
  // The relay paces identity calls at SES's 1/s as in production: on virtual time that costs nothing.
  system = await startTestSystem('caps');
});
afterAll(() => system?.stop());

/** A BYOC tenant with a validated config and no domain yet. */
async function validatedTenant(accountId: string): Promise<{ tenantId: string; apiKey: string }> {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  // These tests are about the cap, not SES's ~1 req/s identity limit (ses-limits.test.ts covers that):
  // the account allows many more identity calls than one tenant's 20 domains need at once.
  system.simulator.createAccount({ account_id: accountId, control_plane_rate: 1_000, control_plane_burst: 1_000, regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
  system.simulator.putRole(accountId, BYOC_ROLE_NAME, { trust_policy: config.body.trust_policy as never, permissions_policy: config.body.permissions_policy as never });
  await call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey: tenant.apiKey, body: { role_arn: `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`, region: 'eu-west-1' } });
  expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).body.status).toBe('validated');
  return tenant;
}

const addDomain = (apiKey: string, domain: string) => call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain } });
const statuses = (responses: JsonResponse[]) => responses.map((r) => r.status).sort();
const listDomains = async (apiKey: string) =>
  ((await call(system.relayUrl, 'GET', '/api/byoc/domains', { apiKey })).body.domains as Array<{ domain: string }>).map((d) => d.domain).sort();
async function slotsOf(tenantId: string): Promise<string[]> {
  const { PK, SK } = relayKeys.domainSlots(tenantId);
  const item = (await scanAll(system.tables.relay)).find((i) => i.PK === PK && i.SK === SK);
  return [...((item?.domains as Set<string> | undefined) ?? [])].sort();
}

describe(`at most ${MAX_DOMAINS_PER_TENANT} sending domains`, () => {
  test('40 concurrent adds of different domains on a fresh tenant store exactly 20; the refused 20 never reach SES', async () => {
    const tenant = await validatedTenant('710000000001');
    system.simulator.resetCalls();
    const domains = Array.from({ length: 40 }, (_, i) => `cap${i}.com`);
    const responses = await Promise.all(domains.map((domain) => addDomain(tenant.apiKey, domain)));
    expect(statuses(responses)).toEqual([...Array(20).fill(201), ...Array(20).fill(409)]);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error === 'conflict')).toBe(true);
    const stored = await listDomains(tenant.apiKey);
    expect(stored).toHaveLength(MAX_DOMAINS_PER_TENANT);
    expect(await slotsOf(tenant.tenantId)).toEqual(stored);
    expect(system.simulator.calls()['ses:VerifyDomainIdentity']).toBe(MAX_DOMAINS_PER_TENANT);
  });

  test('concurrent first adds below the cap all succeed: 20 at once, and 5 at once on each of four tenants', async () => {
    const first = await validatedTenant('710000000011');
    const twenty = Array.from({ length: MAX_DOMAINS_PER_TENANT }, (_, i) => `first${i}.com`);
    expect(statuses(await Promise.all(twenty.map((domain) => addDomain(first.apiKey, domain))))).toEqual(Array(MAX_DOMAINS_PER_TENANT).fill(201));
    expect(await slotsOf(first.tenantId)).toEqual([...twenty].sort());
    for (const accountId of ['710000000012', '710000000013', '710000000014', '710000000015']) {
      const tenant = await validatedTenant(accountId);
      const five = Array.from({ length: 5 }, (_, i) => `five${i}.com`);
      expect({ accountId, statuses: statuses(await Promise.all(five.map((domain) => addDomain(tenant.apiKey, domain)))) })
        .toEqual({ accountId, statuses: Array(5).fill(201) });
    }
  });

  test('re-adding stored domains is not counted twice; a delete frees exactly one slot, even when repeated', async () => {
    const tenant = await validatedTenant('710000000002');
    for (let i = 0; i < MAX_DOMAINS_PER_TENANT; i++) expect((await addDomain(tenant.apiKey, `held${i}.com`)).status).toBe(201);
    const readds = await Promise.all(Array.from({ length: 10 }, () => addDomain(tenant.apiKey, 'held0.com')));
    expect(statuses(readds)).toEqual(Array(10).fill(200));
    expect((await addDomain(tenant.apiKey, 'extra.com')).status).toBe(409);

    expect((await call(system.relayUrl, 'DELETE', '/api/byoc/domains/held0.com', { apiKey: tenant.apiKey })).status).toBe(200);
    expect(await slotsOf(tenant.tenantId)).toHaveLength(MAX_DOMAINS_PER_TENANT - 1);
    expect((await call(system.relayUrl, 'DELETE', '/api/byoc/domains/held0.com', { apiKey: tenant.apiKey })).status).toBe(404);
    expect(await slotsOf(tenant.tenantId)).toHaveLength(MAX_DOMAINS_PER_TENANT - 1);
    const racing = await Promise.all(['extra.com', 'other.com', 'third.com'].map((d) => addDomain(tenant.apiKey, d)));
    expect(statuses(racing)).toEqual([201, 409, 409]);
    expect(await listDomains(tenant.apiKey)).toHaveLength(MAX_DOMAINS_PER_TENANT);
    expect(await slotsOf(tenant.tenantId)).toEqual(await listDomains(tenant.apiKey));
  });

  test('an add that SES refuses gives its slot back', async () => {
    const tenant = await validatedTenant('710000000003');
    for (let i = 0; i < MAX_DOMAINS_PER_TENANT - 1; i++) expect((await addDomain(tenant.apiKey, `n${i}.com`)).status).toBe(201);
    system.simulator.addFault({ action: 'ses:VerifyDomainIdentity', error: 'InternalFailure', count: 10 });
    expect((await addDomain(tenant.apiKey, 'flaky.com')).status).toBeGreaterThanOrEqual(500);
    system.simulator.clearFaults();
    expect(await slotsOf(tenant.tenantId)).not.toContain('flaky.com');
    expect((await addDomain(tenant.apiKey, 'last.com')).status).toBe(201);
    expect((await addDomain(tenant.apiKey, 'flaky.com')).status).toBe(409);
  });

  test('a tenant whose domains were stored before the cap was counted is seeded from its records', async () => {
    const tenant = await validatedTenant('710000000004');
    for (let i = 0; i < MAX_DOMAINS_PER_TENANT; i++) expect((await addDomain(tenant.apiKey, `old${i}.com`)).status).toBe(201);
    const db = new DynamoDBClient({ endpoint: system.dynamoEndpoint });
    const { PK, SK } = relayKeys.domainSlots(tenant.tenantId);
    await db.send(new DeleteItemCommand({ TableName: system.tables.relay, Key: { PK: { S: PK }, SK: { S: SK } } }));
    db.destroy();
    const responses = await Promise.all(['new1.com', 'new2.com', 'new3.com'].map((d) => addDomain(tenant.apiKey, d)));
    expect(statuses(responses)).toEqual([409, 409, 409]);
    expect(await slotsOf(tenant.tenantId)).toHaveLength(MAX_DOMAINS_PER_TENANT);
  });
});

describe(`at most ${MAX_KEYS_PER_TENANT} API keys that are not revoked`, () => {
  const createKey = (tenantId: string) => call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body: {} });
  const selfServiceCreate = (apiKey: string, name: string) => call(system.relayUrl, 'POST', '/api/keys', { apiKey, body: { name } });
  const keysOf = async (tenantId: string) => (await call(system.platformUrl, 'GET', `/admin/tenants/${tenantId}/keys`)).body.api_keys as Array<{ key_id: string; status: string }>;
  const keyCount = async (tenantId: string) => (await keysOf(tenantId)).length;
  const liveCount = async (tenantId: string) => (await keysOf(tenantId)).filter((k) => k.status !== 'revoked').length;
  const profileOf = async (tenantId: string) => (await scanAll(system.tables.tenants)).find((i) => i.PK === `TENANT#${tenantId}` && i.SK === 'PROFILE');

  /** A tenant holding `count` keys; its first (full-access) key to call the relay with. */
  async function tenantWithKeys(count: number): Promise<{ tenantId: string; apiKey: string; keyId: string }> {
    const tenant = await createTenant(system, 'byoc');
    for (let i = 1; i < count; i++) expect((await createKey(tenant.tenantId)).status).toBe(201);
    expect(await keyCount(tenant.tenantId)).toBe(count);
    return tenant;
  }

  test('concurrent key creates below the cap all succeed: 20 at once on a tenant with one key', async () => {
    const { tenantId } = await tenantWithKeys(1);
    const responses = await Promise.all(Array.from({ length: 20 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual(Array(20).fill(201));
    expect(await keyCount(tenantId)).toBe(21);
  });

  test('self-service: 20 concurrent creates well below the cap all succeed', async () => {
    const tenant = await tenantWithKeys(1);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => selfServiceCreate(tenant.apiKey, `key ${i}`)));
    expect(statuses(responses)).toEqual(Array(20).fill(201));
    expect(await keyCount(tenant.tenantId)).toBe(21);
    expect((await profileOf(tenant.tenantId))?.live_keys).toBe(21);
  });

  test('20 concurrent key creates on a tenant with 95 keys leave exactly 100', async () => {
    const { tenantId } = await tenantWithKeys(95);
    const responses = await Promise.all(Array.from({ length: 20 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    expect(await keyCount(tenantId)).toBe(MAX_KEYS_PER_TENANT);
    expect((await profileOf(tenantId))?.live_keys).toBe(MAX_KEYS_PER_TENANT);
  });

  test('self-service: 20 concurrent creates on a tenant with 95 keys leave exactly 100; the others are key_limit_reached', async () => {
    const tenant = await tenantWithKeys(95);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => selfServiceCreate(tenant.apiKey, `key ${i}`)));
    expect(statuses(responses)).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body).toMatchObject({ error: 'key_limit_reached', detail: expect.stringContaining('Revoke keys you no longer use') });
    }
    expect(await keyCount(tenant.tenantId)).toBe(MAX_KEYS_PER_TENANT);
    expect((await call(system.relayUrl, 'GET', '/api/keys', { apiKey: tenant.apiKey })).body.keys).toHaveLength(MAX_KEYS_PER_TENANT);
  });

  test('revoking gives the slot back in the same write: at the cap, concurrent revokes and creates never pass 100 live keys', async () => {
    const tenant = await tenantWithKeys(MAX_KEYS_PER_TENANT);
    const refused = await selfServiceCreate(tenant.apiKey, 'one too many');
    expect(refused.body.error).toBe('key_limit_reached');
    const admin = await createKey(tenant.tenantId);
    expect(admin.status).toBe(409);
    expect(admin.body.detail).toContain('not revoked');
    const others = (await keysOf(tenant.tenantId)).map((k) => k.key_id).filter((id) => id !== tenant.keyId).slice(0, 3);
    const racing = await Promise.all([
      ...others.map((id) => call(system.relayUrl, 'DELETE', `/api/keys/${id}`, { apiKey: tenant.apiKey })),
      ...Array.from({ length: 6 }, (_, i) => selfServiceCreate(tenant.apiKey, `replacement ${i}`)),
    ]);
    expect(statuses(racing.slice(0, 3))).toEqual([200, 200, 200]);
    const created = racing.slice(3).filter((r) => r.status === 201).length;
    expect(created).toBeLessThanOrEqual(3);
    // Whatever the interleaving, the count is exact and never above the cap; the freed slots can all be taken.
    while ((await selfServiceCreate(tenant.apiKey, 'fill')).status === 201);
    expect(await liveCount(tenant.tenantId)).toBe(MAX_KEYS_PER_TENANT);
    expect((await profileOf(tenant.tenantId))?.live_keys).toBe(MAX_KEYS_PER_TENANT);
    expect(await keyCount(tenant.tenantId)).toBe(MAX_KEYS_PER_TENANT + 3);
  });

  test('a profile from before live keys were counted takes its count from the keys it holds, revoked ones not counted', async () => {
    // Data as it was before live_keys existed: key items, and a key_count that counted revoked ones too.
    const { tenantId } = await createTenant(system, 'byoc');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint }));
    const legacyKeys = Array.from({ length: 146 }, (_, i) => ({
      PK: `TENANT#${tenantId}`, SK: `KEY#key_legacy${i}`, key_id: `key_legacy${i}`, key_hash: sha512Hex(`legacy-${tenantId}-${i}`), prefix: 'sf_legacy00',
      // 96 active, 50 revoked
      status: i < 96 ? 'active' : 'revoked', expires_at: null, created_at: '2026-01-01T00:00:00.000Z',
    }));
    for (let i = 0; i < legacyKeys.length; i += 25) {
      await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.tenants]: legacyKeys.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    await db.send(new UpdateCommand({ TableName: system.tables.tenants, Key: { PK: `TENANT#${tenantId}`, SK: 'PROFILE' }, UpdateExpression: 'REMOVE live_keys SET key_count = :old', ExpressionAttributeValues: { ':old': 147 } }));
    db.destroy();
    expect(await liveCount(tenantId)).toBe(97);
    const responses = await Promise.all(Array.from({ length: 10 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual([...Array(3).fill(201), ...Array(7).fill(409)]);
    expect(await liveCount(tenantId)).toBe(MAX_KEYS_PER_TENANT);
    expect((await profileOf(tenantId))?.live_keys).toBe(MAX_KEYS_PER_TENANT);
  });

  test('a stale read cannot seed the count of a profile from before live keys were counted (adding or revoking)', async () => {
    const { tenantId, keyId } = await createTenant(system, 'byoc');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint }));
    await db.send(new UpdateCommand({ TableName: system.tables.tenants, Key: { PK: `TENANT#${tenantId}`, SK: 'PROFILE' }, UpdateExpression: 'REMOVE live_keys' }));
    const store = new TenantStore(db, system.tables.tenants);
    const seen = await store.snapshot(tenantId);
    const key = (id: string) => ({ key_id: id, key_hash: sha512Hex(id), prefix: 'sf_stale000', status: 'active' as const, expires_at: null, created_at: new Date().toISOString(), name: null, scope: 'full_access' as const, domains: null });
    // What a reader saw before the tenant's last change (one key fewer) must not become the count.
    await expect(store.addKey(tenantId, key('key_stale'), MAX_KEYS_PER_TENANT, { version: seen.version - 1, keys: 0 })).rejects.toBeInstanceOf(KeyCountRefusedError);
    await expect(store.revokeKey(tenantId, keyId, new Date().toISOString(), { version: seen.version - 1, keys: 0 })).rejects.toBeInstanceOf(KeyCountRefusedError);
    expect((await profileOf(tenantId))?.live_keys).toBeUndefined();
    await store.addKey(tenantId, key('key_fresh'), MAX_KEYS_PER_TENANT, { version: seen.version, keys: 1 });
    expect((await profileOf(tenantId))?.live_keys).toBe(2);
    await store.revokeKey(tenantId, keyId, new Date().toISOString(), { version: 0, keys: 0 });
    expect((await profileOf(tenantId))?.live_keys).toBe(1);
    db.destroy();
  });

  test(`a snapshot carries every live key and the ${MAX_REVOKED_KEYS_PUBLISHED} most recently revoked ones, however many were revoked`, async () => {
    const { tenantId, keyId } = await createTenant(system, 'byoc');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint }));
    const revoked = Array.from({ length: 150 }, (_, i) => ({
      PK: `TENANT#${tenantId}`, SK: `KEY#key_gone${i}`, key_id: `key_gone${i}`, key_hash: sha512Hex(`gone-${tenantId}-${i}`), prefix: 'sf_gone0000',
      status: 'revoked', expires_at: null, created_at: '2026-01-01T00:00:00.000Z', revoked_at: new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString(),
    }));
    for (let i = 0; i < revoked.length; i += 25) {
      await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.tenants]: revoked.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const snapshot = await new TenantStore(db, system.tables.tenants).snapshot(tenantId);
    db.destroy();
    expect(snapshot.api_keys.filter((k) => k.status === 'active').map((k) => k.key_id)).toEqual([keyId]);
    expect(snapshot.api_keys.filter((k) => k.status === 'revoked').map((k) => k.key_id).sort())
      .toEqual(revoked.slice(50).map((k) => k.key_id).sort());
  });
});
