/**
 * The platform's system of record for tenants and API keys (DynamoDB adapter).
 * Key design, known only here: PK `TENANT#<id>`, SK `PROFILE` | `KEY#<key id>`.
 * Every change bumps the profile's `version` in the same write, so snapshots are totally ordered.
 * The profile also counts the tenant's keys (`key_count`, revoked ones included: keys are never
 * deleted); a key is added in one transaction with a conditional increment of that count, so the
 * cap holds exactly under concurrency.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeySnapshot, Plan, TenantSnapshot, TenantStatus } from '../../shared/tenant-events';

export class TenantNotFoundError extends Error { override readonly name = 'TenantNotFoundError'; }
/** The tenant's profile refused the new key: the cap is reached, or the tenant changed since `seen` was read (or meanwhile). */
export class KeyCountRefusedError extends Error { override readonly name = 'KeyCountRefusedError'; }

/** What the caller saw of the tenant when it decided a key may be added. */
export interface KeyCountSeen {
  version: number;
  keys: number;
}
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
  status?: TenantStatus;
  sends_per_minute?: number;
  monthly_sends?: number | null;
  name?: string | null;
}

export interface NewApiKey extends ApiKeySnapshot {
  created_at: string;
}

const pk = (tenantId: string) => `TENANT#${tenantId}`;
const PROFILE = 'PROFILE';
const keySk = (keyId: string) => `KEY#${keyId}`;

export class TenantStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async create(tenant: NewTenant): Promise<void> {
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        PK: pk(tenant.tenant_id), SK: PROFILE, tenant_id: tenant.tenant_id, name: tenant.name, plan: tenant.plan,
        status: 'active', sends_per_minute: tenant.sends_per_minute, monthly_sends: tenant.monthly_sends,
        version: 1, key_count: 0, created_at: tenant.now, updated_at: tenant.now,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }));
  }

  async update(tenantId: string, changes: TenantChanges, now: string): Promise<void> {
    const names: Record<string, string> = { '#version': 'version', '#updated_at': 'updated_at' };
    const values: Record<string, unknown> = { ':one': 1, ':now': now };
    const sets = ['#updated_at = :now'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: pk(tenantId), SK: PROFILE },
        UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new TenantNotFoundError(tenantId);
      throw error;
    }
  }

  /**
   * Adds the key if the tenant holds fewer than `max`. A profile written before keys were counted
   * has no key_count: it takes the count the caller saw, provided nothing changed since (`seen.version`).
   */
  async addKey(tenantId: string, key: NewApiKey, max: number, seen: KeyCountSeen): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: { PK: pk(tenantId), SK: PROFILE },
              UpdateExpression: 'SET updated_at = :now, key_count = if_not_exists(key_count, :seenKeys) + :one ADD #version :one',
              ConditionExpression: 'attribute_exists(PK) AND (key_count < :max OR (attribute_not_exists(key_count) AND #version = :seenVersion))',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':now': key.created_at, ':one': 1, ':max': max, ':seenKeys': seen.keys, ':seenVersion': seen.version },
            },
          },
          { Put: { TableName: this.tableName, Item: { PK: pk(tenantId), SK: keySk(key.key_id), ...key }, ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }));
    } catch (error) {
      // A concurrent transaction on the profile (TransactionConflict) is also worth a fresh read and retry.
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];
      if (reasons[0] === 'ConditionalCheckFailed' || reasons.includes('TransactionConflict')) throw new KeyCountRefusedError(tenantId);
      throw error;
    }
  }

  async revokeKey(tenantId: string, keyId: string, now: string): Promise<void> {
    await this.transactWithVersionBump(tenantId, now, {
      Update: {
        TableName: this.tableName,
        Key: { PK: pk(tenantId), SK: keySk(keyId) },
        UpdateExpression: 'SET #status = :revoked, revoked_at = if_not_exists(revoked_at, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
      },
    }, () => new ApiKeyNotFoundError(keyId));
  }

  /** The tenant as one consistent snapshot (strongly consistent query of its partition). */
  async snapshot(tenantId: string): Promise<TenantSnapshot> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk(tenantId) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const profile = items.find((item) => item.SK === PROFILE);
    if (!profile) throw new TenantNotFoundError(tenantId);
    return {
      tenant_id: tenantId,
      version: Number(profile.version),
      name: (profile.name as string | null | undefined) ?? null,
      plan: profile.plan as Plan,
      status: profile.status as TenantStatus,
      limits: { sends_per_minute: Number(profile.sends_per_minute), monthly_sends: (profile.monthly_sends as number | null | undefined) ?? null },
      api_keys: items
        .filter((item) => typeof item.SK === 'string' && item.SK.startsWith('KEY#'))
        .map((item) => ({
          key_id: item.key_id as string,
          key_hash: item.key_hash as string,
          prefix: item.prefix as string,
          status: item.status as ApiKeySnapshot['status'],
          expires_at: (item.expires_at as string | null | undefined) ?? null,
        })),
      updated_at: profile.updated_at as string,
    };
  }

  private async transactWithVersionBump(
    tenantId: string,
    now: string,
    write: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number],
    onWriteConditionFailed: () => Error = () => new Error('conflict'),
  ): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: { PK: pk(tenantId), SK: PROFILE },
              UpdateExpression: 'SET updated_at = :now ADD #version :one',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':now': now, ':one': 1 },
            },
          },
          write,
        ],
      }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [profileReason, writeReason] = error.CancellationReasons ?? [];
        if (profileReason?.Code === 'ConditionalCheckFailed') throw new TenantNotFoundError(tenantId);
        if (writeReason?.Code === 'ConditionalCheckFailed') throw onWriteConditionFailed();
      }
      throw error;
    }
  }
}
