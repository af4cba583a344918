/**
 * The platform table's key design: every module that reads or writes the tenants table builds its
 * keys here, and the table construct (lib/constructs/tenants-table.ts) takes its key names from here.
 * The relay's table has a design of its own (lambdas/relay/store/relay-table.ts); neither borrows
 * the other's names, so either can change alone.
 *
 * | item           | PK                  | SK            |
 * |----------------|---------------------|---------------|
 * | tenant profile | TENANT#<tenant id>  | PROFILE       |
 * | API key        | TENANT#<tenant id>  | KEY#<key id>  |
 *
 * No index and no TTL: keys are never deleted, and a deleted tenant keeps its profile as a tombstone.
 */
export const PK = 'PK';
export const SK = 'SK';

const PROFILE = 'PROFILE';
const KEY_PREFIX = 'KEY#';

export const tenantKeys = {
  /** A tenant's partition: its profile and all its keys. */
  partition: (tenantId: string) => `TENANT#${tenantId}`,
  profileSk: PROFILE,
  keySk: (keyId: string) => `${KEY_PREFIX}${keyId}`,
  profile: (tenantId: string) => ({ [PK]: tenantKeys.partition(tenantId), [SK]: PROFILE }),
  apiKey: (tenantId: string, keyId: string) => ({ [PK]: tenantKeys.partition(tenantId), [SK]: tenantKeys.keySk(keyId) }),
} as const;

/** Whether an item of a tenant's partition is one of its API keys. */
export const isKeyItem = (item: Record<string, unknown>): boolean => {
  const sk = item[SK];
  return typeof sk === 'string' && sk.startsWith(KEY_PREFIX);
};
