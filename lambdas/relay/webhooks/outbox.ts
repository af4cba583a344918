/**
 * The port between what happened (a delivery event recorded, later a health transition) and the
 * tenant's webhook endpoint. Callers hand over a notification; the outbox decides whether the
 * tenant subscribes to that type and queues it for signed, retried delivery. Recipients travel in
 * `data` in transit only: an outbox never writes a notification to a table or a log.
 */

/** Resend-style event types (plus the relay's own), as the customer subscribes to them. */
export const WEBHOOK_EVENT_TYPES = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.suppressed',
  'email.failed',
  // Account health transitions (health/health-events.ts says when each is sent).
  'byoc.role_failed',
  'byoc.permission_missing',
  'byoc.sending_paused',
  'byoc.sandbox',
  'byoc.recovered',
  'domain.verification_failed',
  'domain.dkim_failed',
  'domain.mail_from_failed',
  'domain.recovered',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookNotification {
  /** Stable across retries and duplicates (the Standard Webhooks `webhook-id`): `msg_` + the source event's id. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  created_at: string;
  /** Resend-style: `{ email_id, created_at, from, to, subject?, bounce?, … }`. */
  data: Record<string, unknown>;
}

export interface WebhookOutbox {
  /** Resolves once the notification is durably queued (or the tenant does not subscribe to its type). */
  enqueue(tenantId: string, notification: WebhookNotification): Promise<void>;
}
