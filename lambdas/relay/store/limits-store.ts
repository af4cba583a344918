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
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  used: number;
  rate: RateWindow;
}

/** Usage items outlive their month by ~a month, so a straggler the reset missed still disappears. */
const USAGE_TTL_SECONDS = 62 * 24 * 3600;

export class LimitsStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow> {
    const resetInSeconds = 60 - at.getUTCSeconds();
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.rateWindow(keyId, utcMinute(at)),
        UpdateExpression: 'ADD #n :one SET expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': Math.floor(at.getTime() / 1000) + 120 },
        ReturnValues: 'UPDATED_NEW',
      }));
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
  async reserveStarter(tenantId: string, keyId: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation> {
    const month = utcMonth(at);
    const minute = utcMinute(at);
    const resetInSeconds = 60 - at.getUTCSeconds();
    const names = { '#m': `rate_${keyId}_minute`, '#n': `rate_${keyId}_count`, '#month': 'month', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey };
    const common = {
      ':one': 1, ':minute': minute, ':limit': limits.perMonth, ':tenant': tenantId, ':month': month,
      ':gpk': usageShard(tenantId), ':gsk': `${month}#${tenantId}`, ':ttl': Math.floor(at.getTime() / 1000) + USAGE_TTL_SECONDS,
    };
    const itemFields = 'tenant_id = :tenant, #month = :month, #gpk = :gpk, #gsk = :gsk, expires_at = if_not_exists(expires_at, :ttl)';
    const attempts = [
      { // same minute as the key's last send
        UpdateExpression: `ADD used :one, #n :one SET ${itemFields}`,
        ConditionExpression: '#m = :minute AND #n < :rate AND used < :limit',
        ExpressionAttributeValues: { ...common, ':rate': limits.perMinute },
      },
      { // the key's first send of this minute (or ever)
        UpdateExpression: `ADD used :one SET #m = :minute, #n = :one, ${itemFields}`,
        ConditionExpression: '(attribute_not_exists(#m) OR #m <> :minute) AND (attribute_not_exists(used) OR used < :limit)',
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
          return { reserved: true, month, used: Number(Attributes?.used ?? 1), rate: { count, limit: limits.perMinute, allowed: true, resetInSeconds } };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ConsistentRead: true }));
      const sameMinute = Item?.[names['#m']] === minute;
      const count = sameMinute ? Number(Item?.[names['#n']] ?? 0) : 0;
      const used = Number(Item?.used ?? 0);
      if (sameMinute && count >= limits.perMinute) {
        return { reserved: false, month, used, rate: { count: limits.perMinute + 1, limit: limits.perMinute, allowed: false, resetInSeconds } };
      }
      if (used >= limits.perMonth) {
        return { reserved: false, month, used, rate: { count, limit: limits.perMinute, allowed: true, resetInSeconds } };
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
          const { Attributes } = await this.db.send(new UpdateCommand({
            TableName: this.tableName, Key: relayKeys.usage(tenantId, month), ExpressionAttributeNames: names, ReturnValues: 'UPDATED_NEW', ...attempt,
          }));
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
  async reserveMonthly(tenantId: string, perMonth: number, at: Date): Promise<{ reserved: boolean; month: string }> {
    const month = utcMonth(at);
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.usage(tenantId, month),
        UpdateExpression: 'ADD used :one SET tenant_id = :tenant, #month = :month, #gpk = :gpk, #gsk = :gsk, expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
        ExpressionAttributeNames: { '#month': 'month', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
        ExpressionAttributeValues: {
          ':one': 1, ':limit': perMonth, ':tenant': tenantId, ':month': month, ':gpk': usageShard(tenantId), ':gsk': `${month}#${tenantId}`,
          ':ttl': Math.floor(at.getTime() / 1000) + USAGE_TTL_SECONDS,
        },
      }));
      return { reserved: true, month };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { reserved: false, month };
      throw error;
    }
  }

  /** Gives back a reservation SES did not turn into an accepted message. Never goes below zero. */
  async releaseMonthly(tenantId: string, month: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.usage(tenantId, month),
        UpdateExpression: 'ADD used :minusOne',
        ConditionExpression: 'used > :zero',
        ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
      }));
    } catch (error) {
      // Already zero or deleted by a reset: nothing to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
