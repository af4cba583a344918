/**
 * Per-tenant BYOC configuration in the relay table. The ExternalId is created exactly once per
 * tenant (conditional put, so concurrent first calls agree on one value), never changed by PUT,
 * and replaced only by a rotation. `revision` grows on every change, so a validation result is
 * only stored against the configuration it actually checked.
 *
 * Every ExternalId a config holds (current and, during a rotation, previous) has an index item
 * keyed by its SHA-256 (relay-table.ts), written in the same transaction as the config, so the
 * stack registration can find the tenant without the raw value ever being a key.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { constantTimeEqual, newExternalId, newRegistrationToken, sha256Hex } from '../../shared/crypto';
import { GSI1, byocIndexKeys, relayKeys } from '../store/relay-table';

/** `disconnected`: the customer deleted the SendFleet-BYOC stack; sends are refused until it is launched again. */
export type ByocStatus = 'unconfigured' | 'pending_validation' | 'validated' | 'invalid' | 'disconnected';

/** A check's verdict; `not_run` when an earlier check it needs failed (its detail says which). */
export type CheckStatus = 'passed' | 'failed' | 'not_run';

export interface ValidationCheck {
  name: string;
  ok: boolean;
  /** Absent on checks stored before it existed (read as passed or failed from `ok`). */
  status?: CheckStatus;
  /** A failed check's error code (the one the validation answers with when it is the first); null otherwise. */
  code?: string | null;
  detail: string;
}

export interface ByocConfig {
  tenant_id: string;
  external_id: string;
  /** During a rotation: the ExternalId being replaced, still used when the new one is refused. */
  previous_external_id?: string | null;
  role_arn: string | null;
  region: string | null;
  status: ByocStatus;
  validated_at: string | null;
  checks: ValidationCheck[] | null;
  /** SES MaxSendRate (recipients per second) the last validation saw; the send path paces to it. */
  max_send_rate?: number | null;
  /**
   * The stack registration token of the current ExternalId (docs/decisions.md: the proof a stack
   * registration must carry). Kept readable because launch_stack_url shows it on every read; only
   * its SHA-256 is ever compared. Configs created before it get one on their next read.
   */
  registration_token?: string | null;
  /** During a rotation: the token that goes with `previous_external_id`. */
  previous_registration_token?: string | null;
  /**
   * The ExternalId (and its token) the last finished rotation dropped: a stack never updated since
   * still carries them, and its Delete must still disconnect. Found only by a Delete.
   */
  retired_external_id?: string | null;
  retired_registration_token?: string | null;
  /**
   * The SES configuration set every send names (`ConfigurationSetName`): the one the SendFleet-BYOC
   * stack created and registered. Null (or absent) for a role set up by hand: sends name no set.
   */
  configuration_set?: string | null;
  /** The current ExternalId has its index item (configs created before the index get one on first read). */
  external_id_indexed?: boolean;
  /**
   * Set by the account health check (health/) when a fresh AssumeRole was refused: the send path
   * then refuses at once, without an AssumeRole per send. Cleared by a check or a validation that
   * assumed the role, and by a new role.
   */
  role_unassumable_since?: string | null;
  revision: number;
  updated_at: string;
}

/** A passed validation with the current ExternalId ends a rotation: the previous one is retired. */
export interface EndedRotation {
  previousExternalId: string;
  previousToken: string | null;
  /** The ExternalId retired by the rotation before (its index item goes now). */
  formerlyRetiredExternalId: string | null;
}

/** Which tenant a customer account's delivery events belong to (relay-table.ts `EVENTSOURCE#<account>`). */
export interface EventSource {
  tenant_id: string;
  account_id: string;
  configuration_set: string;
  region: string;
}

export class ConfigChangedError extends Error { override readonly name = 'ConfigChangedError'; }

const externalIdKey = (externalId: string) => relayKeys.externalId(sha256Hex(externalId));
const indexValues = (tenantId: string) => {
  const keys = byocIndexKeys(tenantId);
  return { ':gpk': keys[GSI1.partitionKey], ':gsk': keys[GSI1.sortKey] };
};

export class ByocConfigStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(tenantId: string, consistent = false): Promise<ByocConfig | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.byocConfig(tenantId), ConsistentRead: consistent }));
    return Item as ByocConfig | undefined;
  }

  /** The tenant's config, created with a fresh ExternalId (and its index item) on first use. */
  async getOrCreate(tenantId: string, now: Date): Promise<ByocConfig> {
    const existing = await this.get(tenantId);
    if (existing) return this.withToken(existing.external_id_indexed ? existing : await this.indexCurrent(existing));
    const created: ByocConfig = {
      tenant_id: tenantId, external_id: newExternalId(), previous_external_id: null, registration_token: newRegistrationToken(), previous_registration_token: null, role_arn: null, region: null, status: 'unconfigured',
      validated_at: null, checks: null, external_id_indexed: true, revision: 1, updated_at: now.toISOString(),
    };
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...relayKeys.byocConfig(tenantId), ...created }, ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: this.tableName, Item: { ...externalIdKey(created.external_id), tenant_id: tenantId } } },
        ],
      }));
      return created;
    } catch (error) {
      // Another request created it first: theirs is the one.
      if (error instanceof TransactionCanceledException) return (await this.get(tenantId, true))!;
      throw error;
    }
  }

  /** The tenant whose current or previous (with `retired`: or retired) ExternalId this is; undefined for any other value. */
  async findByExternalId(externalId: string, { retired = false } = {}): Promise<ByocConfig | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: externalIdKey(externalId), ConsistentRead: true }));
    if (typeof Item?.tenant_id !== 'string') return undefined;
    const config = await this.get(Item.tenant_id, true);
    // The index item may outlive what it pointed to (a dropped previous id, a deleted tenant): the config decides.
    const holds = (value: string | null | undefined) => typeof value === 'string' && constantTimeEqual(value, externalId);
    return config && (holds(config.external_id) || holds(config.previous_external_id) || (retired && holds(config.retired_external_id))) ? config : undefined;
  }

  /** Saves role and region; status goes back to pending_validation. Creates the ExternalId if none. */
  async saveRole(tenantId: string, roleArn: string, region: string, now: Date): Promise<ByocConfig> {
    const { Attributes } = await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.byocConfig(tenantId),
      // A config with a role joins the BYOC index (GSI1) the health check walks; a new role is not known broken.
      // A role saved by hand is not the stack's: its account may have no SendFleet configuration set.
      UpdateExpression: 'SET tenant_id = :tenant, external_id = if_not_exists(external_id, :externalId), role_arn = :roleArn, #region = :region, #status = :pending, validated_at = :null, checks = :null, role_unassumable_since = :null, configuration_set = :null, updated_at = :now, #gpk = :gpk, #gsk = :gsk ADD revision :one',
      ExpressionAttributeNames: { '#region': 'region', '#status': 'status', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
      ExpressionAttributeValues: {
        ':tenant': tenantId, ':externalId': newExternalId(), ':roleArn': roleArn, ':region': region,
        ':pending': 'pending_validation', ':null': null, ':now': now.toISOString(), ':one': 1, ...indexValues(tenantId),
      },
      ReturnValues: 'ALL_NEW',
    }));
    const saved = Attributes as ByocConfig;
    return this.withToken(saved.external_id_indexed ? saved : await this.indexCurrent(saved));
  }

  /**
   * A new ExternalId. The one sends work with stays as `previous_external_id` until a validation
   * with the new one passes: the current one if it was validated, or the previous one of a
   * rotation still under way (rotating twice never drops the one that works).
   */
  async rotateExternalId(tenantId: string, now: Date): Promise<ByocConfig> {
    const config = await this.getOrCreate(tenantId, now);
    const next = newExternalId();
    const nextToken = newRegistrationToken();
    const previous = config.previous_external_id ?? (config.status === 'validated' ? config.external_id : null);
    // The previous ExternalId's token stays valid with it (a rollback, or the old stack's Delete).
    const previousToken = previous === null ? null : previous === config.previous_external_id ? (config.previous_registration_token ?? null) : (config.registration_token ?? null);
    const replaced = config.external_id !== previous ? config.external_id : undefined;
    try {
      const updated = { ...config, external_id: next, previous_external_id: previous, registration_token: nextToken, previous_registration_token: previousToken, external_id_indexed: true, revision: config.revision + 1, updated_at: now.toISOString() };
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: relayKeys.byocConfig(tenantId),
              UpdateExpression: 'SET external_id = :next, previous_external_id = :previous, registration_token = :token, previous_registration_token = :previousToken, external_id_indexed = :true, updated_at = :now ADD revision :one',
              ConditionExpression: 'revision = :revision',
              ExpressionAttributeValues: { ':next': next, ':previous': previous, ':token': nextToken, ':previousToken': previousToken, ':true': true, ':now': updated.updated_at, ':one': 1, ':revision': config.revision },
            },
          },
          { Put: { TableName: this.tableName, Item: { ...externalIdKey(next), tenant_id: tenantId } } },
          ...(replaced ? [{ Delete: { TableName: this.tableName, Key: externalIdKey(replaced) } }] : []),
        ],
      }));
      return updated;
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw new ConfigChangedError(tenantId);
      throw error;
    }
  }

  /**
   * Stores a validation result, unless the configuration changed while it ran. A passed validation
   * (which assumed with the current ExternalId) ends a rotation: the previous one and its index go.
   * With `role`, the role and region it checked are saved with the result (a stack registration's candidate).
   */
  async saveValidation(tenantId: string, revision: number, result: { status: ByocStatus; checks: ValidationCheck[]; maxSendRate?: number; endRotation?: EndedRotation; role?: { roleArn: string; region: string } }, now: Date): Promise<ByocConfig> {
    const ended = result.endRotation;
    const assumed = result.checks.some((check) => check.name === 'assume_role' && check.ok);
    const update = {
      TableName: this.tableName,
      Key: relayKeys.byocConfig(tenantId),
      // A validation that assumed the role ends a known-broken role (health/); every validated config is in the BYOC index.
      UpdateExpression: `SET #status = :status, checks = :checks, validated_at = :validatedAt, max_send_rate = :maxSendRate, updated_at = :now, #gpk = :gpk, #gsk = :gsk${assumed ? ', role_unassumable_since = :none' : ''}${ended ? ', previous_external_id = :null, previous_registration_token = :null, retired_external_id = :retired, retired_registration_token = :retiredToken' : ''}${result.role ? ', role_arn = :roleArn, #region = :region ADD revision :one' : ''}`,
      ConditionExpression: 'revision = :revision',
      ExpressionAttributeNames: { '#status': 'status', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey, ...(result.role ? { '#region': 'region' } : {}) },
      ExpressionAttributeValues: {
        ':status': result.status, ':checks': result.checks, ':revision': revision, ...indexValues(tenantId), ...(assumed ? { ':none': null } : {}),
        ...(result.role ? { ':roleArn': result.role.roleArn, ':region': result.role.region, ':one': 1 } : {}),
        ':validatedAt': result.status === 'validated' ? now.toISOString() : null, ':now': now.toISOString(),
        ':maxSendRate': result.maxSendRate ?? null,
        ...(ended ? { ':null': null, ':retired': ended.previousExternalId, ':retiredToken': ended.previousToken } : {}),
      },
    };
    try {
      if (ended) {
        // The dropped ExternalId's index item stays for the retired one; the one retired before it goes.
        const formerlyRetired = ended.formerlyRetiredExternalId;
        await this.db.send(new TransactWriteCommand({
          TransactItems: [{ Update: update }, ...(formerlyRetired && formerlyRetired !== ended.previousExternalId ? [{ Delete: { TableName: this.tableName, Key: externalIdKey(formerlyRetired) } }] : [])],
        }));
        return (await this.get(tenantId, true))!;
      }
      const { Attributes } = await this.db.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
      return Attributes as ByocConfig;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) throw new ConfigChangedError(tenantId);
      throw error;
    }
  }

  /** The stack that created `roleArn` was deleted: sends stop until it is launched again. False if the config holds another role. */
  async markDisconnected(tenantId: string, roleArn: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.byocConfig(tenantId),
        UpdateExpression: 'SET #status = :disconnected, validated_at = :null, configuration_set = :null, updated_at = :now ADD revision :one',
        ConditionExpression: 'role_arn = :roleArn',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disconnected': 'disconnected', ':null': null, ':now': now.toISOString(), ':one': 1, ':roleArn': roleArn },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * The health check's verdict on `roleArn` (health/): `since` when a fresh AssumeRole was refused,
   * null when it succeeded. Changes nothing if the config now holds another role. No revision: it
   * is a fact about the role, not a change of the configuration.
   */
  async markRoleUnassumable(tenantId: string, roleArn: string, since: string | null): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.byocConfig(tenantId),
      UpdateExpression: 'SET role_unassumable_since = :since',
      ConditionExpression: 'role_arn = :roleArn',
      ExpressionAttributeValues: { ':since': since, ':roleArn': roleArn },
    })).catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  /**
   * What a stack registration learned besides the role: the configuration set the stack created (or
   * none, a template from before sets), saved on the config, and the account → tenant mapping the
   * delivery-events function reads, in one transaction. With no set the mapping goes.
   */
  async saveConfigurationSet(tenantId: string, source: { accountId: string; region: string; configurationSet: string | null }, now: Date): Promise<void> {
    const update = {
      TableName: this.tableName, Key: relayKeys.byocConfig(tenantId),
      UpdateExpression: 'SET configuration_set = :set, updated_at = :now',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':set': source.configurationSet, ':now': now.toISOString() },
    };
    if (source.configurationSet === null) {
      await this.db.send(new UpdateCommand(update));
      await this.removeEventSource(tenantId, source.accountId);
      return;
    }
    const mapping: EventSource = { tenant_id: tenantId, account_id: source.accountId, configuration_set: source.configurationSet, region: source.region };
    await this.db.send(new TransactWriteCommand({
      TransactItems: [
        { Update: update },
        { Put: { TableName: this.tableName, Item: { ...relayKeys.eventSource(source.accountId), ...mapping, updated_at: now.toISOString() } } },
      ],
    }));
  }

  /** The stack of `accountId` was deleted: its events no longer map to this tenant (another tenant's mapping stays). */
  async removeEventSource(tenantId: string, accountId: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.tableName, Key: relayKeys.eventSource(accountId),
        ConditionExpression: 'tenant_id = :tenant', ExpressionAttributeValues: { ':tenant': tenantId },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The tenant a customer account's delivery events belong to; undefined when no stack registered it. */
  async eventSource(accountId: string): Promise<EventSource | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.eventSource(accountId) }));
    return Item ? { tenant_id: Item.tenant_id, account_id: Item.account_id, configuration_set: Item.configuration_set, region: Item.region } : undefined;
  }

  /** Issues the registration token of a config created before tokens existed (the first read wins). */
  private async withToken(config: ByocConfig): Promise<ByocConfig> {
    if (config.registration_token) return config;
    const token = newRegistrationToken();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: relayKeys.byocConfig(config.tenant_id),
        UpdateExpression: 'SET registration_token = :token', ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(registration_token)',
        ExpressionAttributeValues: { ':token': token },
      }));
      return { ...config, registration_token: token };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return (await this.get(config.tenant_id, true)) ?? config;
      throw error;
    }
  }

  /** Writes the index item of a config created before the index existed (idempotent). */
  private async indexCurrent(config: ByocConfig): Promise<ByocConfig> {
    await this.db.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.tableName, Item: { ...externalIdKey(config.external_id), tenant_id: config.tenant_id } } },
        {
          Update: {
            TableName: this.tableName, Key: relayKeys.byocConfig(config.tenant_id),
            UpdateExpression: 'SET external_id_indexed = :true', ConditionExpression: 'external_id = :externalId',
            ExpressionAttributeValues: { ':true': true, ':externalId': config.external_id },
          },
        },
      ],
    })).catch((error) => {
      // Rotated meanwhile: the rotation indexed its own value.
      if (!(error instanceof TransactionCanceledException)) throw error;
    });
    return { ...config, external_id_indexed: true };
  }
}

export const DISCONNECTED_DETAIL = 'your SendFleet-BYOC stack was deleted in your AWS account, so SendFleet no longer has a role to send with. Launch the stack again from launch_stack_url in GET /api/byoc/config (Settings → Launch stack in AWS); it registers itself and validates';

/** Why a config cannot be used yet, phrased as the fix; undefined when it has a role and is validated. */
export function notValidatedReason(config: ByocConfig | undefined): string | undefined {
  if (config?.status === 'disconnected') return DISCONNECTED_DETAIL;
  if (!config?.role_arn || !config.region) return 'no role is saved: PUT /api/byoc/config with your role_arn and region, then run POST /api/byoc/validate';
  if (config.status === 'invalid') return 'the last validation failed: fix what POST /api/byoc/validate reported and run it again';
  if (config.status !== 'validated') return 'it has not been validated since it was saved: run POST /api/byoc/validate';
  return undefined;
}
