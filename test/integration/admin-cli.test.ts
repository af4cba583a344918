/**
 * The operator's CLI against local mode's admin API, and what the relay makes of it: the paged
 * tenant list, offboarding (tenant delete), key rotation with an overlap, changes that change
 * nothing, and the CLI finding local mode from PLATFORM_PORT.
 */
import { output, run } from '../../cli/admin';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { sha512Hex } from '../../lambdas/shared/crypto';
import { scanAll } from '../support/dynamo';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem('admin-cli');
});
afterAll(() => system?.stop());

type Answer = Record<string, any>;
const admin = async (...argv: string[]): Promise<{ status: number; body: Answer }> => {
  const { status, body } = await run(argv, system.platformUrl);
  return { status, body: body as Answer };
};
const usage = (apiKey: string) => call(system.relayUrl, 'GET', '/api/usage', { apiKey });
const send = (apiKey: string, from: string) => call(system.relayUrl, 'POST', '/api/send', {
  apiKey, body: { to: 'customer@example.com', from_email: from, from_name: 'Acme', subject: 'Hi', message: 'Hello' },
});
const partition = async (tenantId: string) =>
  (await scanAll(system.tables.relay)).filter((item) => item.PK === relayKeys.tenantProfile(tenantId).PK);

describe('tenant list', () => {
  test('pages through every tenant that is not deleted, with an opaque cursor, and prints a table', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await createTenant(system, i % 2 ? 'byoc' : 'starter')).tenantId);
    const gone = (await createTenant(system, 'starter')).tenantId;
    expect((await admin('tenant', 'delete', '--tenant', gone)).status).toBe(200);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin('tenant', 'list', '--limit', '2', ...(cursor ? ['--cursor', cursor] : []));
      expect(page.status).toBe(200);
      expect(page.body.tenants.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.tenants.map((t: Answer) => t.tenant_id));
      cursor = page.body.next_cursor ?? undefined;
      if (cursor) expect(cursor).not.toContain('ten_');
      pages++;
    } while (cursor && pages < 20);

    // Other tests of this file create tenants too: every one of ours, once, and never the deleted one.
    for (const id of created) expect(seen.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(gone);
    expect(pages).toBe(Math.ceil(seen.length / 2));

    const first = await admin('tenant', 'list', '--limit', '2');
    const printed = output(['tenant', 'list', '--limit', '2'], first.status, first.body);
    expect(printed.stream).toBe('stdout');
    expect(printed.text.split('\n')[0]).toMatch(/^TENANT\s+NAME\s+PLAN\s+STATUS\s+PER MIN\s+PER MONTH\s+VERSION\s+UPDATED$/);
    expect(printed.text).toContain(`next page: npm run admin -- tenant list --limit 2 --cursor ${first.body.next_cursor}`);
    expect(JSON.parse(output(['tenant', 'list', '--limit', '2', '--json'], first.status, first.body).text)).toEqual(first.body);
  });

  test.each([
    ['limit=0', 'limit must be a whole number from 1 to 100 (default 50), e.g. limit=20'],
    ['limit=101', 'limit must be a whole number from 1 to 100'],
    ['limit=ten', 'limit must be a whole number from 1 to 100'],
    ['cursor=not-a-cursor', 'Pass next_cursor from the previous page unchanged, or leave cursor out'],
    [`cursor=${Buffer.from('{"after":"ten_x"}').toString('base64url')}`, 'cursor is not one this API returned'],
    ['page=2', 'has 1 unknown field(s); remove every field this API does not document'],
  ])('?%s is refused with 400 and how to fix it', async (query, detail) => {
    const response = await call(system.platformUrl, 'GET', `/admin/tenants?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.stringContaining(detail) });
  });
});

describe('tenant delete', () => {
  test('offboards: keys stop working, the relay keeps only tombstones of the tenant and its keys', async () => {
    const tenant = await createTenant(system, 'starter');
    await onboard(system, tenant.apiKey, { accountId: '616161616161', domain: 'offboard.dev' });
    expect((await send(tenant.apiKey, 'a@offboard.dev')).status).toBe(200);
    expect((await partition(tenant.tenantId)).map((item) => item.SK).sort())
      .toEqual(['BYOC', 'DOMAIN#offboard.dev', 'DOMAINSLOTS', 'PROFILE', expect.stringMatching(/^USAGE#/)].sort());

    const deleted = await admin('tenant', 'delete', '--tenant', tenant.tenantId);
    expect(deleted.status).toBe(200);
    expect(deleted.body.tenant).toMatchObject({ status: 'deleted', api_keys: [{ key_id: tenant.keyId, status: 'revoked' }] });

    const refused = await usage(tenant.apiKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_api_key');
    // Only the profile is left, as a tombstone; the key's item is a revoked tombstone of the same version.
    const left = await partition(tenant.tenantId);
    expect(left).toEqual([expect.objectContaining({ SK: 'PROFILE', status: 'deleted', version: deleted.body.tenant.version })]);
    const keyItem = (await scanAll(system.tables.relay)).find((item) => item.PK === relayKeys.apiKey(sha512Hex(tenant.apiKey)).PK);
    expect(keyItem).toMatchObject({ status: 'revoked', version: deleted.body.tenant.version, tenant: { status: 'deleted' } });
    // The customer's SES identity is the customer's: offboarding does not touch their account.
    expect(system.simulator.calls()['ses:DeleteIdentity']).toBeUndefined();

    const again = await admin('tenant', 'delete', '--tenant', tenant.tenantId);
    expect(again).toEqual(deleted);
    expect(await admin('tenant', 'show', '--tenant', tenant.tenantId)).toEqual({ status: 200, body: { success: true, tenant: deleted.body.tenant } });

    for (const change of [
      ['tenant', 'reactivate', '--tenant', tenant.tenantId],
      ['key', 'create', '--tenant', tenant.tenantId],
      ['key', 'rotate', '--tenant', tenant.tenantId, '--key', tenant.keyId],
    ]) {
      const answer = await admin(...change);
      expect({ change, status: answer.status, error: answer.body.error }).toEqual({ change, status: 409, error: 'conflict' });
      expect(answer.body.detail).toContain('is deleted (offboarded)');
    }
    expect((await admin('tenant', 'show', '--tenant', tenant.tenantId)).body.tenant.version).toBe(deleted.body.tenant.version);
  });

  test('an unknown tenant is 404', async () => {
    const answer = await admin('tenant', 'delete', '--tenant', 'ten_00000000000000000000');
    expect(answer.status).toBe(404);
  });
});

describe('key rotate', () => {
  test('the new key works at once, the old one until the overlap ends, then not', async () => {
    const tenant = await createTenant(system, 'starter');
    const rotated = await admin('key', 'rotate', '--tenant', tenant.tenantId, '--key', tenant.keyId, '--overlap', '1h');
    expect(rotated.status).toBe(201);
    const ends = new Date(system.clock.now() + 3_600_000).toISOString();
    expect(rotated.body).toMatchObject({ success: true, key_id: expect.stringMatching(/^key_/), api_key: expect.stringMatching(/^sf_/), expires_at: null, replaced: { key_id: tenant.keyId, expires_at: ends } });
    const newKey = rotated.body.api_key as string;

    expect((await usage(newKey)).status).toBe(200);
    expect((await usage(tenant.apiKey)).status).toBe(200);
    await system.clock.advance(3_600_000 - 1_000);
    expect((await usage(tenant.apiKey)).status).toBe(200);
    await system.clock.advance(1_000);
    const expired = await usage(tenant.apiKey);
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain(`expired at ${ends}`);
    expect((await usage(newKey)).status).toBe(200);

    const printed = output(['key', 'rotate'], rotated.status, rotated.body).text;
    expect(printed).toContain(`replaces  ${tenant.keyId}, which keeps working until ${ends}`);
    expect(printed).toContain(`api_key   ${newKey}`);
  });

  test('24 h of overlap by default, never longer than the old key already had; revoked keys cannot be rotated', async () => {
    const tenant = await createTenant(system, 'byoc');
    const rotated = await admin('key', 'rotate', '--tenant', tenant.tenantId, '--key', tenant.keyId);
    expect(rotated.body.replaced.expires_at).toBe(new Date(system.clock.now() + 24 * 3_600_000).toISOString());

    const shortLived = new Date(system.clock.now() + 60_000).toISOString();
    const key = await admin('key', 'create', '--tenant', tenant.tenantId, '--expires', shortLived);
    const again = await admin('key', 'rotate', '--tenant', tenant.tenantId, '--key', key.body.key_id, '--overlap', '7d');
    expect(again.body.replaced).toEqual({ key_id: key.body.key_id, expires_at: shortLived });

    expect((await admin('key', 'revoke', '--tenant', tenant.tenantId, '--key', tenant.keyId)).status).toBe(200);
    const refused = await admin('key', 'rotate', '--tenant', tenant.tenantId, '--key', tenant.keyId);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(`API key ${tenant.keyId} is revoked`);
    const tooLong = await call(system.platformUrl, 'POST', `/admin/tenants/${tenant.tenantId}/keys/${key.body.key_id}/rotate`, { body: { overlap_seconds: 31 * 86_400 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toContain('overlap_seconds must be from 0 to 2592000 seconds (30 days)');
  });
});

describe('changes that change nothing', () => {
  test('a second suspend and a second revoke keep the version and answer the tenant as it is', async () => {
    const tenant = await createTenant(system, 'starter');
    const suspended = await admin('tenant', 'suspend', '--tenant', tenant.tenantId);
    expect(suspended.body.tenant.status).toBe('suspended');
    expect(await admin('tenant', 'suspend', '--tenant', tenant.tenantId)).toEqual(suspended);
    expect(await admin('tenant', 'update', '--tenant', tenant.tenantId, '--plan', 'starter')).toEqual(suspended);

    const reactivated = await admin('tenant', 'reactivate', '--tenant', tenant.tenantId);
    expect(reactivated.body.tenant.version).toBe(suspended.body.tenant.version + 1);

    const revoked = await admin('key', 'revoke', '--tenant', tenant.tenantId, '--key', tenant.keyId);
    expect(revoked.body.tenant.version).toBe(reactivated.body.tenant.version + 1);
    expect(await admin('key', 'revoke', '--tenant', tenant.tenantId, '--key', tenant.keyId)).toEqual(revoked);
    expect((await admin('key', 'revoke', '--tenant', tenant.tenantId, '--key', 'key_0000000000000000')).status).toBe(404);
  });
});

test('without PLATFORM_URL the CLI finds local mode on PLATFORM_PORT', async () => {
  const saved = { url: process.env.PLATFORM_URL, port: process.env.PLATFORM_PORT };
  delete process.env.PLATFORM_URL;
  process.env.PLATFORM_PORT = new URL(system.platformUrl).port;
  try {
    const { status } = await run(['tenant', 'list', '--limit', '1']);
    expect(status).toBe(200);
  } finally {
    if (saved.url === undefined) delete process.env.PLATFORM_URL; else process.env.PLATFORM_URL = saved.url;
    if (saved.port === undefined) delete process.env.PLATFORM_PORT; else process.env.PLATFORM_PORT = saved.port;
  }
});
