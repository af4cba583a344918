/**
 * Idempotency-Key records: only hashes (of the key and of the request) and what became of each
 * message (the SES message id, or our own error code and detail), kept 24 h. A claim carries a
 * lease, so a request that died mid-flight does not block its key for a day: after the lease, a
 * retry of the same request takes the claim over together with its recorded progress.
 *
 * Progress, per message: `started` holds the messages whose SES attempt may have begun (written
 * before the attempt), `results` the outcomes kept for the key. A message started without a result
 * may have been sent: a takeover reports it so and never sends it again. A request that ended with
 * messages left to send (its time budget ran out, or they may succeed on retry) reopens its claim:
 * the lease ends at once and a retry sends only those.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relayKeys } from '../store/relay-table';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Longer than a send can take (Lambda timeout 28 s). */
export const CLAIM_LEASE_MS = 60_000;

/** What became of one message, as kept for its key: its SES message id, or our code and detail. */
export interface StoredResult {
  index: number;
  message_id?: string;
  error?: string;
  detail?: string;
}

/**
 * A finished request's outcome. `messages` is written by this code; the other fields by the code
 * before it (records live 24 h, so both are read): `http_status` with `message_id` or
 * `error`/`detail` for a single send, `results` for a batch.
 */
export interface StoredOutcome {
  messages?: StoredResult[];
  http_status?: number;
  message_id?: string;
  error?: string;
  detail?: string;
  results?: Array<StoredResult & { success: boolean }>;
}

/** What an earlier, unfinished run of the same request left: taken over with the claim. */
export interface RecordedProgress {
  started: number[];
  results: StoredResult[];
  /** A claim written before progress was recorded: which messages it started is unknown. */
  unknown: boolean;
}

export type Claim =
  | { kind: 'claimed'; earlier?: RecordedProgress }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

const resultKey = (index: number) => `m${index}`;

/** One `SET results.mN = :rN` per outcome: each message's entry is written on its own. */
function resultUpdates(results: StoredResult[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = results.map((result, i) => {
    names[`#r${i}`] = resultKey(result.index);
    values[`:r${i}`] = result;
    return `results.#r${i} = :r${i}`;
  });
  return { sets, names, values };
}

function progressOf(results: unknown, started: unknown): RecordedProgress {
  const kept = (results ?? undefined) as Record<string, StoredResult> | undefined;
  const begun = (started ?? undefined) as Set<number> | number[] | undefined;
  return { started: begun ? [...begun].map(Number) : [], results: Object.values(kept ?? {}), unknown: kept === undefined };
}

export class IdempotencyStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  /** `started`: messages whose SES attempt follows the claim at once (a single send), recorded with it. */
  async claim(tenantId: string, keyHash: string, requestHash: string, now: Date, options: { started?: number[] } = {}): Promise<Claim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const started = options.started ?? [];
    // Ours alone: if the SDK retries a claim whose answer was lost, the retry finds its own token.
    const token = randomUUID();
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          ...relayKeys.idempotency(tenantId, keyHash),
          request_hash: requestHash,
          claim_token: token,
          state: 'in_progress',
          lease_until: now.getTime() + CLAIM_LEASE_MS,
          expires_at: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
          results: {},
          ...(started.length > 0 ? { started: new Set(started) } : {}),
        },
        // A new key, or an expired record (TTL deletion is lazy).
        ConditionExpression: 'attribute_not_exists(PK) OR expires_at < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
      }));
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.idempotency(tenantId, keyHash), ConsistentRead: true }));
    if (!Item) return this.claim(tenantId, keyHash, requestHash, now, options);
    if (Item.claim_token === token) return { kind: 'claimed' }; // our own Put, applied before its answer was lost
    if (Item.request_hash !== requestHash) return { kind: 'mismatch' };
    if (Item.state !== 'in_progress') return { kind: 'replay', outcome: Item.outcome as StoredOutcome };
    if (Number(Item.lease_until ?? 0) >= now.getTime()) return { kind: 'in_progress' };
    return this.takeOver(tenantId, keyHash, requestHash, now, started);
  }

  /**
   * An abandoned or reopened claim of the same request: a new lease, the progress kept. The progress
   * as it was is also copied onto the item with the new token, so a takeover whose answer was lost
   * (the SDK's retry then fails its condition) still learns what it took over.
   */
  private async takeOver(tenantId: string, keyHash: string, requestHash: string, now: Date, started: number[]): Promise<Claim> {
    const token = randomUUID();
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.idempotency(tenantId, keyHash),
        // `results` made a map if an older claim lacks it, so per-message writes have a parent.
        UpdateExpression: 'SET lease_until = :lease, claim_token = :token, taken_started = if_not_exists(started, :none), taken_results = if_not_exists(results, :none), '
          + `results = if_not_exists(results, :noResults)${started.length > 0 ? ' ADD started :started' : ''}`,
        ConditionExpression: '#state = :inProgress AND lease_until < :nowMs AND request_hash = :requestHash',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':lease': now.getTime() + CLAIM_LEASE_MS, ':token': token, ':none': null, ':noResults': {}, ':inProgress': 'in_progress', ':nowMs': now.getTime(), ':requestHash': requestHash,
          ...(started.length > 0 ? { ':started': new Set(started) } : {}),
        },
        // The progress as it was before this takeover (the messages it starts now are ours).
        ReturnValues: 'ALL_OLD',
      }));
      return { kind: 'claimed', earlier: progressOf(Attributes?.results, Attributes?.started) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.idempotency(tenantId, keyHash), ConsistentRead: true }));
    // Our takeover applied, its answer lost: the progress it took over was copied with our token.
    if (Item?.claim_token === token) return { kind: 'claimed', earlier: progressOf(Item.taken_results, Item.taken_started) };
    return { kind: 'in_progress' }; // another retry took it over first
  }

  /** Records messages about to start (before their SES attempt) and outcomes kept for the key. */
  async record(tenantId: string, keyHash: string, started: number[], results: StoredResult[]): Promise<void> {
    if (started.length === 0 && results.length === 0) return;
    const { sets, names, values } = resultUpdates(results);
    if (started.length > 0) values[':started'] = new Set(started);
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.idempotency(tenantId, keyHash),
      UpdateExpression: [sets.length > 0 ? `SET ${sets.join(', ')}` : '', started.length > 0 ? 'ADD started :started' : ''].filter(Boolean).join(' '),
      ...(sets.length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }));
  }

  /** Every message has an outcome kept for the key: later retries replay it. */
  async complete(tenantId: string, keyHash: string, outcome: StoredOutcome): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.idempotency(tenantId, keyHash),
      UpdateExpression: 'SET #state = :done, outcome = :outcome REMOVE lease_until, started, results, claim_token, taken_started, taken_results',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':done': 'done', ':outcome': outcome },
    }));
  }

  /**
   * The request ended with messages left to send: their outcomes are kept, nothing is in flight, and
   * the lease ends now so a retry of the same request sends only the rest.
   */
  async reopen(tenantId: string, keyHash: string, results: StoredResult[]): Promise<void> {
    // Merged message by message: an outcome kept by an earlier run is never dropped.
    const { sets, names, values } = resultUpdates(results);
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.idempotency(tenantId, keyHash),
      UpdateExpression: `SET ${[...sets, 'lease_until = :ended'].join(', ')} REMOVE started`,
      ...(sets.length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: { ...values, ':ended': 0 },
    }));
  }

  /** Frees the key: nothing was sent and nothing is kept (a retry may succeed). */
  async release(tenantId: string, keyHash: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: relayKeys.idempotency(tenantId, keyHash) }));
  }
}
