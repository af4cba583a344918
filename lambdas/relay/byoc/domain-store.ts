/**
 * A tenant's sending domains in the relay table: the SES tokens to publish in DNS and the last
 * known status of each record kind. Statuses change only when the tenant asks the relay to verify
 * (which reads them from SES in the tenant's account); the send path trusts what is stored here.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

  async list(tenantId: string): Promise<DomainRecord[]> {
    const { PK, SKPrefix } = relayKeys.domainPrefix(tenantId);
    const items: DomainRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': SKPrefix },
        ExclusiveStartKey: startKey,
      }));
      items.push(...(page.Items ?? []).map(strip));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async put(record: DomainRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...relayKeys.domain(record.tenant_id, record.domain), ...record } }));
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

  async delete(tenantId: string, domain: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: relayKeys.domain(tenantId, domain) }));
  }
}

function strip(item: Record<string, unknown>): DomainRecord {
  const { PK: _pk, SK: _sk, ...record } = item;
  return record as unknown as DomainRecord;
}
