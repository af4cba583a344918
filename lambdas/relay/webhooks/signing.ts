/**
 * Standard Webhooks signing (standardwebhooks.com): `webhook-id` (stable across retries),
 * `webhook-timestamp` (seconds, this attempt's time) and `webhook-signature` (`v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">`), computed by the `standardwebhooks` package, the reference
 * implementation customers verify with.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookNotification } from './outbox';

/** A new signing secret: `whsec_` + base64 of 32 bytes from the CSPRNG (the format the package reads). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The request body: the notification without its id (the id travels in `webhook-id`). */
export const webhookBody = (notification: WebhookNotification): string =>
  JSON.stringify({ type: notification.type, created_at: notification.created_at, data: notification.data });

export function signedHeaders(secret: string, notificationId: string, at: Date, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': notificationId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(notificationId, at, body),
  };
}
