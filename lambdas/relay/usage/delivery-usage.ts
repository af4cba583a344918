/**
 * The `delivery` part of `GET /api/usage`: the last 30 days' sends, deliveries, hard bounces and
 * complaints of the tenant (and, per day, SES's rejects) (the daily counts the delivery-events function keeps, one Query), and
 * the bounce and complaint rates against SES's review thresholds (AWS puts an account under review
 * at a 5 % bounce rate or a 0.1 % complaint rate; we warn at half of each).
 *
 * Null when the tenant's account sends no events: a config without the stack's configuration set.
 */
import type { ByocConfigStore } from '../store/config-store';
import { DELIVERY_RETENTION_DAYS, utcDay, type DeliveryStore } from '../store/delivery-store';

export const SES_REVIEW_RATES = { bounce: 0.05, complaint: 0.001 } as const;
export const WARNING_RATES = { bounce: 0.025, complaint: 0.0005 } as const;
const DAY_MS = 86_400_000;

/** One UTC day: SES's Send (accepted), Delivery, hard Bounce, Complaint and Reject events. */
export interface DeliveryDay { date: string; sent: number; delivered: number; bounced: number; complained: number; rejected: number }

export interface DeliveryUsage {
  window_days: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  bounce_rate: number | null;
  complaint_rate: number | null;
  bounce_review_rate: number;
  complaint_review_rate: number;
  bounce_warning_rate: number;
  complaint_warning_rate: number;
  state: 'ok' | 'warning' | 'review_risk';
  /** Every day of the window, oldest first (days without events count 0). */
  days: DeliveryDay[];
}

export function deliveryState(bounceRate: number | null, complaintRate: number | null): DeliveryUsage['state'] {
  const reaches = (rate: number | null, threshold: number) => rate !== null && rate >= threshold;
  if (reaches(bounceRate, SES_REVIEW_RATES.bounce) || reaches(complaintRate, SES_REVIEW_RATES.complaint)) return 'review_risk';
  if (reaches(bounceRate, WARNING_RATES.bounce) || reaches(complaintRate, WARNING_RATES.complaint)) return 'warning';
  return 'ok';
}

export class DeliveryUsageReader {
  constructor(private readonly configs: Pick<ByocConfigStore, 'get'>, private readonly deliveries: Pick<DeliveryStore, 'days'>) {}

  async read(tenantId: string, at: Date): Promise<DeliveryUsage | null> {
    const config = await this.configs.get(tenantId);
    if (!config?.configuration_set) return null;
    const dates = Array.from({ length: DELIVERY_RETENTION_DAYS }, (_, i) => utcDay(new Date(at.getTime() - (DELIVERY_RETENTION_DAYS - 1 - i) * DAY_MS)));
    const stored = new Map((await this.deliveries.days(tenantId, dates[0]!, dates.at(-1)!)).map((d) => [d.date, d]));
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
}
