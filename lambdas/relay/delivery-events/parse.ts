/**
 * An SES event as EventBridge delivers it to the relay's delivery-events bus (shared/ses-events.ts),
 * parsed with zod: only what the relay reads, each field bounded. Anything else is malformed and
 * dropped by the caller. Also: the one event → timeline entry, and → webhook notification.
 *
 * SES's classifications (bounce type and subtype, complaint feedback type, delay type) are stored,
 * so they must be SES's vocabulary and nothing else: a value outside it is kept as `Other` (the
 * event still counts), never stored as sent.
 */
import * as z from 'zod/mini';
import { SES_DETAIL_TYPES, SES_EVENT_SOURCE, type SesEventType } from '../../shared/ses-events';
import type { WebhookEventType, WebhookNotification } from '../webhooks/outbox';
import { SUPPRESSED_SUB_TYPE, TIMELINE_TYPE_OF, type TimelineEvent } from './timeline';

const timestamp = z.string().check(z.maxLength(64), z.refine((value) => !Number.isNaN(Date.parse(value))));
const classification = z.optional(z.string().check(z.maxLength(256)));

const detailSchema = z.object({
  eventType: z.enum(Object.keys(SES_DETAIL_TYPES) as [SesEventType, ...SesEventType[]]),
  mail: z.object({
    timestamp,
    // SES's message id (what send returned); it becomes a key.
    messageId: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/)),
    source: z.string().check(z.maxLength(2048)),
    destination: z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(1000)),
    tags: z.record(z.string().check(z.maxLength(256)), z.array(z.string().check(z.maxLength(256)))),
    commonHeaders: z.optional(z.object({ subject: z.optional(z.string().check(z.maxLength(4096))) })),
  }),
  delivery: z.optional(z.object({ timestamp })),
  bounce: z.optional(z.object({ bounceType: z.string().check(z.maxLength(64)), bounceSubType: classification, timestamp })),
  complaint: z.optional(z.object({ timestamp, complaintFeedbackType: classification })),
  deliveryDelay: z.optional(z.object({ timestamp, delayType: classification })),
});

const envelopeSchema = z.object({
  version: z.literal('0'),
  id: z.string().check(z.regex(/^[A-Za-z0-9-]{1,128}$/)),
  'detail-type': z.string().check(z.maxLength(128)),
  source: z.literal(SES_EVENT_SOURCE),
  account: z.string().check(z.regex(/^\d{12}$/)),
  time: timestamp,
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)),
  detail: detailSchema,
});

export type SesEvent = z.infer<typeof envelopeSchema>;

/** The envelope, or undefined when it is not an SES event the relay reads (its detail-type must match its eventType). */
export function parseSesEvent(input: unknown): SesEvent | undefined {
  const parsed = envelopeSchema.safeParse(input);
  if (!parsed.success) return undefined;
  return parsed.data['detail-type'] === SES_DETAIL_TYPES[parsed.data.detail.eventType] ? parsed.data : undefined;
}

/** SES's vocabularies (AWS: "Contents of event data that Amazon SES publishes"); anything else reads `Other`. */
const BOUNCE_TYPES = new Set(['Undetermined', 'Permanent', 'Transient']);
const BOUNCE_SUB_TYPES = new Set(['Undetermined', 'General', 'NoEmail', 'Suppressed', SUPPRESSED_SUB_TYPE, 'MailboxFull', 'MessageTooLarge', 'ContentRejected', 'AttachmentRejected']);
const FEEDBACK_TYPES = new Set(['abuse', 'auth-failure', 'fraud', 'not-spam', 'other', 'virus']);
const DELAY_TYPES = new Set(['InternalFailure', 'General', 'MailboxFull', 'SpamDetected', 'RecipientServerError', 'IPFailure', 'TransientCommunicationFailure', 'BYOIPHostNameLookupUnavailable', 'Undetermined', 'SendingDeferral']);
const known = (vocabulary: ReadonlySet<string>, value: string | undefined) => (value === undefined ? undefined : vocabulary.has(value) ? value : 'Other');

/** The timeline entry of an event: its type, its own time, SES's classification; nothing else. */
export function timelineEventOf(event: SesEvent): TimelineEvent {
  const { detail } = event;
  const type = TIMELINE_TYPE_OF[detail.eventType];
  switch (detail.eventType) {
    case 'Send': return { type, at: detail.mail.timestamp };
    case 'Delivery': return { type, at: detail.delivery?.timestamp ?? event.time };
    case 'Bounce': return {
      type, at: detail.bounce?.timestamp ?? event.time,
      bounce_type: known(BOUNCE_TYPES, detail.bounce?.bounceType) ?? 'Undetermined',
      bounce_sub_type: known(BOUNCE_SUB_TYPES, detail.bounce?.bounceSubType) ?? 'Undetermined',
    };
    case 'Complaint': {
      const feedback = known(FEEDBACK_TYPES, detail.complaint?.complaintFeedbackType);
      return { type, at: detail.complaint?.timestamp ?? event.time, ...(feedback ? { complaint_feedback_type: feedback } : {}) };
    }
    case 'DeliveryDelay': return { type, at: detail.deliveryDelay?.timestamp ?? event.time, delay_type: known(DELAY_TYPES, detail.deliveryDelay?.delayType) ?? 'Undetermined' };
    case 'Reject':
    case 'Rendering Failure':
      return { type, at: event.time };
  }
}

const WEBHOOK_TYPE_OF: Record<TimelineEvent['type'], WebhookEventType> = {
  send: 'email.sent',
  delivery: 'email.delivered',
  delivery_delay: 'email.delivery_delayed',
  bounce: 'email.bounced',
  complaint: 'email.complained',
  reject: 'email.failed',
  rendering_failure: 'email.failed',
};

/**
 * The Resend-style notification of an event. Sender, recipients and subject travel in it to the
 * customer's endpoint (they need them) and are never written anywhere by the relay.
 */
export function notificationOf(event: SesEvent, entry: TimelineEvent): WebhookNotification {
  const { mail } = event.detail;
  const type = entry.type === 'bounce' && entry.bounce_sub_type === SUPPRESSED_SUB_TYPE ? 'email.suppressed' : WEBHOOK_TYPE_OF[entry.type];
  return {
    id: `msg_${event.id}`,
    type,
    created_at: entry.at,
    data: {
      email_id: mail.messageId,
      created_at: mail.timestamp,
      from: mail.source,
      to: mail.destination,
      ...(mail.commonHeaders?.subject !== undefined ? { subject: mail.commonHeaders.subject } : {}),
      ...(entry.bounce_type ? { bounce: { type: entry.bounce_type, subType: entry.bounce_sub_type } } : {}),
      ...(entry.complaint_feedback_type ? { complaint: { feedback_type: entry.complaint_feedback_type } } : {}),
      ...(entry.delay_type ? { delivery_delay: { type: entry.delay_type } } : {}),
    },
  };
}
