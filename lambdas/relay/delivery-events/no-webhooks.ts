/**
 * A placeholder outbox until the webhook outboxes are wired in (webhooks/): it queues nothing.
 * Local mode and the Lambda entry pass it for now; the notification is dropped in memory, never
 * written or logged.
 */
import type { WebhookOutbox } from '../webhooks/outbox';

export const noWebhooks: WebhookOutbox = {
  enqueue: async () => undefined,
};
