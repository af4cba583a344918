/**
 * The relay's projection of tenants and API-key hashes, fed by platform snapshots.
 * Each item is written only if the snapshot is newer than what it holds (version compare in a
 * condition), so duplicate, stale and out-of-order deliveries are harmless. Revoked keys stay as
 * tombstones carrying their version, so an old snapshot can never bring a revoked key back.
 * Every key item also carries its tenant's profile from the same snapshot, so authenticating a
 * request is one GetItem.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStatus, Plan, TenantSnapshot, TenantStatus } from '../../shared/tenant-events';
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
  version: number;
  /** The tenant as of the same snapshot. */
  tenant: TenantProfile;
}

export interface ApplyResult {
  applied: number;
  stale: number;
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
          status: key.status, expires_at: key.expires_at, version: snapshot.version, tenant: profile,
        };
        return this.putIfNewer({ ...relayKeys.apiKey(key.key_hash), ...record }, snapshot.version);
      }),
    ];
    const outcomes = await Promise.all(writes);
    return { applied: outcomes.filter(Boolean).length, stale: outcomes.filter((o) => !o).length };
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
