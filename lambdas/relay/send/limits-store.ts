/**
 * The send path's two counters, each one conditional write, exact under any concurrency:
 *
 * - Rate window: per API key per UTC minute (fixed window), `RATE#<key>#<minute>`, TTL 2 minutes.
 * - Monthly count (Starter only): `TENANT#<id>` / `USAGE#<yyyy-mm>`. The month is part of the key,
 *   so a new month starts at zero at 00:00:00 UTC by construction, whether or not the monthly
 *   reset has run; the reset only deletes old months' numbers. A reservation is made before SES is
 *   called and released if SES does not accept the message.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

  /** Counts one send against the month's limit; false when the limit is reached. */
  async reserveMonthly(tenantId: string, limit: number, at: Date): Promise<{ reserved: boolean; used: number; month: string }> {
    const month = utcMonth(at);
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: relayKeys.usage(tenantId, month),
        UpdateExpression: 'ADD used :one SET tenant_id = :tenant, #month = :month, #gpk = :gpk, #gsk = :gsk, expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
        ExpressionAttributeNames: { '#month': 'month', '#gpk': GSI1.partitionKey, '#gsk': GSI1.sortKey },
        ExpressionAttributeValues: {
          ':one': 1, ':limit': limit, ':tenant': tenantId, ':month': month,
          ':gpk': usageShard(tenantId), ':gsk': `${month}#${tenantId}`,
          ':ttl': Math.floor(at.getTime() / 1000) + USAGE_TTL_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }));
      return { reserved: true, used: Number(Attributes?.used ?? 1), month };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { reserved: false, used: limit, month };
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
