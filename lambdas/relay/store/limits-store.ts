/**
 * The send path's counters, exact under any concurrency:
 *
 * - BYOC: the rate window per API key per UTC minute (fixed window), `RATE#<key>#<minute>`, TTL
 *   2 minutes — one conditional write.
 * - Starter: the month's usage item `TENANT#<id>` / `USAGE#<yyyy-mm>` holds the monthly count and,
 *   per API key, the current minute and its count, so one conditional write reserves both (two at
 *   the first send of a minute). The month is part of the key, so a new month starts at zero at
 *   00:00:00 UTC whether or not the monthly reset has run; the reset only deletes old months'
 *   numbers. A reservation is made before SES is called and released if SES does not accept the
 *   message.
 *
 * Exact under the SDK's retries (a request whose answer was lost is sent again, and may already have
 * been applied):
 * - A monthly reservation carries a random id, added to the item's `reservations` set in the same
 *   conditional write (`NOT contains(reservations, :id)`): a retry of a write that applied fails
 *   its condition, and the read that follows finds the id and reports the reservation made. A
 *   release given the id removes it in the same write (`contains(reservations, :id)`), so a retried
 *   release cannot give back twice. The set holds the month's standing reservations only: at most
 *   the monthly limit (50 ids of 11 characters; the item measured ~0.8 KB with 50, under 1 KB, so
 *   still 1 WCU a write).
 * - The window-only writes (BYOC rate window, a Starter batch's window) count every request, up to
 *   the per-minute limit, so ids would not stay small: the SDK retries them only after an attempt
 *   that provably did not apply (`retryOnlyUnapplied`); any other failure is thrown as
 *   `WriteOutcomeUnknownError` — the request is refused as not sent, and the window may hold one
 *   count too many (a refusal too early, never a send too many).
 * - A reservation that ends in an error for its caller (every attempt's answer lost) is given back
 *   by its id before the error is thrown: the caller sends nothing, so nothing may stay counted.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryOnlyUnapplied } from '../../shared/http-transport';
import { GSI1, relayKeys, usageShard, utcMonth } from '../store/relay-table';

export interface RateWindow {
  /** Requests counted in this window, including this one; `limit + 1` when refused. */
  count: number;
  limit: number;
  allowed: boolean;
  /** Seconds until the window ends. */
  resetInSeconds: number;
}

export const utcMinute = (at: Date): string => at.toISOString().slice(0, 16);

export interface StarterReservation {
  /** False when either limit refused; `rate.allowed` tells which. */
  reserved: boolean;
  month: string;
  /** The reservation's id (always set by `LimitsStore`): give it to `releaseMonthly` so that a retried release cannot give back twice. */
  id?: string;
  used: number;
  rate: RateWindow;
}

/** Usage items outlive their month by ~a month, so a straggler the reset missed still disappears. */
const USAGE_TTL_SECONDS = 62 * 24 * 3600;

/** The usage item's set of standing reservation ids. */
const RESERVATIONS = 'reservations';

/** 64 random bits: unique among a month's standing reservations of one tenant. */
const newReservationId = (): string => randomBytes(8).toString('base64url');

function holds(item: Record<string, unknown> | undefined, id: string): boolean {
  const ids = item?.[RESERVATIONS];
  return ids instanceof Set && ids.has(id);
}

export class LimitsStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow> {
    const resetInSeconds = 60 - at.getUTCSeconds();
    try {
      const { Attributes } = await this.db.send(retryOnlyUnapplied(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.rateWindow(keyId, utcMinute(at)),
        UpdateExpression: 'ADD #n :one SET expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': Math.floor(at.getTime() / 1000) + 120 },
        ReturnValues: 'UPDATED_NEW',
      })));
      return { count: Number(Attributes?.n ?? 1), limit, allowed: true, resetInSeconds };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { count: limit + 1, limit, allowed: false, resetInSeconds };
      throw error;
    }
  }

  /**
   * Starter: counts the key's minute window and reserves one send of the month in one conditional
   * write. Within a minute the first attempt succeeds; the first send of a minute needs the second.
   * Only when both refuse does a consistent read tell which limit was hit.
   */
  reserveStarter(tenantId: string, keyId: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation> {
    const id = newReservationId();
    return this.withdrawnOnFailure(tenantId, utcMonth(at), id, () => this.reserveStarterAs(id, tenantId, keyId, limits, at));
  }

  private async reserveStarterAs(id: string, tenantId: string, keyId: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation> {
    const month = utcMonth(at);
    const minute = utcMinute(at);
    const resetInSeconds = 60 - at.getUTCSeconds();
    const names = { '#m': `rate_${keyId}_minute`, '#n': `rate_${keyId}_count`, '#month': 'month', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey, '#r': RESERVATIONS };
    const common = {
      ':one': 1, ':minute': minute, ':limit': limits.perMonth, ':tenant': tenantId, ':month': month, ':id': id, ':ids': new Set([id]),
      ':gpk': usageShard(tenantId), ':gsk': `${month}#${tenantId}`, ':ttl': Math.floor(at.getTime() / 1000) + USAGE_TTL_SECONDS,
    };
    const itemFields = 'tenant_id = :tenant, #month = :month, #gpk = :gpk, #gsk = :gsk, expires_at = if_not_exists(expires_at, :ttl)';
    const attempts = [
      { // same minute as the key's last send
        UpdateExpression: `ADD used :one, #n :one, #r :ids SET ${itemFields}`,
        ConditionExpression: '#m = :minute AND #n < :rate AND used < :limit AND NOT contains(#r, :id)',
        ExpressionAttributeValues: { ...common, ':rate': limits.perMinute },
      },
      { // the key's first send of this minute (or ever)
        UpdateExpression: `ADD used :one, #r :ids SET #m = :minute, #n = :one, ${itemFields}`,
        ConditionExpression: '(attribute_not_exists(#m) OR #m <> :minute) AND (attribute_not_exists(used) OR used < :limit) AND NOT contains(#r, :id)',
        ExpressionAttributeValues: common,
      },
    ];
    // Another send can start the same minute between two attempts; then neither limit is hit and
    // the next round succeeds. Bounded, as contention on one tenant's item is.
    for (let round = 0; round < 5; round++) {
      for (const attempt of attempts) {
        try {
          const { Attributes } = await this.db.send(new UpdateCommand({
            TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ExpressionAttributeNames: names, ReturnValues: 'ALL_NEW', ...attempt,
          }));
          const count = Number(Attributes?.[names['#n']] ?? 1);
          return { reserved: true, month, id, used: Number(Attributes?.used ?? 1), rate: { count, limit: limits.perMinute, allowed: true, resetInSeconds } };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      const Item = await this.readUsage(tenantId, month);
      const sameMinute = Item?.[names['#m']] === minute;
      const count = sameMinute ? Number(Item?.[names['#n']] ?? 0) : 0;
      const used = Number(Item?.used ?? 0);
      // A write of ours applied and its answer was lost; the SDK's retry then failed the id's condition.
      if (holds(Item, id)) return { reserved: true, month, id, used, rate: { count, limit: limits.perMinute, allowed: true, resetInSeconds } };
      if (sameMinute && count >= limits.perMinute) {
        return { reserved: false, month, id, used, rate: { count: limits.perMinute + 1, limit: limits.perMinute, allowed: false, resetInSeconds } };
      }
      if (used >= limits.perMonth) {
        return { reserved: false, month, id, used, rate: { count, limit: limits.perMinute, allowed: true, resetInSeconds } };
      }
    }
    throw new Error('usage reservation kept conflicting');
  }

  /**
   * Starter, batches: counts the key's minute window on the usage item without reserving a send (a
   * batch is one request; its messages reserve the month one by one with `reserveMonthly`).
   */
  async hitStarterWindow(tenantId: string, keyId: string, perMinute: number, at: Date): Promise<RateWindow> {
    const month = utcMonth(at);
    const minute = utcMinute(at);
    const resetInSeconds = 60 - at.getUTCSeconds();
    const names = { '#m': `rate_${keyId}_minute`, '#n': `rate_${keyId}_count` };
    const attempts = [
      { UpdateExpression: 'ADD #n :one', ConditionExpression: '#m = :minute AND #n < :rate', ExpressionAttributeValues: { ':one': 1, ':minute': minute, ':rate': perMinute } },
      { UpdateExpression: 'SET #m = :minute, #n = :one', ConditionExpression: 'attribute_not_exists(#m) OR #m <> :minute', ExpressionAttributeValues: { ':one': 1, ':minute': minute } },
    ];
    for (let round = 0; round < 5; round++) {
      for (const attempt of attempts) {
        try {
          const { Attributes } = await this.db.send(retryOnlyUnapplied(new UpdateCommand({
            TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ExpressionAttributeNames: names, ReturnValues: 'UPDATED_NEW', ...attempt,
          })));
          return { count: Number(Attributes?.[names['#n']] ?? 1), limit: perMinute, allowed: true, resetInSeconds };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ConsistentRead: true }));
      if (Item?.[names['#m']] === minute && Number(Item?.[names['#n']] ?? 0) >= perMinute) {
        return { count: perMinute + 1, limit: perMinute, allowed: false, resetInSeconds };
      }
    }
    throw new Error('usage window kept conflicting');
  }

  /** Starter, one message of a batch: reserves one send of the month (the window was counted for the batch). */
  reserveMonthly(tenantId: string, perMonth: number, at: Date): Promise<{ reserved: boolean; month: string; id: string }> {
    const id = newReservationId();
    return this.withdrawnOnFailure(tenantId, utcMonth(at), id, () => this.reserveMonthlyAs(id, tenantId, perMonth, at));
  }

  private async reserveMonthlyAs(id: string, tenantId: string, perMonth: number, at: Date): Promise<{ reserved: boolean; month: string; id: string }> {
    const month = utcMonth(at);
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.usage(tenantId, month),
        UpdateExpression: 'ADD used :one, #r :ids SET tenant_id = :tenant, #month = :month, #gpk = :gpk, #gsk = :gsk, expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: '(attribute_not_exists(used) OR used < :limit) AND NOT contains(#r, :id)',
        ExpressionAttributeNames: { '#month': 'month', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey, '#r': RESERVATIONS },
        ExpressionAttributeValues: {
          ':one': 1, ':limit': perMonth, ':tenant': tenantId, ':month': month, ':gpk': usageShard(tenantId), ':gsk': `${month}#${tenantId}`,
          ':ttl': Math.floor(at.getTime() / 1000) + USAGE_TTL_SECONDS, ':id': id, ':ids': new Set([id]),
        },
      }));
      return { reserved: true, month, id };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Refused — unless a retried write of ours had applied already.
      return { reserved: holds(await this.readUsage(tenantId, month), id), month, id };
    }
  }

  /**
   * Gives back a reservation SES did not turn into an accepted message. Never goes below zero. With
   * the reservation's id, a retried release cannot give back twice (and the id leaves the item).
   */
  async releaseMonthly(tenantId: string, month: string, id?: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.usage(tenantId, month),
        ...(id === undefined
          ? { UpdateExpression: 'ADD used :minusOne', ConditionExpression: 'used > :zero', ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 } }
          : {
            UpdateExpression: 'ADD used :minusOne DELETE #r :ids',
            ConditionExpression: 'used > :zero AND contains(#r, :id)',
            ExpressionAttributeNames: { '#r': RESERVATIONS },
            ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0, ':id': id, ':ids': new Set([id]) },
          }),
      }));
    } catch (error) {
      // Already zero, already given back, or deleted by a reset: nothing to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * A reservation whose caller gets an error (its write's answer lost on every attempt) must not
   * stand: whatever of it applied is given back, by its id (a no-op when nothing applied).
   */
  private async withdrawnOnFailure<T>(tenantId: string, month: string, id: string, reserve: () => Promise<T>): Promise<T> {
    try {
      return await reserve();
    } catch (error) {
      await this.releaseMonthly(tenantId, month, id).catch(() => undefined);
      throw error;
    }
  }

  private async readUsage(tenantId: string, month: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ConsistentRead: true }))).Item;
  }
}
