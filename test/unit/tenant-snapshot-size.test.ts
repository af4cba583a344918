/**
 * A tenant's snapshot always fits one EventBridge event (256 KB, PutEvents' entry limit), however
 * its keys are made: 100 live sending keys each with the longest name and the most domain
 * characters a key may have, and the 100 most recently revoked keys that travel as tombstones. Were
 * it larger, every publish of the tenant would fail, and an operator's suspension would never reach
 * the relay.
 */
import { MAX_REVOKED_KEYS_PUBLISHED, publishedKey } from '../../lambdas/platform/tenants/tenant-store';
import { MAX_KEY_DOMAINS, MAX_KEY_DOMAINS_CHARACTERS, MAX_KEY_NAME_LENGTH, MAX_KEYS_PER_TENANT, sendingDomainList } from '../../lambdas/shared/key-options';
import { tenantSnapshotSchema, type TenantSnapshot } from '../../lambdas/shared/tenant-events';

const EVENTBRIDGE_ENTRY_BYTES = 256 * 1024;

/** MAX_KEY_DOMAINS domains whose names fill MAX_KEY_DOMAINS_CHARACTERS exactly. */
function longestDomains(seed: number): string[] {
  const each = Math.floor(MAX_KEY_DOMAINS_CHARACTERS / MAX_KEY_DOMAINS);
  return Array.from({ length: MAX_KEY_DOMAINS }, (_, i) => `${`d${seed}x${i}`.padEnd(each - 4, 'a')}.com`);
}

function storedKey(i: number, status: 'active' | 'revoked'): Record<string, unknown> {
  return {
    key_id: `key_${i.toString(16).padStart(16, '0')}`, key_hash: 'f'.repeat(128), prefix: 'sf_abcdefgh', status,
    expires_at: '2027-12-31T23:59:59.999Z', name: '€'.repeat(MAX_KEY_NAME_LENGTH), scope: 'sending_access',
    domains: longestDomains(i), created_at: '2026-12-05T00:00:00.000Z', revoked_at: status === 'revoked' ? '2026-12-05T01:00:00.000Z' : undefined,
  };
}

test('the largest snapshot a tenant can make fits one EventBridge event', () => {
  // The domains of the test are the largest the key rules admit.
  expect(sendingDomainList.safeParse(longestDomains(1)).success).toBe(true);
  expect(sendingDomainList.safeParse([...longestDomains(1).slice(1), `${'b'.repeat(60)}.com`]).success).toBe(false);

  const snapshot: TenantSnapshot = {
    tenant_id: 'ten_0123456789abcdef0123', version: 1_000_000, name: 'x'.repeat(200), plan: 'byoc', status: 'active',
    limits: { sends_per_minute: 10_000, monthly_sends: null }, updated_at: '2026-12-05T00:00:00.000Z',
    api_keys: [
      ...Array.from({ length: MAX_KEYS_PER_TENANT }, (_, i) => publishedKey(storedKey(i, 'active'), 'active')),
      ...Array.from({ length: MAX_REVOKED_KEYS_PUBLISHED }, (_, i) => publishedKey(storedKey(1000 + i, 'revoked'), 'revoked')),
    ],
  };
  expect(tenantSnapshotSchema.safeParse(snapshot).success).toBe(true);
  const bytes = Buffer.byteLength(JSON.stringify(snapshot));
  // Room for the entry's source and detail type, and a margin.
  expect(bytes).toBeLessThan(EVENTBRIDGE_ENTRY_BYTES * 0.9);
});

test('a tombstone travels without its domains: a revoked key sends from none', () => {
  const tombstone = publishedKey(storedKey(7, 'revoked'), 'revoked');
  expect(tombstone).not.toHaveProperty('domains');
  expect(tombstone).toMatchObject({ status: 'revoked', key_hash: 'f'.repeat(128), name: '€'.repeat(MAX_KEY_NAME_LENGTH) });
  expect(publishedKey(storedKey(7, 'active'), 'active').domains).toHaveLength(MAX_KEY_DOMAINS);
});
