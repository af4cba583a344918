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
};

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
