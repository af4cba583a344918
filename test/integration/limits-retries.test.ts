/**
 * The counters stay exact when the SDK retries a write whose answer was lost: on DynamoDB Local, a
 * client's transport forwards the request, lets DynamoDB apply it, then drops the answer and fails
 * with a connection reset — the SDK's standard retry then sends the same request again.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, DYNAMODB_MAX_ATTEMPTS } from '../../lambdas/shared/clients';
import { WriteOutcomeUnknownError } from '../../lambdas/shared/http-transport';
import { LimitsStore, utcMinute } from '../../lambdas/relay/store/limits-store';
import { relayKeys, utcMonth } from '../../lambdas/relay/store/relay-table';
import { createTestTables, testWiring } from '../support/dynamo';
import { droppingDocumentClient } from '../support/dropping-client';

const KEY_ID = 'key_0123456789abcdef';
const AT = new Date('2026-12-04T10:00:30.000Z');
const MONTH = utcMonth(AT);
const db = dynamoDocumentClient(testWiring());
let table: string;
beforeAll(async () => { table = (await createTestTables('retries')).relay; });

/** The relay's limits store on a client whose transport drops the answer of each applied UpdateItem that `drop` picks. */
function droppingClient(drop: (appliedUpdate: number, attempt: number) => boolean, dropAny: (body: string) => boolean = () => false) {
  const client = droppingDocumentClient({ operations: ['UpdateItem'], drop, dropAny });
  return { limits: () => new LimitsStore(client.db, table), dropped: client.dropped, destroy: client.destroy };
}

const newTenantId = () => `ten_${randomBytes(10).toString('hex')}`;
const first = (n: number) => n === 1;

async function usageItem(tenantId: string): Promise<Record<string, unknown> | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: relayKeys.usage(tenantId, MONTH), ConsistentRead: true }))).Item;
}

test('a Starter reservation whose answer was lost counts once, window included', async () => {
  const client = droppingClient(first);
  const tenantId = newTenantId();
  const reservation = await client.limits().reserveStarter(tenantId, KEY_ID, { perMinute: 60, perMonth: 50 }, AT);
  client.destroy();
  expect(client.dropped()).toBe(1);
  expect(reservation).toMatchObject({ reserved: true, used: 1, rate: { count: 1, allowed: true } });
  const item = await usageItem(tenantId);
  expect(item).toMatchObject({ used: 1, [`rate_${KEY_ID}_count`]: 1, [`rate_${KEY_ID}_minute`]: utcMinute(AT) });
  expect(item?.reservations).toEqual(new Set([reservation.id]));
});

test('a batch message\'s monthly reservation and its release count once when their answers are lost', async () => {
  const tenantId = newTenantId();
  const client = droppingClient(() => true); // every applied write's answer is lost
  // The retry fails the id's condition, and the read that follows finds the id: reserved, once.
  expect(await client.limits().reserveMonthly(tenantId, 50, AT)).toMatchObject({ reserved: true });
  client.destroy();
  expect((await usageItem(tenantId))?.used).toBe(1);

  const once = droppingClient((n) => n <= 2); // the reservation's answer, then the release's
  const reserved = await once.limits().reserveMonthly(tenantId, 50, AT);
  expect(reserved).toMatchObject({ reserved: true });
  expect((await usageItem(tenantId))?.used).toBe(2);
  await once.limits().releaseMonthly(tenantId, MONTH, reserved.id);
  once.destroy();
  expect(once.dropped()).toBe(2);
  const item = await usageItem(tenantId);
  expect(item?.used).toBe(1);
  expect((item?.reservations as Set<string>).has(reserved.id)).toBe(false);
});

test('a reservation whose every answer was lost is given back before its error reaches the caller', async () => {
  const tenantId = newTenantId();
  // Every reservation attempt's answer is lost (applied or refused alike), so the SDK gives up; releases get through.
  const client = droppingClient(() => false, (body) => body.includes('ADD used :one'));
  const error = await client.limits().reserveMonthly(tenantId, 50, AT).catch((e: unknown) => e);
  client.destroy();
  expect((error as { code?: string }).code).toBe('ECONNRESET');
  expect(client.dropped()).toBe(DYNAMODB_MAX_ATTEMPTS);
  const item = await usageItem(tenantId);
  expect(item?.used).toBe(0);
  expect(item?.reservations).toBeUndefined();
});

test('window-only writes are not retried blindly: a lost answer is reported, and counted once', async () => {
  const byoc = droppingClient(first);
  const rate = await byoc.limits().hitRateWindow(KEY_ID, 60, AT).catch((e: unknown) => e);
  byoc.destroy();
  expect(rate).toBeInstanceOf(WriteOutcomeUnknownError);
  const { Item: window } = await db.send(new GetCommand({ TableName: table, Key: relayKeys.rateWindow(KEY_ID, utcMinute(AT)), ConsistentRead: true }));
  expect(window?.n).toBe(1);

  const tenantId = newTenantId();
  const starter = droppingClient(first);
  const batchWindow = await starter.limits().hitStarterWindow(tenantId, KEY_ID, 60, AT).catch((e: unknown) => e);
  starter.destroy();
  expect(batchWindow).toBeInstanceOf(WriteOutcomeUnknownError);
  expect((await usageItem(tenantId))?.[`rate_${KEY_ID}_count`]).toBe(1);
});

test('100 concurrent Starter reservations with a third of the answers lost: exactly the limit, and releases exact', async () => {
  const tenantId = newTenantId();
  const client = droppingClient((_, attempt) => attempt === 1 && Math.random() < 0.33);
  const limits = client.limits();
  const results = await Promise.all(Array.from({ length: 100 }, () => limits.reserveStarter(tenantId, KEY_ID, { perMinute: 1_000, perMonth: 50 }, AT)));
  const reserved = results.filter((r) => r.reserved);
  expect(client.dropped()).toBeGreaterThan(0);
  expect(reserved).toHaveLength(50);
  let item = await usageItem(tenantId);
  expect(item?.used).toBe(50);
  expect(item?.[`rate_${KEY_ID}_count`]).toBe(50);
  expect(item?.reservations).toEqual(new Set(reserved.map((r) => r.id)));
  console.log(`usage item with 50 standing reservations: ${itemBytes(item!)} bytes (DynamoDB's item size)`);
  expect(itemBytes(item!)).toBeLessThan(1024); // still 1 write unit per reservation

  await Promise.all(reserved.slice(0, 10).map((r) => limits.releaseMonthly(tenantId, MONTH, r.id)));
  client.destroy();
  item = await usageItem(tenantId);
  expect(item?.used).toBe(40);
  expect((item?.reservations as Set<string>).size).toBe(40);
});

/** DynamoDB's item size: attribute names plus values (strings by length, numbers ~ digits/2 + 1, sets summed). */
function itemBytes(item: Record<string, unknown>): number {
  const valueBytes = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
    if (value instanceof Set) return [...value].reduce((n: number, v) => n + valueBytes(v), 0);
    return 1;
  };
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueBytes(value), 0);
}
