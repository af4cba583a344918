/**
 * A message's delivery status as the APIs present it: ours (`GET /api/messages/{id}`, the whole
 * timeline) and Resend's (`GET /emails/{id}`, its email object with `last_event`). SendFleet holds
 * no content, sender or recipient of a message: Resend's fields for those are null, always.
 */
import { ApiError } from '../../shared/errors';
import { inOrder, messageStatus, type MessageStatus } from '../delivery-events/timeline';
import type { DeliveryStore, MessageTimeline } from '../store/delivery-store';

/** What send returned: SES's message id. */
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,128}$/;

export const messageNotFound = (id: string) => new ApiError('message_not_found',
  `No delivery event of yours has message id ${MESSAGE_ID.test(id) ? id : '(that id)'} in the last 30 days. Give the id a send returned; events arrive seconds after the send, only for accounts connected through the SendFleet-BYOC stack (GET /api/byoc/config), and are kept 30 days.`);

/** The tenant's timeline of `id`, or 404 message_not_found (also for another tenant's message: the same answer). */
export async function findTimeline(deliveries: Pick<DeliveryStore, 'timeline'>, tenantId: string, id: string): Promise<MessageTimeline & { status: MessageStatus; lastEventAt: string }> {
  const timeline = MESSAGE_ID.test(id) ? await deliveries.timeline(tenantId, id) : undefined;
  const status = timeline && messageStatus(timeline.events);
  if (!timeline || !status) throw messageNotFound(id);
  return { ...timeline, ...status };
}

export function presentMessage(found: Awaited<ReturnType<typeof findTimeline>>) {
  return { success: true, id: found.message_id, status: found.status, events: inOrder(found.events), last_event_at: found.lastEventAt };
}

/** Resend's `last_event` for our status (Resend has no rejected or rendering failure: both are its `failed`). */
const RESEND_LAST_EVENT: Record<MessageStatus, string> = {
  sent: 'sent', delivered: 'delivered', delivery_delayed: 'delivery_delayed', bounced: 'bounced',
  complained: 'complained', suppressed: 'suppressed', rejected: 'failed', rendering_failed: 'failed',
};

export function presentResendEmail(found: Awaited<ReturnType<typeof findTimeline>>) {
  return {
    object: 'email', id: found.message_id, created_at: found.created_at, last_event: RESEND_LAST_EVENT[found.status],
    // Never held by SendFleet (it stores no content or address).
    from: null, to: null, cc: null, bcc: null, reply_to: null, subject: null, html: null, text: null, scheduled_at: null, tags: null,
  };
}
