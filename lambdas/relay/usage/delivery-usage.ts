/**
 * The `delivery` part of `GET /api/usage`: the last 30 days' sends, deliveries, hard bounces and
 * complaints of the tenant (and, per day, SES's rejects) (the daily counts the delivery-events function keeps, one Query), and
 * the bounce and complaint rates against SES's review thresholds (AWS puts an account under review
 * at a 5 % bounce rate or a 0.1 % complaint rate; we warn at half of each).
 *
 * Null when the tenant's account sends no events: a config without the stack's configuration set.
 * The same day items also hold the relay's refusals of sends (`refusals`, for every tenant).
 */
import type { ByocConfigStore } from '../store/config-store';
import type { DeliveryDay, DeliveryUsage } from './delivery-usage-shape';
import { DELIVERY_RETENTION_DAYS, REFUSED_PREFIX, utcDay, type DailyCounts, type DeliveryStore } from '../store/delivery-store';

export const SES_REVIEW_RATES = { bounce: 0.05, complaint: 0.001 } as const;
export const WARNING_RATES = { bounce: 0.025, complaint: 0.0005 } as const;
const DAY_MS = 86_400_000;

export type { DeliveryDay, DeliveryUsage } from './delivery-usage-shape';

export function deliveryState(bounceRate: number | null, complaintRate: number | null): DeliveryUsage['state'] {
  const reaches = (rate: number | null, threshold: number) => rate !== null && rate >= threshold;
  if (reaches(bounceRate, SES_REVIEW_RATES.bounce) || reaches(complaintRate, SES_REVIEW_RATES.complaint)) return 'review_risk';
  if (reaches(bounceRate, WARNING_RATES.bounce) || reaches(complaintRate, WARNING_RATES.complaint)) return 'warning';
  return 'ok';
}

/** The relay's own refusals of sends per UTC day of the window, by error code (refusal-counts.ts). */
export interface RefusalUsage {
  window_days: number;
  /** Every day of the window, oldest first: the day's total and its codes (days without refusals: 0, {}). */
  days: Array<{ date: string; refused: number; codes: Record<string, number> }>;
}

export class DeliveryUsageReader {
  constructor(private readonly configs: Pick<ByocConfigStore, 'get'>, private readonly deliveries: Pick<DeliveryStore, 'days'>) {}

  /** Both from the same day items, in one Query (and the config's read). */
  async read(tenantId: string, at: Date): Promise<{ delivery: DeliveryUsage | null; refusals: RefusalUsage }> {
    const dates = Array.from({ length: DELIVERY_RETENTION_DAYS }, (_, i) => utcDay(new Date(at.getTime() - (DELIVERY_RETENTION_DAYS - 1 - i) * DAY_MS)));
    const [config, counted] = await Promise.all([this.configs.get(tenantId), this.deliveries.days(tenantId, dates[0]!, dates.at(-1)!)]);
    const stored = new Map(counted.map((d) => [d.date, d]));
    const refusals: RefusalUsage = {
      window_days: DELIVERY_RETENTION_DAYS,
      days: dates.map((date) => {
        const codes = Object.fromEntries(Object.entries(stored.get(date) ?? {})
          .filter(([name]) => name.startsWith(REFUSED_PREFIX)).map(([name, count]) => [name.slice(REFUSED_PREFIX.length), Number(count)]));
        return { date, refused: Object.values(codes).reduce((sum, n) => sum + n, 0), codes };
      }),
    };
    return { delivery: config?.configuration_set ? deliveryUsage(dates, stored) : null, refusals };
  }
}

function deliveryUsage(dates: string[], stored: Map<string, DailyCounts>): DeliveryUsage {
  const days = dates.map((date) => {
    const d = stored.get(date);
    return { date, sent: Number(d?.sent ?? 0), delivered: Number(d?.delivered ?? 0), bounced: Number(d?.bounced ?? 0), complained: Number(d?.complained ?? 0), rejected: Number(d?.rejected ?? 0) };
  });
  const total = (field: keyof Omit<DeliveryDay, 'date'>) => days.reduce((sum, d) => sum + d[field], 0);
  const [sent, delivered, bounced, complained] = [total('sent'), total('delivered'), total('bounced'), total('complained')];
  const bounceRate = sent === 0 ? null : bounced / sent;
  const complaintRate = sent === 0 ? null : complained / sent;
  return {
    window_days: DELIVERY_RETENTION_DAYS, sent, delivered, bounced, complained, bounce_rate: bounceRate, complaint_rate: complaintRate,
    bounce_review_rate: SES_REVIEW_RATES.bounce, complaint_review_rate: SES_REVIEW_RATES.complaint,
    bounce_warning_rate: WARNING_RATES.bounce, complaint_warning_rate: WARNING_RATES.complaint,
    state: deliveryState(bounceRate, complaintRate), days,
  };
}
