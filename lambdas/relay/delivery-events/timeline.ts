/**
 * What the relay keeps of a message's life after the send, and how it reads: per SES message id a
 * timeline of events (type, time, SES's own classification of a bounce, complaint or delay) and
 * the status that timeline gives. Never an address, subject, header, diagnostic code, SMTP
 * response or reject reason: those can quote the message or its recipients.
 *
 * Used by the delivery-events function (which writes timelines and counts) and by the message and
 * usage routes (which read them): one vocabulary for both.
 */
import type { SesEventType } from '../../shared/ses-events';

/** The event types of a timeline, as the API names them. */
export const TIMELINE_EVENT_TYPES = ['send', 'delivery', 'delivery_delay', 'bounce', 'complaint', 'reject', 'rendering_failure'] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

export const MESSAGE_STATUSES = ['sent', 'delivered', 'delivery_delayed', 'bounced', 'complained', 'suppressed', 'rejected', 'rendering_failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const TIMELINE_TYPE_OF: Record<SesEventType, TimelineEventType> = {
  Send: 'send',
  Delivery: 'delivery',
  DeliveryDelay: 'delivery_delay',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  'Rendering Failure': 'rendering_failure',
};

export interface TimelineEvent {
  type: TimelineEventType;
  /** When it happened (ISO 8601, SES's own timestamp where the event has one). */
  at: string;
  bounce_type?: string;
  bounce_sub_type?: string;
  complaint_feedback_type?: string;
  delay_type?: string;
}

/** SES's bounce subtype for a recipient on the account's suppression list: SES dropped the message. */
export const SUPPRESSED_SUB_TYPE = 'OnAccountSuppressionList';

/** What one event says about the message. */
export function statusOf(event: TimelineEvent): MessageStatus {
  switch (event.type) {
    case 'send': return 'sent';
    case 'delivery': return 'delivered';
    case 'delivery_delay': return 'delivery_delayed';
    case 'bounce': return event.bounce_sub_type === SUPPRESSED_SUB_TYPE ? 'suppressed' : 'bounced';
    case 'complaint': return 'complained';
    case 'reject': return 'rejected';
    case 'rendering_failure': return 'rendering_failed';
  }
}

/**
 * Events at the same instant: the later stage wins (a delivery over its send, a complaint over
 * the delivery it follows). EventBridge does not keep order, so events are ordered by time first.
 */
const STAGE: Record<TimelineEventType, number> = { send: 0, delivery_delay: 1, delivery: 2, reject: 3, rendering_failure: 3, bounce: 4, complaint: 5 };

/** The timeline in the order things happened. */
export function inOrder(events: readonly TimelineEvent[]): TimelineEvent[] {
  return [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || STAGE[a.type] - STAGE[b.type]);
}

/** The message's status: what its latest event says. Undefined for an empty timeline. */
export function messageStatus(events: readonly TimelineEvent[]): { status: MessageStatus; lastEventAt: string } | undefined {
  const last = inOrder(events).at(-1);
  return last ? { status: statusOf(last), lastEventAt: last.at } : undefined;
}

/**
 * The daily counter an event adds to (TENANT#<id>/DELIVERYDAY#<day>). `bounced` counts hard
 * bounces only and not the suppression list's, as SES's bounce rate does; the others have their own.
 */
export function counterOf(event: TimelineEvent): string {
  switch (event.type) {
    case 'send': return 'sent';
    case 'delivery': return 'delivered';
    case 'delivery_delay': return 'delayed';
    case 'bounce':
      if (event.bounce_sub_type === SUPPRESSED_SUB_TYPE) return 'suppressed';
      return event.bounce_type === 'Permanent' ? 'bounced' : 'bounced_transient';
    case 'complaint': return 'complained';
    case 'reject': return 'rejected';
    case 'rendering_failure': return 'rendering_failed';
  }
}
