/**
 * Per-tenant BYOC configuration in the relay table. The ExternalId is created exactly once per
 * tenant (conditional put, so concurrent first calls agree on one value) and never changed by PUT.
 * `revision` grows on every change, so a validation result is only stored against the
 * configuration it actually checked.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newExternalId } from '../../shared/crypto';
import { relayKeys } from '../store/relay-table';

export type ByocStatus = 'unconfigured' | 'pending_validation' | 'validated' | 'invalid';

export interface ValidationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ByocConfig {
  tenant_id: string;
  external_id: string;
  role_arn: string | null;
  region: string | null;
  status: ByocStatus;
  validated_at: string | null;
  checks: ValidationCheck[] | null;
  /** SES MaxSendRate (recipients per second) the last validation saw; the send path paces to it. */
  max_send_rate?: number | null;
  revision: number;
  updated_at: string;
}

export class ConfigChangedError extends Error { override readonly name = 'ConfigChangedError'; }

export class ByocConfigStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(tenantId: string, consistent = false): Promise<ByocConfig | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.byocConfig(tenantId), ConsistentRead: consistent }));
    return Item as ByocConfig | undefined;
  }

  /** The tenant's config, created with a fresh ExternalId on first use. */
  async getOrCreate(tenantId: string, now: Date): Promise<ByocConfig> {
    const existing = await this.get(tenantId);
    if (existing) return existing;
    const created: ByocConfig = {
      tenant_id: tenantId, external_id: newExternalId(), role_arn: null, region: null, status: 'unconfigured',
      validated_at: null, checks: null, revision: 1, updated_at: now.toISOString(),
    };
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...relayKeys.byocConfig(tenantId), ...created },
        ConditionExpression: 'attribute_not_exists(PK)',
      }));
      return created;
    } catch (error) {
      // Another request created it first: theirs is the one.
      if (error instanceof ConditionalCheckFailedException) return (await this.get(tenantId, true))!;
      throw error;
    }
  }

  /** Saves role and region; status goes back to pending_validation. Creates the ExternalId if none. */
  async saveRole(tenantId: string, roleArn: string, region: string, now: Date): Promise<ByocConfig> {
    const { Attributes } = await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.byocConfig(tenantId),
      UpdateExpression: 'SET tenant_id = :tenant, external_id = if_not_exists(external_id, :externalId), role_arn = :roleArn, #region = :region, #status = :pending, validated_at = :null, checks = :null, updated_at = :now ADD revision :one',
      ExpressionAttributeNames: { '#region': 'region', '#status': 'status' },
      ExpressionAttributeValues: {
        ':tenant': tenantId, ':externalId': newExternalId(), ':roleArn': roleArn, ':region': region,
        ':pending': 'pending_validation', ':null': null, ':now': now.toISOString(), ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    }));
    return Attributes as ByocConfig;
  }

  /** Stores a validation result, unless the configuration changed while it ran. */
  async saveValidation(tenantId: string, revision: number, result: { status: ByocStatus; checks: ValidationCheck[]; maxSendRate?: number }, now: Date): Promise<ByocConfig> {
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.byocConfig(tenantId),
        UpdateExpression: 'SET #status = :status, checks = :checks, validated_at = :validatedAt, max_send_rate = :maxSendRate, updated_at = :now',
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': result.status, ':checks': result.checks, ':revision': revision,
          ':validatedAt': result.status === 'validated' ? now.toISOString() : null, ':now': now.toISOString(),
          ':maxSendRate': result.maxSendRate ?? null,
        },
        ReturnValues: 'ALL_NEW',
      }));
      return Attributes as ByocConfig;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConfigChangedError(tenantId);
      throw error;
    }
  }
}

/** Why a config cannot be used yet, phrased as the fix; undefined when it has a role and is validated. */
export function notValidatedReason(config: ByocConfig | undefined): string | undefined {
  if (!config?.role_arn || !config.region) return 'no role is saved: PUT /api/byoc/config with your role_arn and region, then run POST /api/byoc/validate';
  if (config.status === 'invalid') return 'the last validation failed: fix what POST /api/byoc/validate reported and run it again';
  if (config.status !== 'validated') return 'it has not been validated since it was saved: run POST /api/byoc/validate';
  return undefined;
}
