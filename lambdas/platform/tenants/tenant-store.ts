/**
 * The platform's system of record for tenants and API keys (DynamoDB adapter).
 * Key design: tenants-table.ts (a partition per tenant: its profile and its keys).
 * Every change bumps the profile's `version` in the same write, so snapshots are totally ordered.
 * The profile also counts the tenant's keys that are not revoked (`live_keys`; expired ones count
 * until revoked): a key is added in one transaction with a conditional increment of that count, and
 * revoked in one with its decrement, so the cap holds exactly under concurrency and revoking gives
 * the slot back. (`key_count`, which counted revoked keys too, is no longer read or written: a
 * profile without `live_keys` takes it from the keys the caller saw, as below.)
 *
 * Keys are never deleted. A snapshot carries every key that is not revoked and the
 * MAX_REVOKED_KEYS_PUBLISHED most recently revoked ones (tombstones, so a relay that missed a
 * revocation learns it from any later snapshot): at most 200 keys, and with the key rules' bounds on
 * names and domains (tombstones travel without domains) at most ~200 KB, inside one EventBridge
 * event however many keys a tenant revoked over the years (test/unit/tenant-snapshot-size.test.ts). Older tombstones stay in this table and
 * in the relay's, where no older snapshot can bring them back.
 *
 * A change that would change nothing (a second suspend, a second revoke) is refused by its own
 * condition and reported as `unchanged`: no write, no new version. A deleted tenant keeps its
 * profile as a tombstone (`status: deleted`); nothing changes it again, and its keys read as revoked.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeySnapshot, KeyScope, Plan, TenantSnapshot, TenantStatus } from '../../shared/tenant-events';
import { isKeyItem, PK, SK, tenantKeys } from './tenants-table';

export class TenantNotFoundError extends Error { override readonly name = 'TenantNotFoundError'; }
/** The tenant was deleted (offboarded): its tombstone stays, and nothing changes it again. */
export class TenantDeletedError extends Error { override readonly name = 'TenantDeletedError'; }
/** The tenant's profile refused the new key: the cap is reached, or the tenant changed since `seen` was read (or meanwhile). */
export class KeyCountRefusedError extends Error { override readonly name = 'KeyCountRefusedError'; }

/** What the caller saw of the tenant when it decided a key may be added or revoked. */
export interface KeyCountSeen {
  version: number;
  /** Its keys that are not revoked (liveKeyCount). */
  keys: number;
}

/** How many revoked keys a snapshot still carries (the most recently revoked). */
export const MAX_REVOKED_KEYS_PUBLISHED = 100;

/** The keys that hold a slot of the cap: every key not revoked (an expired key too, until revoked). */
export const liveKeyCount = (snapshot: TenantSnapshot): number => snapshot.api_keys.filter((key) => key.status !== 'revoked').length;
export class ApiKeyNotFoundError extends Error { override readonly name = 'ApiKeyNotFoundError'; }

export interface NewTenant {
  tenant_id: string;
  name: string | null;
  plan: Plan;
  sends_per_minute: number;
  monthly_sends: number | null;
  now: string;
}

export interface TenantChanges {
  plan?: Plan;
  /** Deletion is its own write (markDeleted). */
  status?: Exclude<TenantStatus, 'deleted'>;
  sends_per_minute?: number;
  monthly_sends?: number | null;
  name?: string | null;
}

export interface NewApiKey extends ApiKeySnapshot {
  created_at: string;
  name: string | null;
  scope: KeyScope;
  domains: string[] | null;
}

/** Whether a write changed anything: a change to the state a tenant or key already has is not made. */
export type WriteOutcome = 'changed' | 'unchanged';

/** A key that a new key replaces: it keeps working until `expires_at`. */
export interface RetiredKey {
  key_id: string;
  expires_at: string;
}

/** One line of the tenant list: the profile, without keys. */
export type TenantSummary = Omit<TenantSnapshot, 'api_keys'>;

/** The item is there. */
const EXISTS = `attribute_exists(${PK})`;
/** No item has this key yet. */
const NEW_ITEM = `attribute_not_exists(${PK})`;
/** The profile may change: it exists and is not deleted (needs `#status` and `:deleted`). */
const LIVE_PROFILE = `${EXISTS} AND #status <> :deleted`;

export class TenantStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async create(tenant: NewTenant): Promise<void> {
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        ...tenantKeys.profile(tenant.tenant_id), tenant_id: tenant.tenant_id, name: tenant.name, plan: tenant.plan,
        status: 'active', sends_per_minute: tenant.sends_per_minute, monthly_sends: tenant.monthly_sends,
        version: 1, live_keys: 0, created_at: tenant.now, updated_at: tenant.now,
      },
      ConditionExpression: NEW_ITEM,
    }));
  }

  /** Applies `changes` unless every field already has its value (then `unchanged`: no write, no new version). */
  async update(tenantId: string, changes: TenantChanges, now: string): Promise<WriteOutcome> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    // DynamoDB refuses redundant parentheses: one difference is wrapped once (by versionBump), several each and together.
    const differs = fields.map(([field]) => `attribute_not_exists(#${field}) OR #${field} <> :${field}`);
    try {
      await this.db.send(new UpdateCommand(this.versionBump(tenantId, now, {
        set: fields.map(([field]) => `#${field} = :${field}`).join(', '),
        condition: differs.length > 1 ? differs.map((d) => `(${d})`).join(' OR ') : differs[0],
        names: Object.fromEntries(fields.map(([field]) => [`#${field}`, field])),
        values: Object.fromEntries(fields.map(([field, value]) => [`:${field}`, value])),
      })));
      return 'changed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.requireLive(tenantId);
      return 'unchanged';
    }
  }

  /**
   * Marks the tenant deleted (one new version), then revokes its keys (no further version: a
   * deleted tenant's keys read as revoked whatever their items say, so the snapshot of that version
   * never changes). A second call changes no version and only finishes revoking what a first call
   * left active. Refuses a tenant that does not exist.
   */
  async markDeleted(tenantId: string, now: string): Promise<WriteOutcome> {
    let outcome: WriteOutcome = 'changed';
    try {
      await this.db.send(new UpdateCommand(this.versionBump(tenantId, now, { set: '#status = :deleted, deleted_at = :now' })));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const state = await this.profileStatus(tenantId);
      if (state === undefined) throw new TenantNotFoundError(tenantId);
      outcome = 'unchanged';
    }
    const keys = (await this.partition(tenantId)).filter((item) => isKeyItem(item) && item.status !== 'revoked');
    await Promise.all(keys.map((item) => this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { [PK]: item[PK], [SK]: item[SK] },
      UpdateExpression: 'SET #status = :revoked, revoked_at = if_not_exists(revoked_at, :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
    }))));
    return outcome;
  }

  /**
   * Adds the key if the tenant holds fewer than `max` live keys and is not deleted. A profile written
   * before live keys were counted has no live_keys: it takes the count the caller saw, provided nothing changed
   * since (`seen.version`). With `retire`, the same transaction sets that key's expiry, provided it
   * is still active (a rotation: one new version for both). Any refusal is a KeyCountRefusedError:
   * read again and decide again.
   */
  async addKey(tenantId: string, key: NewApiKey, max: number, seen: KeyCountSeen, retire?: RetiredKey): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: this.versionBump(tenantId, key.created_at, {
              set: 'live_keys = if_not_exists(live_keys, :seenKeys) + :one',
              condition: 'live_keys < :max OR (attribute_not_exists(live_keys) AND #version = :seenVersion)',
              values: { ':max': max, ':seenKeys': seen.keys, ':seenVersion': seen.version },
            }),
          },
          { Put: { TableName: this.tableName, Item: { ...tenantKeys.apiKey(tenantId, key.key_id), ...key }, ConditionExpression: NEW_ITEM } },
          ...(retire ? [{
            Update: {
              TableName: this.tableName,
              Key: tenantKeys.apiKey(tenantId, retire.key_id),
              UpdateExpression: 'SET expires_at = :expires, replaced_by = :newKey',
              ConditionExpression: `${EXISTS} AND #status = :active`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':expires': retire.expires_at, ':newKey': key.key_id, ':active': 'active' },
            },
          }] : []),
        ],
      }));
    } catch (error) {
      // A concurrent transaction on the profile (TransactionConflict) is also worth a fresh read and retry.
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];
      if (reasons[0] === 'ConditionalCheckFailed' || reasons[2] === 'ConditionalCheckFailed' || reasons.includes('TransactionConflict')) throw new KeyCountRefusedError(tenantId);
      throw error;
    }
  }

  /**
   * Revokes a key that is not revoked yet, giving its slot back in the same transaction (one new
   * version); a key already revoked is `unchanged`. A profile without live_keys takes the count the
   * caller saw (`seen`), provided nothing changed since; if something did, KeyCountRefusedError:
   * read again and revoke again.
   */
  async revokeKey(tenantId: string, keyId: string, now: string, seen: KeyCountSeen): Promise<WriteOutcome> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: this.versionBump(tenantId, now, {
              set: 'live_keys = if_not_exists(live_keys, :seenKeys) - :one',
              condition: 'attribute_exists(live_keys) OR #version = :seenVersion',
              values: { ':seenKeys': seen.keys, ':seenVersion': seen.version },
            }),
          },
          {
            Update: {
              TableName: this.tableName,
              Key: tenantKeys.apiKey(tenantId, keyId),
              UpdateExpression: 'SET #status = :revoked, revoked_at = if_not_exists(revoked_at, :now)',
              ConditionExpression: `${EXISTS} AND #status <> :revoked`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
            },
          },
        ],
      }));
      return 'changed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [profileReason, keyReason] = error.CancellationReasons ?? [];
      if (profileReason?.Code === 'ConditionalCheckFailed') await this.requireLive(tenantId);
      if (keyReason?.Code === 'ConditionalCheckFailed') {
        const key = (await this.partition(tenantId, tenantKeys.keySk(keyId)))[0];
        if (!key) throw new ApiKeyNotFoundError(keyId);
        return 'unchanged';
      }
      // The tenant changed since `seen` was read (an uncounted profile), or a concurrent transaction.
      if (profileReason?.Code === 'ConditionalCheckFailed' || (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')) throw new KeyCountRefusedError(tenantId);
      throw error;
    }
  }

  /**
   * One page of tenants that are not deleted, at most `limit`, after the tenant `after` (in the
   * table's scan order, which is stable). `last` is set when more may follow: the id to pass as
   * `after` for the next page.
   */
  async listProfiles(limit: number, after?: string): Promise<{ tenants: TenantSummary[]; last?: string }> {
    const found: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = after ? tenantKeys.profile(after) : undefined;
    // One more than asked: it tells whether a next page exists without answering an empty one.
    while (found.length <= limit) {
      const page = await this.db.send(new ScanCommand({
        TableName: this.tableName,
        FilterExpression: `${SK} = :profile AND #status <> :deleted`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':profile': tenantKeys.profileSk, ':deleted': 'deleted' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      found.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    const tenants = found.slice(0, limit).map((profile) => summary(profile.tenant_id as string, profile));
    return found.length > limit ? { tenants, last: tenants[tenants.length - 1]!.tenant_id } : { tenants };
  }

  /** The tenant as one consistent snapshot (strongly consistent query of its partition). */
  async snapshot(tenantId: string): Promise<TenantSnapshot> {
    const items = await this.partition(tenantId);
    const profile = items.find((item) => item[SK] === tenantKeys.profileSk);
    if (!profile) throw new TenantNotFoundError(tenantId);
    const deleted = profile.status === 'deleted';
    const keys = items.filter(isKeyItem).map((item) => ({ item, status: deleted ? 'revoked' : item.status as ApiKeySnapshot['status'] }));
    // The most recently revoked tombstones only (see the module comment); the order of the rest is kept.
    const revokedAt = (item: Record<string, unknown>) => (typeof item.revoked_at === 'string' ? item.revoked_at : '');
    // (Ranked by what is stored: a deleted tenant's keys that were live read as revoked, and travel.)
    const publishedTombstones = new Set(keys.filter((k) => k.item.status === 'revoked')
      .sort((a, b) => revokedAt(b.item).localeCompare(revokedAt(a.item)))
      .slice(0, MAX_REVOKED_KEYS_PUBLISHED)
      .map((k) => k.item));
    return {
      ...summary(tenantId, profile),
      api_keys: keys
        .filter((k) => k.item.status !== 'revoked' || publishedTombstones.has(k.item))
        .map(({ item, status }) => publishedKey(item, status)),
    };
  }

  /**
   * The profile's side of a change: one more version and `updated_at`, on a tenant that exists and
   * is not deleted; `extra` adds assignments, a condition (and-ed) and their values.
   */
  private versionBump(tenantId: string, now: string, extra: { set?: string; condition?: string; names?: Record<string, string>; values?: Record<string, unknown> } = {}) {
    return {
      TableName: this.tableName,
      Key: tenantKeys.profile(tenantId),
      UpdateExpression: `SET updated_at = :now${extra.set ? `, ${extra.set}` : ''} ADD #version :one`,
      ConditionExpression: extra.condition ? `${LIVE_PROFILE} AND (${extra.condition})` : LIVE_PROFILE,
      ExpressionAttributeNames: { '#version': 'version', '#status': 'status', ...extra.names },
      ExpressionAttributeValues: { ':now': now, ':one': 1, ':deleted': 'deleted', ...extra.values },
    };
  }

  /** Throws TenantNotFoundError or TenantDeletedError when the tenant cannot be changed. */
  private async requireLive(tenantId: string): Promise<void> {
    const status = await this.profileStatus(tenantId);
    if (status === undefined) throw new TenantNotFoundError(tenantId);
    if (status === 'deleted') throw new TenantDeletedError(tenantId);
  }

  private async profileStatus(tenantId: string): Promise<TenantStatus | undefined> {
    const profile = (await this.partition(tenantId, tenantKeys.profileSk))[0];
    return profile?.status as TenantStatus | undefined;
  }

  /** The items of a tenant's partition (or the one item `sk`), read consistently. */
  private async partition(tenantId: string, sk?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: sk ? `${PK} = :pk AND ${SK} = :sk` : `${PK} = :pk`,
        ExpressionAttributeValues: { ':pk': tenantKeys.partition(tenantId), ...(sk ? { ':sk': sk } : {}) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

function summary(tenantId: string, profile: Record<string, unknown>): TenantSummary {
  return {
    tenant_id: tenantId,
    version: Number(profile.version),
    name: (profile.name as string | null | undefined) ?? null,
    plan: profile.plan as Plan,
    status: profile.status as TenantStatus,
    limits: { sends_per_minute: Number(profile.sends_per_minute), monthly_sends: (profile.monthly_sends as number | null | undefined) ?? null },
    updated_at: profile.updated_at as string,
  };
}

/**
 * A key as its tenant's snapshot carries it. A revoked key (a tombstone) travels without its
 * domains: it can send from none, and 100 of them with 1,000 characters of domains each would not
 * fit one EventBridge event beside the live keys (test/unit/tenant-snapshot-size.test.ts).
 */
export function publishedKey(item: Record<string, unknown>, status: ApiKeySnapshot['status']): ApiKeySnapshot {
  return {
    key_id: item.key_id as string,
    key_hash: item.key_hash as string,
    prefix: item.prefix as string,
    status,
    expires_at: (item.expires_at as string | null | undefined) ?? null,
    name: (item.name as string | null | undefined) ?? null,
    scope: (item.scope as ApiKeySnapshot['scope']) ?? 'full_access',
    ...(status === 'revoked' ? {} : { domains: (item.domains as string[] | null | undefined) ?? null }),
    ...(typeof item.created_at === 'string' ? { created_at: item.created_at } : {}),
  };
}
