/**
 * The delivery-events use case: one SES event forwarded by a customer's SendFleet-BYOC stack.
 *
 * Accepted only when its envelope's `account` (set by EventBridge to the account SES published in,
 * which a forwarder cannot choose) is one a tenant's stack registered, and its
 * `ses:configuration-set` tag is that registration's set. Then the event joins its message's
 * timeline and its day's count, once per event id, and the Resend-style notification goes to the
 * tenant's webhook outbox. Anything else is dropped and counted, never thrown: a retry would
 * bring the same answer (the function throws only when a store or the outbox fails).
 *
 * A duplicate (EventBridge delivers at least once) changes nothing stored, and its notification
 * is handed over again with the same id: if the first delivery failed after recording, this is
 * the webhook's only chance; a receiver de-duplicates by `webhook-id`.
 */
import type { ByocConfigStore } from '../store/config-store';
import type { DeliveryStore } from '../store/delivery-store';
import type { WebhookOutbox } from '../webhooks/outbox';
import { notificationOf, parseSesEvent, timelineEventOf } from './parse';
import { counterOf } from './timeline';

export type DropReason = 'malformed' | 'unknown_account' | 'wrong_configuration_set';

export type IngestOutcome =
  | { outcome: 'recorded' | 'duplicate'; tenantId: string; eventType: string }
  | { outcome: 'dropped'; reason: DropReason };

export interface IngestDeps {
  configs: Pick<ByocConfigStore, 'eventSource'>;
  deliveries: Pick<DeliveryStore, 'record'>;
  outbox: WebhookOutbox;
  now: () => Date;
}

export async function ingestSesEvent(deps: IngestDeps, input: unknown): Promise<IngestOutcome> {
  const event = parseSesEvent(input);
  if (!event) return { outcome: 'dropped', reason: 'malformed' };
  const source = await deps.configs.eventSource(event.account);
  if (!source) return { outcome: 'dropped', reason: 'unknown_account' };
  const sets = event.detail.mail.tags['ses:configuration-set'] ?? [];
  if (sets.length !== 1 || sets[0] !== source.configuration_set) return { outcome: 'dropped', reason: 'wrong_configuration_set' };

  const entry = timelineEventOf(event);
  const outcome = await deps.deliveries.record({
    tenantId: source.tenant_id, messageId: event.detail.mail.messageId, eventId: event.id,
    createdAt: event.detail.mail.timestamp, event: entry, counter: counterOf(entry),
  }, deps.now());
  await deps.outbox.enqueue(source.tenant_id, notificationOf(event, entry));
  return { outcome, tenantId: source.tenant_id, eventType: entry.type };
}
