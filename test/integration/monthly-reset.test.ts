/**
 * The monthly reset on DynamoDB Local with an injected clock: the limit turns over at the month
 * boundary by construction, the reset deletes old months only (late, twice, after a failure, during
 * concurrent sends), pages through 10,000 tenants, and leaves nothing but the allowed attributes.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../lambdas/shared/clients';
import { setLogSink } from '../../lambdas/shared/logger';
import { createMonthlyReset, type ResetReport } from '../../lambdas/relay/monthly-reset/monthly-reset';
import { LimitsStore } from '../../lambdas/relay/store/limits-store';
import { relayKeys, usageShard } from '../../lambdas/relay/store/relay-table';
import { createTestTables, scanAll, dynamoEndpoint, testWiring } from '../support/dynamo';
import { VirtualClock } from '../../local/virtual-clock';

// DynamoDB Local answers slowly while other test files run beside this one.

const LIMIT = 50;
const LAST_MS_OF_NOVEMBER = new Date('2026-11-30T23:59:59.999Z');
const FIRST_MS_OF_DECEMBER = new Date('2026-12-01T00:00:00.000Z');
const ALLOWED_ATTRIBUTES = ['PK', 'SK', 'used', 'tenant_id', 'month', 'GSI1PK', 'GSI1SK', 'expires_at'];
/** The per-key minute window a Starter send keeps on the month's item (no content, a key id and counts). */
const RATE_ATTRIBUTE = /^rate_key_[0-9a-f]{16}_(minute|count)$/;
const KEY_ID = 'key_0123456789abcdef';

const db = dynamoDocumentClient(testWiring());
const newTenantId = () => `ten_${randomBytes(10).toString('hex')}`;
const newTable = async () => (await createTestTables('reset')).relay;
const resetAt = (table: string, at: Date, client: DynamoDBDocumentClient = db) => createMonthlyReset({ db: client, tableName: table, clock: new VirtualClock({ start: at.getTime() }) });

/** One Starter send's reservation, as the send path makes it (a rate limit that never interferes). */
function reserve(limits: LimitsStore, tenantId: string, at: Date) {
  return limits.reserveStarter(tenantId, KEY_ID, { perMinute: 1_000_000, perMonth: LIMIT }, at);
}

async function usageOf(table: string, tenantId: string, month: string): Promise<number | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: relayKeys.usage(tenantId, month), ConsistentRead: true }));
  return Item === undefined ? undefined : Number(Item.used);
}

/** Usage items as `reserveStarter` writes them (without the rate window), seeded in parallel batches. */
async function seedUsage(table: string, tenantIds: string[], month: string, used = 7): Promise<void> {
  type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
  const batches: Requests[] = [];
  for (let i = 0; i < tenantIds.length; i += 25) {
    batches.push(tenantIds.slice(i, i + 25).map((tenantId) => ({
      PutRequest: {
        Item: {
          ...relayKeys.usage(tenantId, month), used, tenant_id: tenantId, month,
          GSI1PK: usageShard(tenantId), GSI1SK: `${month}#${tenantId}`, expires_at: 1_900_000_000,
        },
      },
    })));
  }
  const worker = async () => {
    for (let batch = batches.pop(); batch; batch = batches.pop()) {
      let pending = batch;
      while (pending.length > 0) {
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/**
 * A separate client whose calls are counted by command name; `failBatchWritesAfter` makes every
 * BatchWriteItem after the first N throw, as a crash or network fault mid-run would.
 */
function instrumentedDb(options: { failBatchWritesAfter?: number } = {}) {
  const calls = new Map<string, number>();
  /** Delete requests in the BatchWriteItem calls let through. */
  let deletesSent = 0;
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint() });
  client.middlewareStack.add((next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    const count = (calls.get(name) ?? 0) + 1;
    calls.set(name, count);
    if (name === 'BatchWriteItemCommand' && options.failBatchWritesAfter !== undefined && count > options.failBatchWritesAfter) {
      throw new Error('injected fault');
    }
    if (name === 'BatchWriteItemCommand') {
      const { RequestItems } = (args as { input: { RequestItems?: Record<string, unknown[]> } }).input;
      deletesSent += Object.values(RequestItems ?? {}).reduce((n, requests) => n + requests.length, 0);
    }
    return next(args);
  }, { step: 'initialize', name: 'countCalls' });
  return { db: DynamoDBDocumentClient.from(client), calls, deletesSent: () => deletesSent, destroy: () => client.destroy() };
}

function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  return { lines, restore: setLogSink((line) => lines.push(line)) };
}

test('the reset keeps the month its clock is in, and takes the old month at the boundary', async () => {
  const table = await newTable();
  const limits = new LimitsStore(db, table);
  const tenantId = newTenantId();
  await reserve(limits, tenantId, LAST_MS_OF_NOVEMBER);
  const clock = new VirtualClock({ start: LAST_MS_OF_NOVEMBER.getTime() });
  const reset = createMonthlyReset({ db, tableName: table, clock });
  const logs = captureLogs();
  try {
    expect(await reset()).toMatchObject({ month: '2026-11', deleted: 0, complete: true });
    expect(await usageOf(table, tenantId, '2026-11')).toBe(1);
    await clock.advance(1); // 2026-12-01T00:00:00.000Z
    expect(await reset()).toMatchObject({ month: '2026-12', deleted: 1, complete: true });
  } finally {
    logs.restore();
  }
  expect(await usageOf(table, tenantId, '2026-11')).toBeUndefined();
});

test('the limit turns over at 00:00:00.000 UTC with no reset having run', async () => {
  const table = await newTable();
  const limits = new LimitsStore(db, table);
  const tenantId = newTenantId();

  for (let i = 0; i < LIMIT; i++) {
    expect(await reserve(limits, tenantId, LAST_MS_OF_NOVEMBER)).toMatchObject({ reserved: true, month: '2026-11' });
  }
  expect(await reserve(limits, tenantId, LAST_MS_OF_NOVEMBER)).toMatchObject({ reserved: false, used: LIMIT, month: '2026-11' });

  expect(await reserve(limits, tenantId, FIRST_MS_OF_DECEMBER)).toMatchObject({ reserved: true, used: 1, month: '2026-12' });
  expect(await usageOf(table, tenantId, '2026-11')).toBe(LIMIT);
  expect(await usageOf(table, tenantId, '2026-12')).toBe(1);
});

test('a reset, late or twice, deletes old months only and leaves the current month counting', async () => {
  const table = await newTable();
  const limits = new LimitsStore(db, table);
  const tenants = Array.from({ length: 40 }, newTenantId);
  await seedUsage(table, tenants, '2026-10');
  await seedUsage(table, tenants, '2026-11');
  for (const tenantId of tenants.slice(0, 10)) await reserve(limits, tenantId, FIRST_MS_OF_DECEMBER);

  // Two days late: the same outcome as on time.
  const reset = resetAt(table, new Date('2026-12-03T14:00:00Z'));
  const first = await reset();
  expect(first).toMatchObject({ month: '2026-12', deleted: 80, shards: 16, complete: true });
  const second = await reset();
  expect(second).toMatchObject({ month: '2026-12', deleted: 0, complete: true });

  const items = await scanAll(table);
  expect(items).toHaveLength(10);
  expect(items.every((item) => item.month === '2026-12' && item.used === 1)).toBe(true);
  // December keeps counting from where it was.
  expect(await reserve(limits, tenants[0]!, new Date('2026-12-03T14:00:01Z'))).toMatchObject({ reserved: true, used: 2 });
});

test('a straggler send that lands in the old month after the reset is removed by the next run', async () => {
  const table = await newTable();
  const limits = new LimitsStore(db, table);
  const tenantId = newTenantId();
  await seedUsage(table, [tenantId], '2026-11', LIMIT);
  const reset = resetAt(table, FIRST_MS_OF_DECEMBER);
  expect((await reset()).deleted).toBe(1);

  // Reserved with a clock read just before midnight, written just after the reset.
  await reserve(limits, tenantId, LAST_MS_OF_NOVEMBER);
  expect(await usageOf(table, tenantId, '2026-11')).toBe(1);
  expect((await reset()).deleted).toBe(1);
  expect(await scanAll(table)).toEqual([]);
});

test('a reset during 200 concurrent sends loses no count and never exceeds the limit', async () => {
  const table = await newTable();
  const limits = new LimitsStore(db, table);
  const tenantId = newTenantId();
  await seedUsage(table, [tenantId], '2026-11', LIMIT);
  // Other tenants' old counts, so the reset is still paging while the sends run.
  await seedUsage(table, Array.from({ length: 2_000 }, newTenantId), '2026-11');

  const sendTimes = Array.from({ length: 200 }, (_, i) => new Date(FIRST_MS_OF_DECEMBER.getTime() + i * 10));
  const [report, ...sends] = await Promise.all([
    resetAt(table, new Date('2026-12-01T00:00:01Z'))(),
    ...sendTimes.map((at) => reserve(limits, tenantId, at)),
  ]);

  console.log(`200 concurrent sends during a reset of 2,001 tenants: ${sends.filter((s) => s.reserved).length} reserved, ${sends.filter((s) => !s.reserved).length} refused; reset ${report.duration_ms} ms`);
  expect(sends.filter((s) => s.reserved)).toHaveLength(LIMIT);
  expect(await usageOf(table, tenantId, '2026-12')).toBe(LIMIT);
  expect(await usageOf(table, tenantId, '2026-11')).toBeUndefined();
  expect(report).toMatchObject({ deleted: 2_001, complete: true });
}, 120_000);

test('10,000 Starter tenants: the reset pages through GSI1 only and removes every old count', async () => {
  const table = await newTable();
  const tenants = Array.from({ length: 10_000 }, newTenantId);
  await Promise.all([seedUsage(table, tenants, '2026-11'), seedUsage(table, tenants, '2026-12', 3)]);

  const instrumented = instrumentedDb();
  const logs = captureLogs();
  let report: ResetReport;
  try {
    report = await resetAt(table, new Date('2026-12-01T00:00:30Z'), instrumented.db)();
  } finally {
    logs.restore();
    instrumented.destroy();
  }
  console.log(`monthly reset of 10,000 Starter tenants on DynamoDB Local: ${(report.duration_ms / 1000).toFixed(1)} s, ${report.pages} query pages`);

  expect(report).toMatchObject({ month: '2026-12', deleted: 10_000, shards: 16, complete: true });
  // No Scan, no per-tenant read: only GSI1 query pages and batch deletes.
  expect([...instrumented.calls.keys()].sort()).toEqual(['BatchWriteItemCommand', 'QueryCommand']);
  expect(instrumented.calls.get('QueryCommand')).toBe(report.pages);

  const items = await scanAll(table);
  expect(items).toHaveLength(10_000);
  expect(items.every((item) => item.month === '2026-12' && item.used === 3)).toBe(true);

  // Privacy: a count per tenant per month and its keys, nothing else; the log line holds counts only.
  const attributes = new Set(items.flatMap((item) => Object.keys(item)));
  expect([...attributes].filter((name) => !ALLOWED_ATTRIBUTES.includes(name) && !RATE_ATTRIBUTE.test(name))).toEqual([]);
  expect(logs.lines).toHaveLength(1);
  expect(Object.keys(JSON.parse(logs.lines[0]!) as object).sort())
    .toEqual(['complete', 'deleted', 'duration_ms', 'level', 'message', 'month', 'pages', 'sampling_rate', 'service', 'shards', 'timestamp']);
  expect(logs.lines.join('\n')).not.toContain('ten_');
}, 180_000);

test('a run that fails mid-way is resumed by the next run, and the totals add up', async () => {
  const table = await newTable();
  await seedUsage(table, Array.from({ length: 1_000 }, newTenantId), '2026-11');
  const at = new Date('2026-12-01T00:00:00Z');

  const faulty = instrumentedDb({ failBatchWritesAfter: 5 });
  const logs = captureLogs();
  try {
    await expect(resetAt(table, at, faulty.db)()).rejects.toThrow('injected fault');
  } finally {
    logs.restore();
    faulty.destroy();
  }
  const failed = JSON.parse(logs.lines[0]!) as ResetReport & { level: string; error: string };
  expect(failed).toMatchObject({ level: 'ERROR', complete: false, error: 'Error' });
  // five batches went through before the fault (a shard's last batch may hold fewer than 25 keys)
  expect(faulty.deletesSent()).toBeGreaterThan(4 * 25);
  expect(failed.deleted).toBe(faulty.deletesSent());
  expect(failed.deleted).toBeLessThan(1_000);

  const retry = await resetAt(table, at)();
  expect(retry.complete).toBe(true);
  expect(failed.deleted + retry.deleted).toBe(1_000);
  expect(await scanAll(table)).toEqual([]);
}, 60_000);

test('a run near its deadline stops cleanly with complete: false, and the next run finishes', async () => {
  const table = await newTable();
  await seedUsage(table, Array.from({ length: 1_000 }, newTenantId), '2026-11');
  const at = new Date('2026-12-01T00:00:00Z');

  // Plenty of time until three batches have gone through, then the Lambda is about to time out.
  const counted = instrumentedDb();
  const batchWrites = () => counted.calls.get('BatchWriteItemCommand') ?? 0;
  const stopped = await resetAt(table, at, counted.db)({ deadlineMs: () => (batchWrites() < 3 ? 300_000 : 5_000) });
  counted.destroy();
  expect(stopped.complete).toBe(false);
  expect(stopped.deleted).toBeGreaterThan(0);
  expect(stopped.deleted).toBeLessThan(1_000);

  const retry = await resetAt(table, at)({ deadlineMs: () => 300_000 });
  expect(retry.complete).toBe(true);
  expect(stopped.deleted + retry.deleted).toBe(1_000);
  expect(await scanAll(table)).toEqual([]);
}, 60_000);
