/**
 * Caps hold under real concurrency on DynamoDB Local: 20 sending domains per tenant, 100 API keys
 * per tenant. Requests go through the HTTP APIs all at once; the tables and the simulator are then
 * read to check the exact outcome.
 */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { MAX_DOMAINS_PER_TENANT } from '../../lambdas/relay/onboarding/domains';
import { MAX_KEYS_PER_TENANT } from '../../lambdas/platform/tenants/tenant-service';
import { KeyCountRefusedError, TenantStore } from '../../lambdas/platform/tenants/tenant-store';
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

describe(`at most ${MAX_KEYS_PER_TENANT} API keys`, () => {
  const createKey = (tenantId: string) => call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body: {} });
  const keyCount = async (tenantId: string) =>
    ((await call(system.platformUrl, 'GET', `/admin/tenants/${tenantId}/keys`)).body.api_keys as unknown[]).length;

  async function tenantWithKeys(count: number): Promise<string> {
    const { tenantId } = await createTenant(system, 'byoc');
    for (let i = 1; i < count; i++) expect((await createKey(tenantId)).status).toBe(201);
    expect(await keyCount(tenantId)).toBe(count);
    return tenantId;
  }

  test('concurrent key creates below the cap all succeed: 20 at once on a tenant with one key', async () => {
    const tenantId = await tenantWithKeys(1);
    const responses = await Promise.all(Array.from({ length: 20 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual(Array(20).fill(201));
    expect(await keyCount(tenantId)).toBe(21);
  });

  test('20 concurrent key creates on a tenant with 95 keys leave exactly 100', async () => {
    const tenantId = await tenantWithKeys(95);
    const responses = await Promise.all(Array.from({ length: 20 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
    expect(await keyCount(tenantId)).toBe(MAX_KEYS_PER_TENANT);
    const profile = (await scanAll(system.tables.tenants)).find((i) => i.PK === `TENANT#${tenantId}` && i.SK === 'PROFILE');
    expect(profile?.key_count).toBe(MAX_KEYS_PER_TENANT);
  });

  test('a profile from before keys were counted takes its count from the keys it holds', async () => {
    // Data as it was before key_count existed: 97 key items, a profile without the count.
    const { tenantId } = await createTenant(system, 'byoc');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint }));
    const legacyKeys = Array.from({ length: 96 }, (_, i) => ({
      PK: `TENANT#${tenantId}`, SK: `KEY#key_legacy${i}`, key_id: `key_legacy${i}`, key_hash: sha512Hex(`legacy-${tenantId}-${i}`), prefix: 'sf_legacy00', status: 'revoked', expires_at: null, created_at: '2026-01-01T00:00:00.000Z',
    }));
    for (let i = 0; i < legacyKeys.length; i += 25) {
      await db.send(new BatchWriteCommand({ RequestItems: { [system.tables.tenants]: legacyKeys.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    await db.send(new UpdateCommand({ TableName: system.tables.tenants, Key: { PK: `TENANT#${tenantId}`, SK: 'PROFILE' }, UpdateExpression: 'REMOVE key_count' }));
    db.destroy();
    expect(await keyCount(tenantId)).toBe(97);
    const responses = await Promise.all(Array.from({ length: 10 }, () => createKey(tenantId)));
    expect(statuses(responses)).toEqual([...Array(3).fill(201), ...Array(7).fill(409)]);
    expect(await keyCount(tenantId)).toBe(MAX_KEYS_PER_TENANT);
  });

  test('a stale read cannot seed the count of a profile from before keys were counted', async () => {
    const { tenantId } = await createTenant(system, 'byoc');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint }));
    await db.send(new UpdateCommand({ TableName: system.tables.tenants, Key: { PK: `TENANT#${tenantId}`, SK: 'PROFILE' }, UpdateExpression: 'REMOVE key_count' }));
    const store = new TenantStore(db, system.tables.tenants);
    const seen = await store.snapshot(tenantId);
    const key = (id: string) => ({ key_id: id, key_hash: sha512Hex(id), prefix: 'sf_stale000', status: 'active' as const, expires_at: null, created_at: new Date().toISOString(), name: null, scope: 'full_access' as const, domains: null });
    // What a reader saw before the tenant's last change (one key fewer) must not become the count.
    await expect(store.addKey(tenantId, key('key_stale'), MAX_KEYS_PER_TENANT, { version: seen.version - 1, keys: 0 })).rejects.toBeInstanceOf(KeyCountRefusedError);
    await store.addKey(tenantId, key('key_fresh'), MAX_KEYS_PER_TENANT, { version: seen.version, keys: seen.api_keys.length });
    const profile = (await scanAll(system.tables.tenants)).find((i) => i.PK === `TENANT#${tenantId}` && i.SK === 'PROFILE');
    expect(profile?.key_count).toBe(2);
    db.destroy();
  });
});
