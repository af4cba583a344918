/**
 * The shape of `GET /api/usage`'s `delivery`, apart from the code that computes it: it imports
 * nothing, so the dashboard's browser bundle reads the same types (type-only, erased by esbuild).
 */

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
