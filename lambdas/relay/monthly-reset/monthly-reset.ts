/**
 * Monthly reset: deletes old months' Starter counts and reports what it did.
 *
 * It does not make the limit right at the month boundary — counts are keyed by `utcMonth(at)`, so a
 * new month starts at zero at 00:00:00 UTC whether or not this job has run. Its job is privacy
 * (the relay keeps one number per Starter tenant per month; old months' numbers go).
 *
 * For each usage shard it queries GSI1 (`GSI1PK = USAGE#<shard>`, `GSI1SK < <current month>`; the
 * sort key starts with `yyyy-mm`, so string order is month order) and deletes the keys it gets in
 * batches of 25. No Scan, no per-tenant read. Deleted items are gone, so running late, twice, or
 * again after a failure simply resumes. Concurrent sends write only the current month, which the
 * query never returns.
 */
import { BatchWriteCommand, QueryCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dateOf, type Clock } from '../../shared/clock';
import { logger } from '../../shared/logger';
import { GSI1, PK, SK, USAGE_SHARDS, usageShardKey, utcMonth } from '../store/relay-table';

export interface ResetReport {
  /** The month kept (`yyyy-mm`, UTC); every earlier month's count is deleted. */
  month: string;
  /** Delete requests DynamoDB accepted. */
  deleted: number;
  /** GSI1 query pages read, over all shards. */
  pages: number;
  shards: number;
  /** False when the run stopped early (deadline or error); the next run resumes. */
  complete: boolean;
  duration_ms: number;
}

export interface MonthlyResetDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** The month to keep is the clock's; backoff waits on it. */
  clock: Clock;
  /** GSI1 partitions to walk, `USAGE#0` … `USAGE#<shards - 1>`. */
  shards?: number;
}

export interface ResetOptions {
  /** Milliseconds left before the caller is cut off (Lambda: `context.getRemainingTimeInMillis`). */
  deadlineMs?: () => number;
}

/** BatchWriteItem's maximum. */
const BATCH_SIZE = 25;
/** Keys per query page: bounds memory and the work between two deadline checks. */
const PAGE_SIZE = 500;
/** Shards walked at once; each walk is sequential (a query page, then its deletes). */
const SHARD_CONCURRENCY = 4;
/** Stop this long before the deadline: enough for one batch with its full retry backoff (~7 s). */
const STOP_MARGIN_MS = 15_000;
const MAX_BATCH_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 2_000;

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

export class UnprocessedDeletesError extends Error {
  override readonly name = 'UnprocessedDeletesError';
}

export function createMonthlyReset({ db, tableName, clock, shards = USAGE_SHARDS }: MonthlyResetDeps) {
  return async function monthlyReset(options: ResetOptions = {}): Promise<ResetReport> {
    const run = new ResetRun(db, tableName, clock, utcMonth(dateOf(clock)), options.deadlineMs);
    const started = clock.now();
    const report = (complete: boolean): ResetReport => ({
      month: run.month, deleted: run.deleted, pages: run.pages, shards, complete,
      duration_ms: clock.now() - started,
    });
    try {
      await run.walkShards(shards);
    } catch (error) {
      logger.error('monthly reset failed; the next run resumes', { ...report(false), error: error instanceof Error ? error.name : 'unknown' });
      throw error;
    }
    const result = report(!run.stopped);
    if (result.complete) logger.info('monthly reset complete', { ...result });
    else logger.warn('monthly reset stopped before the deadline; the next run resumes', { ...result });
    return result;
  };
}

class ResetRun {
  deleted = 0;
  pages = 0;
  /** Set when the deadline is near or a sibling shard failed: every shard stops at its next step. */
  stopped = false;
  private failed = false;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    readonly month: string,
    private readonly deadlineMs: (() => number) | undefined,
  ) {}

  async walkShards(shards: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < shards && !this.shouldStop()) await this.walkShard(next++);
    };
    // allSettled, not all: a failed shard must not leave others deleting after the error is reported.
    const results = await Promise.allSettled(Array.from({ length: Math.min(SHARD_CONCURRENCY, shards) }, () => worker().catch((error: unknown) => {
      this.failed = true;
      throw error;
    })));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async walkShard(shard: number): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (this.shouldStop()) return;
      const page = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :shard AND #sk < :month',
        ExpressionAttributeNames: { '#pk': GSI1.partitionKey, '#sk': GSI1.sortKey },
        // The partition names `usageShard` (relay-table) gives usage items.
        ExpressionAttributeValues: { ':shard': usageShardKey(shard), ':month': this.month },
        ExclusiveStartKey: startKey,
        Limit: PAGE_SIZE,
      }));
      this.pages++;
      const keys = (page.Items ?? []).map((item) => ({ [PK]: String(item[PK]), [SK]: String(item[SK]) }));
      for (let i = 0; i < keys.length; i += BATCH_SIZE) {
        if (this.shouldStop()) return;
        await this.deleteKeys(keys.slice(i, i + BATCH_SIZE));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async deleteKeys(keys: Record<string, string>[]): Promise<void> {
    let pending: WriteRequests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; ; attempt++) {
      const { UnprocessedItems } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      const unprocessed = UnprocessedItems?.[this.tableName] ?? [];
      this.deleted += pending.length - unprocessed.length;
      if (unprocessed.length === 0) return;
      if (attempt === MAX_BATCH_ATTEMPTS) {
        throw new UnprocessedDeletesError(`${unprocessed.length} deletes still unprocessed after ${attempt} attempts (throttled)`);
      }
      pending = unprocessed;
      // Exponential backoff with jitter, as DynamoDB asks for unprocessed items.
      await this.clock.sleep(Math.min(MAX_BACKOFF_MS, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }

  private shouldStop(): boolean {
    if (this.failed) return true;
    if (!this.stopped && this.deadlineMs !== undefined && this.deadlineMs() < STOP_MARGIN_MS) this.stopped = true;
    return this.stopped;
  }
}
