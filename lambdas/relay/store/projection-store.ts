/**
 * The relay's projection of tenants and API-key hashes, fed by platform snapshots.
 * Each item is written only if the snapshot is newer than what it holds (version compare in a
 * condition), so duplicate, stale and out-of-order deliveries are harmless. Revoked keys stay as
 * tombstones carrying their version, so an old snapshot can never bring a revoked key back.
 * Every key item also carries its tenant's profile from the same snapshot, so authenticating a
 * request is one GetItem.
 *
 * A deleted tenant's snapshot (status `deleted`, every key revoked) is applied like any other, so
 * its profile and key items stay as versioned tombstones that no older snapshot can overwrite; then
 * everything else in the tenant's partition — BYOC config (role, ExternalId), domains, domain
 * slots, monthly counts — is deleted. That removal runs on every delivery of a deletion, newer or
 * not (deletion is final, so it is always right, and a retry finishes what a failed run left).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStatus, KeyScope, Plan, TenantSnapshot, TenantStatus } from '../../shared/tenant-events';
import { relayKeys } from '../store/relay-table';

export interface TenantProfile {
  tenant_id: string;
  plan: Plan;
  status: TenantStatus;
  sends_per_minute: number;
  monthly_sends: number | null;
  version: number;
}

export interface ApiKeyRecord {
  tenant_id: string;
  key_id: string;
  key_hash: string;
  status: ApiKeyStatus;
  expires_at: string | null;
  /** Absent on items projected before scopes: `full_access`. */
  scope?: KeyScope;
  /** `sending_access` only: the domains `from` may use; null or absent: any. */
  domains?: string[] | null;
  version: number;
  /** The tenant as of the same snapshot. */
  tenant: TenantProfile;
}

export interface ApplyResult {
  applied: number;
  stale: number;
  /** A deleted tenant: how many of its relay items (config, domains, counts) were removed. */
  removed?: number;
}

const newerOnly = {
  ConditionExpression: 'attribute_not_exists(PK) OR #version < :version',
  ExpressionAttributeNames: { '#version': 'version' },
};

export class ProjectionStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async apply(snapshot: TenantSnapshot): Promise<ApplyResult> {
    const profile: TenantProfile = {
      tenant_id: snapshot.tenant_id,
      plan: snapshot.plan,
      status: snapshot.status,
      sends_per_minute: snapshot.limits.sends_per_minute,
      monthly_sends: snapshot.limits.monthly_sends,
      version: snapshot.version,
    };
    const writes = [
      this.putIfNewer({ ...relayKeys.tenantProfile(snapshot.tenant_id), ...profile }, snapshot.version),
      ...snapshot.api_keys.map((key) => {
        const record: ApiKeyRecord = {
          tenant_id: snapshot.tenant_id, key_id: key.key_id, key_hash: key.key_hash,
          status: key.status, expires_at: key.expires_at, scope: key.scope ?? 'full_access', domains: key.domains ?? null,
          version: snapshot.version, tenant: profile,
        };
        return this.putIfNewer({ ...relayKeys.apiKey(key.key_hash), ...record }, snapshot.version);
      }),
    ];
    const outcomes = await Promise.all(writes);
    const result: ApplyResult = { applied: outcomes.filter(Boolean).length, stale: outcomes.filter((o) => !o).length };
    return snapshot.status === 'deleted' ? { ...result, removed: await this.removeTenantData(snapshot.tenant_id) } : result;
  }

  /** Deletes every item of the tenant's partition but its profile (the tombstone); returns how many. */
  private async removeTenantData(tenantId: string): Promise<number> {
    const { PK, SK } = relayKeys.tenantProfile(tenantId);
    let removed = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ProjectionExpression: 'PK, SK',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      const doomed = (page.Items ?? []).filter((item) => item.SK !== SK);
      await Promise.all(doomed.map((item) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { PK: item.PK, SK: item.SK } }))));
      removed += doomed.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return removed;
  }

  async getApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.apiKey(keyHash) }));
    return Item as ApiKeyRecord | undefined;
  }

  /** true if written, false if the stored item is as new or newer. */
  private async putIfNewer(item: Record<string, unknown>, version: number): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName, Item: item, ...newerOnly,
        ExpressionAttributeValues: { ':version': version },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
