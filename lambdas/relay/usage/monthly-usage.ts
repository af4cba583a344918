/**
 * Read-only view of a tenant's usage this month, for `GET /api/usage`. The count is the one the
 * send path keeps on the month's usage item (`TENANT#<id>` / `USAGE#<yyyy-mm>`, attribute `used`,
 * written by store/limits-store.ts); this module never writes it.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantProfile } from '../store/projection-store';
import { relayKeys, utcMonth } from '../store/relay-table';

export interface MonthlyUsage {
  plan: TenantProfile['plan'];
  /** Calendar month in UTC, `yyyy-mm`. */
  month: string;
  /** Accepted sends counted this month; null when the plan has no monthly limit (nothing is counted). */
  used: number | null;
  /** Accepted sends allowed this month; null when unlimited. */
  limit: number | null;
  sends_per_minute: number;
}

export class MonthlyUsageReader {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async read(profile: TenantProfile, at: Date): Promise<MonthlyUsage> {
    const month = utcMonth(at);
    const base = { plan: profile.plan, month, limit: profile.monthly_sends, sends_per_minute: profile.sends_per_minute };
    // Plans without a monthly limit are not counted per month (the relay stores one number per
    // Starter tenant only): a 0 here would be a false figure, so say "not counted".
    if (profile.monthly_sends === null) return { ...base, used: null };
    const { Item } = await this.db.send(new GetCommand({
      TableName: this.tableName,
      Key: relayKeys.usage(profile.tenant_id, month),
      ProjectionExpression: 'used',
      // Right after a send the customer expects to see it counted.
      ConsistentRead: true,
    }));
    return { ...base, used: Number(Item?.used ?? 0) };
  }
}
