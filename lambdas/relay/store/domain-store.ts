/**
 * A tenant's sending domains in the relay table: the SES tokens to publish in DNS and the last
 * known status of each record kind. Statuses change only when the tenant asks the relay to verify
 * (which reads them from SES in the tenant's account); the send path trusts what is stored here.
 *
 * The per-tenant cap is held by one slots item whose string set names every domain that holds a
 * slot: a conditional `ADD` takes a slot (exact under any concurrency: DynamoDB serialises writes
 * to one item), and a set cannot count the same domain twice, so re-adds are free and removals
 * idempotent. A record is stored and deleted in one transaction with its slot. A tenant whose
 * domains predate the slots item gets it seeded from its records on its first add.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relayKeys } from '../store/relay-table';

/** SES verification statuses, as SES spells them. */
export type RecordStatus = 'Pending' | 'Success' | 'Failed' | 'TemporaryFailure' | 'NotStarted';
export type RecordKind = 'ownership' | 'dkim' | 'mail_from';

export interface DomainRecord {
  tenant_id: string;
  /** Lower-case ASCII (IDNs in punycode). */
  domain: string;
  /** The SES region the identity was created in. */
  region: string;
  verification_token: string;
  dkim_tokens: string[];
  mail_from_domain: string;
  ownership_status: RecordStatus;
  dkim_status: RecordStatus;
  mail_from_status: RecordStatus;
  created_at: string;
  checked_at: string | null;
}

export type DomainStatuses = Partial<Pick<DomainRecord, 'ownership_status' | 'dkim_status' | 'mail_from_status'>>;

export class DomainStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(tenantId: string, domain: string): Promise<DomainRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.domain(tenantId, domain) }));
    return Item ? strip(Item) : undefined;
  }

  async list(tenantId: string, consistent = false): Promise<DomainRecord[]> {
    const { PK, SKPrefix } = relayKeys.domainPrefix(tenantId);
    const items: DomainRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': SKPrefix },
        ConsistentRead: consistent,
        ExclusiveStartKey: startKey,
      }));
      items.push(...(page.Items ?? []).map(strip));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Stores the record and (again, idempotently) its slot, in one transaction. */
  async put(record: DomainRecord): Promise<void> {
    await this.db.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.tableName, Item: { ...relayKeys.domain(record.tenant_id, record.domain), ...record } } },
        { Update: { ...this.slotsUpdate(record.tenant_id, record.domain, 'ADD') } },
      ],
    }));
  }

  /**
   * Takes one of the tenant's `max` slots for `domain`; true if it holds one now (or already did),
   * false if all `max` are taken by other domains.
   */
  async reserveSlot(tenantId: string, domain: string, max: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.send(new UpdateCommand({
          ...this.slotsUpdate(tenantId, domain, 'ADD'),
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#domains) OR contains(#domains, :domain) OR size(#domains) < :max)',
          ExpressionAttributeValues: { ':one': new Set([domain]), ':domain': domain, ':max': max },
        }));
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Once the slots item exists, a failed condition means the cap is reached.
        if (attempt > 0) return false;
        // It also fails when the item does not exist yet: make sure it does (seeded by us or by a
        // concurrent add, which is just as good), then try once more.
        await this.ensureSlots(tenantId);
      }
    }
  }

  /** Gives `domain`'s slot back, unless a record for it exists (a concurrent add of the same domain stored it). */
  async releaseSlot(tenantId: string, domain: string): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: this.tableName, Key: relayKeys.domain(tenantId, domain), ConditionExpression: 'attribute_not_exists(PK)' } },
          { Update: { ...this.slotsUpdate(tenantId, domain, 'DELETE'), ConditionExpression: 'attribute_exists(PK)' } },
        ],
      }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // A record exists (keep its slot), or there is no slots item (nothing to give back).
    }
  }

  async updateStatuses(tenantId: string, domain: string, statuses: DomainStatuses, checkedAt: string): Promise<DomainRecord | undefined> {
    const entries = Object.entries(statuses).filter(([, v]) => v !== undefined);
    const { Attributes } = await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.domain(tenantId, domain),
      UpdateExpression: `SET checked_at = :checkedAt${entries.map(([k]) => `, ${k} = :${k}`).join('')}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':checkedAt': checkedAt, ...Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])) },
      ReturnValues: 'ALL_NEW',
    })).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return { Attributes: undefined };
      throw error;
    });
    return Attributes ? strip(Attributes) : undefined;
  }

  /** Forgets the record and gives its slot back, in one transaction. */
  async delete(tenantId: string, domain: string): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: relayKeys.domain(tenantId, domain) } },
          { Update: { ...this.slotsUpdate(tenantId, domain, 'DELETE'), ConditionExpression: 'attribute_exists(PK)' } },
        ],
      }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[1]?.Code !== 'ConditionalCheckFailed') throw error;
      // No slots item yet (domains from before the cap was counted): it will be seeded from the records.
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: relayKeys.domain(tenantId, domain) }));
    }
  }

  private slotsUpdate(tenantId: string, domain: string, action: 'ADD' | 'DELETE') {
    return {
      TableName: this.tableName,
      Key: relayKeys.domainSlots(tenantId),
      UpdateExpression: `${action} #domains :one`,
      ExpressionAttributeNames: { '#domains': 'domains' },
      ExpressionAttributeValues: { ':one': new Set([domain]) } as Record<string, unknown>,
    };
  }

  /** Creates the slots item from the stored records if it is missing; true if it was missing. */
  /** Creates the slots item from the tenant's records unless it exists (a concurrent add may seed it first). */
  private async ensureSlots(tenantId: string): Promise<void> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.domainSlots(tenantId), ConsistentRead: true }));
    if (Item) return;
    const domains = (await this.list(tenantId, true)).map((record) => record.domain);
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        // DynamoDB has no empty sets: a tenant without domains gets the item without the attribute.
        Item: { ...relayKeys.domainSlots(tenantId), ...(domains.length > 0 ? { domains: new Set(domains) } : {}) },
        ConditionExpression: 'attribute_not_exists(PK)',
      }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // seeded meanwhile by a concurrent add
    }
  }
}

const isConditionFailure = (error: unknown) => error instanceof Error && error.name === 'ConditionalCheckFailedException';

function strip(item: Record<string, unknown>): DomainRecord {
  const { PK: _pk, SK: _sk, ...record } = item;
  return record as unknown as DomainRecord;
}
