/**
 * Idempotency-Key records: only hashes (of the key and of the request) and the outcome (HTTP
 * status plus the SES message id or the error code), kept 24 h. A claim carries a lease, so a
 * request that died mid-flight does not block its key for a day: after the lease, a retry of the
 * same request may take the claim over.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relayKeys } from '../store/relay-table';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Longer than a send can take (Lambda timeout 28 s). */
export const CLAIM_LEASE_MS = 60_000;

export interface StoredOutcome {
  http_status: number;
  message_id?: string;
  error?: string;
  detail?: string;
  /** A batch: each message's result (message ids and our own error codes and details only). */
  results?: BatchResult[];
}

export interface BatchResult {
  index: number;
  success: boolean;
  message_id?: string;
  error?: string;
  detail?: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

export class IdempotencyStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async claim(tenantId: string, keyHash: string, requestHash: string, now: Date): Promise<Claim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          ...relayKeys.idempotency(tenantId, keyHash),
          request_hash: requestHash,
          state: 'in_progress',
          lease_until: now.getTime() + CLAIM_LEASE_MS,
          expires_at: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
        },
        // New key, an expired record (TTL deletion is lazy), or an abandoned claim of the same request.
        ConditionExpression: 'attribute_not_exists(PK) OR expires_at < :nowSeconds OR (#state = :inProgress AND lease_until < :nowMs AND request_hash = :requestHash)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds, ':nowMs': now.getTime(), ':inProgress': 'in_progress', ':requestHash': requestHash },
      }));
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.idempotency(tenantId, keyHash), ConsistentRead: true }));
    if (!Item) return this.claim(tenantId, keyHash, requestHash, now);
    if (Item.request_hash !== requestHash) return { kind: 'mismatch' };
    if (Item.state === 'in_progress') return { kind: 'in_progress' };
    return { kind: 'replay', outcome: Item.outcome as StoredOutcome };
  }

  async complete(tenantId: string, keyHash: string, outcome: StoredOutcome): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.idempotency(tenantId, keyHash),
      UpdateExpression: 'SET #state = :done, outcome = :outcome REMOVE lease_until',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':done': 'done', ':outcome': outcome },
    }));
  }

  /** Frees the key after a failure worth retrying (throttling, SES unavailable, role not assumable). */
  async release(tenantId: string, keyHash: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: relayKeys.idempotency(tenantId, keyHash) }));
  }
}
