/**
 * Account health in the relay table (health/): one item per tenant (`TENANT#<id>`, `HEALTH`) with
 * the last verdict of each account check and of each domain's records, since when it holds and
 * when it last changed — statuses and our own words only, never AWS's text. A run saves its result
 * only over the version it read (`version`), so two runs of one tenant (the schedule and a manual
 * check) never both record, and both announce, the same transition.
 *
 * The same item rate-limits the manual check (`check_requested_at`). The BYOC index (GSI1 `BYOC#<shard>`,
 * relay-table.ts) gives the scheduler the tenants to check, page by page, without a scan.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErrorCode } from '../../shared/errors';
import { GSI1, byocShardKey, relayKeys } from './relay-table';
import type { RecordKind, RecordStatus } from './domain-store';

/** The account checks, as validation names them (onboarding/validate-byoc.ts). */
export const ACCOUNT_CHECKS = ['assume_role', 'sending_enabled', 'production_access'] as const;
export type AccountCheck = (typeof ACCOUNT_CHECKS)[number];

/** `ok` passes; `failing` is the customer's to fix (our `code` and `detail` say how). */
export type CheckStatus = 'ok' | 'failing';

export interface CheckHealth {
  status: CheckStatus;
  code: ErrorCode | null;
  /** Our words: what was found and how to fix it. */
  detail: string;
  /** When this status was first seen (the last transition, or the first check). */
  since: string;
  /** The last change of status; null while it has never changed. */
  last_transition_at: string | null;
  last_checked_at: string;
}

/** `ok`: SES reports Success; `pending`: SES is still checking; `failing`: Failed, TemporaryFailure or no identity. */
export type RecordHealth = 'ok' | 'pending' | 'failing';

export interface DomainRecordHealth {
  /** SES's status word for the record kind. */
  status: RecordStatus;
  health: RecordHealth;
  since: string;
  last_transition_at: string | null;
  last_checked_at: string;
}

export interface DomainHealth {
  region: string;
  records: Partial<Record<RecordKind, DomainRecordHealth>>;
}

/** `unknown`: never checked completely; `failing`: some check or record is failing. */
export type TenantHealthState = 'healthy' | 'failing' | 'unknown';

export interface HealthRecord {
  tenant_id: string;
  state: TenantHealthState;
  checks: Partial<Record<AccountCheck, CheckHealth>>;
  domains: Record<string, DomainHealth>;
  /** The last run's time, and whether every check in it got an answer (false: AWS did not answer, or the run's budget ended). */
  last_run_at: string | null;
  last_run_complete: boolean;
  /** Grows on every save; 0 before the first. */
  version: number;
}

export const emptyHealth = (tenantId: string): HealthRecord => ({
  tenant_id: tenantId, state: 'unknown', checks: {}, domains: {}, last_run_at: null, last_run_complete: false, version: 0,
});

export class HealthChangedError extends Error { override readonly name = 'HealthChangedError'; }

export class HealthStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(tenantId: string, consistent = false): Promise<HealthRecord> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.health(tenantId), ConsistentRead: consistent }));
    if (!Item || typeof Item.version !== 'number') return emptyHealth(tenantId);
    const { PK: _pk, SK: _sk, check_requested_at: _requested, ...record } = Item;
    return record as HealthRecord;
  }

  /** Saves `record` (version `record.version + 1`) if the stored one is still `record.version`; HealthChangedError otherwise. */
  async save(record: HealthRecord): Promise<HealthRecord> {
    const next = { ...record, version: record.version + 1 };
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.health(record.tenant_id),
        UpdateExpression: 'SET tenant_id = :tenant, #state = :state, checks = :checks, domains = :domains, last_run_at = :runAt, last_run_complete = :complete, version = :next',
        ConditionExpression: record.version === 0 ? 'attribute_not_exists(version)' : 'version = :previous',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':tenant': record.tenant_id, ':state': record.state, ':checks': record.checks, ':domains': record.domains,
          ':runAt': record.last_run_at, ':complete': record.last_run_complete, ':next': next.version,
          ...(record.version === 0 ? {} : { ':previous': record.version }),
        },
      }));
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new HealthChangedError(record.tenant_id);
      throw error;
    }
  }

  /**
   * Takes the tenant's manual check for now unless one was taken less than `intervalMs` ago;
   * answers when the next one is allowed otherwise (epoch ms).
   */
  async claimManualCheck(tenantId: string, now: number, intervalMs: number): Promise<{ claimed: true } | { claimed: false; nextAllowedAt: number }> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.health(tenantId),
        UpdateExpression: 'SET check_requested_at = :now',
        ConditionExpression: 'attribute_not_exists(check_requested_at) OR check_requested_at <= :cutoff',
        ExpressionAttributeValues: { ':now': now, ':cutoff': now - intervalMs },
      }));
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.health(tenantId), ConsistentRead: true }));
      const last = typeof Item?.check_requested_at === 'number' ? Item.check_requested_at : now;
      return { claimed: false, nextAllowedAt: last + intervalMs };
    }
  }

  /** One page of the BYOC index's shard `shard`: tenant ids with a role, and where the next page starts. */
  async byocTenants(shard: number, startKey?: Record<string, unknown>, limit = 500): Promise<{ tenantIds: string[]; next?: Record<string, unknown> }> {
    const page = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: '#pk = :shard',
      ExpressionAttributeNames: { '#pk': GSI1.partitionKey },
      ExpressionAttributeValues: { ':shard': byocShardKey(shard) },
      ExclusiveStartKey: startKey,
      Limit: limit,
    }));
    return { tenantIds: (page.Items ?? []).map((item) => String(item[GSI1.sortKey])), next: page.LastEvaluatedKey };
  }
}
