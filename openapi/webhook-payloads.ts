/**
 * The OpenAPI 3.1 `webhooks` section: what SendFleet POSTs to a customer's endpoint, one entry per
 * event type (lambdas/relay/webhooks/outbox.ts), each with an example. Build time only.
 */
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../lambdas/relay/webhooks/outbox';

type Json = Record<string, unknown>;

const WHAT: Record<WebhookEventType, string> = {
  'email.sent': 'SES accepted the message for delivery (its `send` event).',
  'email.delivered': 'The recipient\'s mail server accepted the message.',
  'email.delivery_delayed': 'Delivery is delayed (for example the recipient\'s mailbox is full); SES keeps trying.',
  'email.bounced': 'The message bounced; `bounce.type` `Permanent` means SES puts the address on your account\'s suppression list.',
  'email.complained': 'The recipient marked the message as spam; SES puts the address on your account\'s suppression list.',
  'email.suppressed': 'SES did not send to this address: it is on your account\'s suppression list (remove it in the SES console or with the SES API).',
  'email.failed': 'SES rejected the message or could not render it.',
  'byoc.role_failed': 'The account health check can no longer assume your SendFleet-BYOC-Role (deleted, or its trust policy edited).',
  'byoc.permission_missing': 'The role may no longer call an SES action SendFleet needs.',
  'byoc.sending_paused': 'SES sending is paused for your account in the configured region.',
  'byoc.sandbox': 'Your SES account is back in the sandbox in the configured region.',
  'byoc.recovered': 'An account check that was failing passes again (`data.check` names it).',
  'domain.verification_failed': 'SES reports the domain\'s ownership (TXT) verification as failed.',
  'domain.dkim_failed': 'SES reports the domain\'s DKIM as failed (a CNAME removed in a DNS change?).',
  'domain.mail_from_failed': 'SES reports the domain\'s custom MAIL FROM as failed (its MX removed?).',
  'domain.recovered': 'A domain record that was failing is verified again.',
};

const isHealthEvent = (type: WebhookEventType): boolean => type.startsWith('byoc.') || type.startsWith('domain.');

/** Health transitions carry statuses and SendFleet's own words: no message, no address. */
function healthDataSchema(type: WebhookEventType): Json {
  const common: Json = {
    status: { type: 'string', description: 'The status now.' },
    previous_status: { type: ['string', 'null'] },
    since: { type: 'string', format: 'date-time', description: 'Since when the status is what it is now.' },
    previous_since: { type: ['string', 'null'], format: 'date-time' },
  };
  return type.startsWith('byoc.')
    ? { type: 'object', required: ['check', 'status'], properties: { check: { enum: ['assume_role', 'sending_enabled', 'production_access'] }, code: { type: ['string', 'null'] }, detail: { type: ['string', 'null'], description: 'What to check, in SendFleet\'s words.' }, ...common } }
    : { type: 'object', required: ['domain', 'record', 'status'], properties: { domain: { type: 'string' }, record: { enum: ['ownership', 'dkim', 'mail_from'] }, ...common } };
}

const EXTRA: Partial<Record<WebhookEventType, Json>> = {
  'email.bounced': { bounce: { type: 'Permanent', sub_type: 'General' } },
  'email.suppressed': { bounce: { type: 'Permanent', sub_type: 'OnAccountSuppressionList' } },
  'email.complained': { complaint: { feedback_type: 'abuse' } },
  'email.delivery_delayed': { delay: { type: 'MailboxFull' } },
  'email.failed': { failure: { reason: 'reject' } },
};

const HEADERS: Json = {
  'webhook-id': { description: 'The notification\'s id (`msg_…`): the same on every retry; deduplicate on it.', required: true, schema: { type: 'string' } },
  'webhook-timestamp': { description: 'This attempt\'s time, seconds since the epoch (reject old ones to stop replays).', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
  'webhook-signature': { description: '`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with your signing secret (Standard Webhooks; verify with the `standardwebhooks` package).', required: true, schema: { type: 'string' } },
};

function payloadSchema(type: WebhookEventType): Json {
  if (isHealthEvent(type)) {
    return { type: 'object', required: ['type', 'created_at', 'data'], properties: { type: { const: type }, created_at: { type: 'string', format: 'date-time', description: 'When the check saw the change.' }, data: healthDataSchema(type) } };
  }
  return {
    type: 'object',
    required: ['type', 'created_at', 'data'],
    properties: {
      type: { const: type },
      created_at: { type: 'string', format: 'date-time', description: 'When the event happened.' },
      data: {
        type: 'object',
        required: ['email_id'],
        description: 'Resend-style: the message\'s id (as send returned it), its sender and recipients, and the event\'s details.',
        properties: {
          email_id: { type: 'string' },
          created_at: { type: 'string', format: 'date-time', description: 'When the message was sent.' },
          from: { type: 'string' },
          to: { type: 'array', items: { type: 'string' } },
          bounce: { type: 'object', description: 'email.bounced, email.suppressed: SES\'s bounce type and subtype.', properties: { type: { type: 'string' }, sub_type: { type: 'string' } } },
          complaint: { type: 'object', description: 'email.complained: the feedback type, when the mailbox provider gave one.', properties: { feedback_type: { type: 'string' } } },
          delay: { type: 'object', description: 'email.delivery_delayed: SES\'s delay type.', properties: { type: { type: 'string' } } },
          failure: { type: 'object', description: 'email.failed: what failed.', properties: { reason: { type: 'string' } } },
        },
        additionalProperties: true,
      },
    },
  };
}

function example(type: WebhookEventType): Json {
  if (type.startsWith('byoc.')) {
    return { type, created_at: '2026-12-04T12:00:03.000Z', data: { check: type === 'byoc.sending_paused' ? 'sending_enabled' : type === 'byoc.sandbox' ? 'production_access' : 'assume_role', status: type === 'byoc.recovered' ? 'passing' : 'failing', previous_status: type === 'byoc.recovered' ? 'failing' : 'passing', code: null, detail: null, since: '2026-12-04T12:00:03.000Z', previous_since: '2026-12-01T08:00:00.000Z' } };
  }
  if (type.startsWith('domain.')) {
    const record = type === 'domain.dkim_failed' ? 'dkim' : type === 'domain.mail_from_failed' ? 'mail_from' : 'ownership';
    return { type, created_at: '2026-12-04T12:00:03.000Z', data: { domain: 'example.com', record, status: type === 'domain.recovered' ? 'Success' : 'Failed', previous_status: type === 'domain.recovered' ? 'Failed' : 'Success', since: '2026-12-04T12:00:03.000Z', previous_since: '2026-12-01T08:00:00.000Z' } };
  }
  return {
    type,
    created_at: '2026-12-04T10:15:30.000Z',
    data: { email_id: '0100019312abcdef-1234abcd-5678-90ab-cdef-1234567890ab-000000', created_at: '2026-12-04T10:15:29.000Z', from: 'billing@example.com', to: ['customer@example.org'], ...EXTRA[type] },
  };
}

export function webhookOperations(): Record<string, Json> {
  return Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, {
    post: {
      operationId: `webhook_${type.replace('.', '_')}`,
      tags: ['Webhooks'],
      summary: `${type}: ${WHAT[type]}`,
      // SendFleet calls you: the signature headers are the authentication.
      security: [],
      description: 'POSTed to your endpoint (PUT /api/webhooks) when you subscribe to this type. Signed per Standard Webhooks; answer 2xx within 10 s. Retries after a failure (any other status, a redirect, no answer): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, with the same `webhook-id`; then the notification is dropped. Delivery is at least once: deduplicate on `webhook-id`.',
      parameters: Object.entries(HEADERS).map(([name, header]) => ({ name, in: 'header', ...(header as Json) })),
      requestBody: { required: true, content: { 'application/json': { schema: payloadSchema(type), example: example(type) } } },
      responses: { '200': { description: 'Any 2xx: delivered.' } },
    },
  }]));
}
