/**
 * What the customer API answers, as zod/mini schemas: the success bodies of every route and the one
 * error shape. Build time only (the OpenAPI document); the Lambda bundles never import this module.
 * Objects are strict: a field the code adds without adding it here fails the contract check of
 * every integration test that receives it (test/support/contract.ts).
 */
import * as z from 'zod/mini';
import { WEBHOOK_EVENT_TYPES } from '../lambdas/relay/webhooks/outbox';
import { MESSAGE_STATUSES, TIMELINE_EVENT_TYPES } from '../lambdas/relay/delivery-events/timeline';

const isoTime = z.string().check(z.iso.datetime({ offset: true }));
const nullableIsoTime = z.nullable(isoTime);
/** IAM policy and CloudFormation documents: JSON objects whose inner shape AWS defines. */
const jsonObject = z.record(z.string(), z.unknown());

export const errorBody = z.strictObject({
  success: z.literal(false),
  error: z.string(),
  detail: z.string(),
  issues: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  /** A batch too large for the time budget at the account's sending rate: the largest size that fits. */
  max_messages: z.optional(z.number()),
});

export const sendBatchResults = z.strictObject({
  success: z.literal(true),
  results: z.array(z.strictObject({
    index: z.number(),
    success: z.boolean(),
    message_id: z.optional(z.string()),
    error: z.optional(z.string()),
    detail: z.optional(z.string()),
  })),
});

/** Resend's answers on the Resend-compatible routes. */
export const resendEmailSent = z.strictObject({ id: z.string() });
export const resendBatchSent = z.strictObject({
  data: z.array(z.strictObject({ id: z.string() })),
  errors: z.optional(z.array(z.strictObject({ index: z.number(), message: z.string() }))),
});
export const resendErrorBody = z.strictObject({ statusCode: z.number(), name: z.string(), message: z.string() });

/**
 * Resend's documented send body, as /emails accepts it (documentation: the route maps it onto the
 * SendFleet send body, which is then validated by the same schema as POST /api/send).
 */
const resendAddresses = z.union([z.string(), z.array(z.string())]);
export const resendEmailRequest = z.strictObject({
  from: z.string(),
  to: resendAddresses,
  subject: z.string(),
  cc: z.optional(resendAddresses),
  bcc: z.optional(resendAddresses),
  reply_to: z.optional(resendAddresses),
  html: z.optional(z.string()),
  text: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  attachments: z.optional(z.array(z.strictObject({ filename: z.string(), content: z.string(), content_type: z.optional(z.string()), content_id: z.optional(z.string()) }))),
  tags: z.optional(z.array(z.strictObject({ name: z.string(), value: z.string() }))),
});
export const resendBatchRequest = z.array(resendEmailRequest);

export const sendAccepted = z.strictObject({
  success: z.literal(true),
  message: z.string(),
  message_id: z.string().check(z.minLength(1)),
  mode: z.literal('byoc'),
});

const byocStatus = z.enum(['unconfigured', 'pending_validation', 'validated', 'invalid', 'disconnected']);
/** `not_run`: the check needs the role, which could not be assumed (`detail` says so); `ok` is true only when passed. */
const check = z.strictObject({
  name: z.string(),
  ok: z.boolean(),
  status: z.enum(['passed', 'failed', 'not_run']),
  /** A failed check's error code; null when it passed or did not run. */
  code: z.nullable(z.string()),
  detail: z.string(),
});

export const byocConfig = z.strictObject({
  success: z.literal(true),
  external_id: z.string().check(z.regex(/^[0-9a-f]{48}$/)),
  /** During an ExternalId rotation: the one being replaced, still accepted until the new one validates. */
  previous_external_id: z.nullable(z.string().check(z.regex(/^[0-9a-f]{48}$/))),
  role_arn: z.nullable(z.string()),
  region: z.nullable(z.string()),
  status: byocStatus,
  validated_at: nullableIsoTime,
  checks: z.array(check),
  /** The SES configuration set every send names, registered by the stack with delivery events; null for a role saved by hand or an older stack (then no delivery events). */
  configuration_set: z.nullable(z.literal('SendFleet-BYOC-Events')),
  role_name: z.literal('SendFleet-BYOC-Role'),
  relay_account_id: z.string().check(z.regex(/^\d{12}$/)),
  /** The CloudFormation console's quick-create link for the template (null when the relay hosts none). */
  launch_stack_url: z.nullable(z.string().check(z.regex(/^https?:\/\//))),
  /** Why launch_stack_url is null (no hosted template, or one-click is not offered in the config's region); null when there is a link. */
  launch_stack_unavailable_reason: z.nullable(z.string()),
  trust_policy: jsonObject,
  permissions_policy: jsonObject,
  cloudformation_template: jsonObject,
});

export const validationPassed = z.strictObject({
  success: z.literal(true),
  status: byocStatus,
  validated_at: nullableIsoTime,
  checks: z.array(check),
});

/** 422 from validate: the error shape plus the stored status and every check's result. */
export const validationFailed = z.strictObject({
  success: z.literal(false),
  error: z.string(),
  detail: z.string(),
  status: byocStatus,
  checks: z.array(check),
});

const recordStatus = z.enum(['Pending', 'Success', 'Failed', 'TemporaryFailure', 'NotStarted']);

const domainFields = {
  domain: z.string(),
  region: z.string(),
  status: z.enum(['verified', 'pending', 'failed']),
  can_send: z.boolean(),
  statuses: z.strictObject({ ownership: recordStatus, dkim: recordStatus, mail_from: recordStatus }),
  created_at: isoTime,
  checked_at: nullableIsoTime,
};

const dnsRecord = z.strictObject({
  id: z.enum(['ownership', 'dkim1', 'dkim2', 'dkim3', 'mail_from_mx', 'mail_from_spf', 'dmarc']),
  type: z.enum(['TXT', 'CNAME', 'MX']),
  name: z.string(),
  /** As a zone file writes it; for MX the priority, then the mail host. */
  value: z.string(),
  /** MX only: the priority and the mail host, apart. */
  priority: z.optional(z.number()),
  exchange: z.optional(z.string()),
  status: z.union([recordStatus, z.literal('NotChecked')]),
  required: z.boolean(),
});

export const domainList = z.strictObject({
  success: z.literal(true),
  domains: z.array(z.strictObject(domainFields)),
});

export const domainDetail = z.strictObject({
  success: z.literal(true),
  ...domainFields,
  records: z.array(dnsRecord),
});

export const domainDeleted = z.strictObject({
  success: z.literal(true),
  domain: z.string(),
  deleted: z.literal(true),
});

const checkHealth = z.strictObject({
  status: z.enum(['ok', 'failing']),
  code: z.nullable(z.string()),
  detail: z.string(),
  since: isoTime,
  last_transition_at: nullableIsoTime,
  last_checked_at: isoTime,
});
const recordHealth = z.strictObject({
  status: recordStatus,
  health: z.enum(['ok', 'pending', 'failing']),
  since: isoTime,
  last_transition_at: nullableIsoTime,
  last_checked_at: isoTime,
});

export const accountHealth = z.strictObject({
  success: z.literal(true),
  state: z.enum(['healthy', 'failing', 'unknown']),
  last_run_at: nullableIsoTime,
  last_run_complete: z.boolean(),
  checks: z.strictObject({ assume_role: z.optional(checkHealth), sending_enabled: z.optional(checkHealth), production_access: z.optional(checkHealth) }),
  domains: z.array(z.strictObject({
    domain: z.string(),
    region: z.string(),
    records: z.strictObject({ ownership: z.optional(recordHealth), dkim: z.optional(recordHealth), mail_from: z.optional(recordHealth) }),
  })),
});

export const healthCheckQueued = z.strictObject({ success: z.literal(true), queued: z.literal(true), requested_at: isoTime });
const count = z.int().check(z.minimum(0));
const rate = z.nullable(z.number().check(z.minimum(0)));

/** The last 30 days' delivery counts and rates; null when the account sends no events (not connected through the stack). */
const deliveryUsage = z.nullable(z.strictObject({
  window_days: z.literal(30),
  sent: count, delivered: count, bounced: count, complained: count,
  bounce_rate: rate, complaint_rate: rate,
  bounce_review_rate: z.literal(0.05), complaint_review_rate: z.literal(0.001),
  bounce_warning_rate: z.literal(0.025), complaint_warning_rate: z.literal(0.0005),
  state: z.enum(['ok', 'warning', 'review_risk']),
  /** Every UTC day of the window, oldest first: SES's Send (accepted), Delivery, hard Bounce, Complaint and Reject events. */
  days: z.array(z.strictObject({ date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), sent: count, delivered: count, bounced: count, complained: count, rejected: count })),
}));

/** The relay's own refusals of sends, per UTC day of the last 30 and error code (every plan). */
const refusalUsage = z.strictObject({
  window_days: z.literal(30),
  days: z.array(z.strictObject({ date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), refused: count, codes: z.record(z.string(), count) })),
});

export const monthlyUsage = z.strictObject({
  success: z.literal(true),
  plan: z.enum(['starter', 'byoc']),
  month: z.string().check(z.regex(/^\d{4}-\d{2}$/)),
  used: z.nullable(z.int().check(z.minimum(0))),
  limit: z.nullable(z.int().check(z.minimum(0))),
  sends_per_minute: z.int().check(z.minimum(0)),
  delivery: deliveryUsage,
  refusals: refusalUsage,
});

/** `GET /api/messages/{id}`: the message's delivery timeline, in the order things happened. */
export const messageStatus = z.strictObject({
  success: z.literal(true),
  id: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  events: z.array(z.strictObject({
    type: z.enum(TIMELINE_EVENT_TYPES),
    at: isoTime,
    bounce_type: z.optional(z.string()),
    bounce_sub_type: z.optional(z.string()),
    complaint_feedback_type: z.optional(z.string()),
    delay_type: z.optional(z.string()),
  })),
  last_event_at: isoTime,
});

/** `GET /emails/{id}` (Resend): Resend's email object; what SendFleet never holds is null. */
export const resendEmail = z.strictObject({
  object: z.literal('email'),
  id: z.string(),
  created_at: isoTime,
  last_event: z.enum(['sent', 'delivered', 'delivery_delayed', 'bounced', 'complained', 'suppressed', 'failed']),
  from: z.null(), to: z.null(), cc: z.null(), bcc: z.null(), reply_to: z.null(), subject: z.null(), html: z.null(), text: z.null(), scheduled_at: z.null(), tags: z.null(),
});

/** `GET /api/openapi.json`: an OpenAPI 3.1 document (linted by Redocly and swagger-parser in the tests). */
export const openApiDocument = z.looseObject({
  openapi: z.string().check(z.regex(/^3\.1\.\d+$/)),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

const webhookEndpoint = z.strictObject({
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  created_at: isoTime,
  updated_at: isoTime,
});

/** `PUT /api/webhooks`: the secret only when the endpoint was created (shown once). */
export const webhookSaved = z.strictObject({
  success: z.literal(true),
  webhook: webhookEndpoint,
  signing_secret: z.optional(z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]{43}=$/))),
});

export const webhookRead = z.strictObject({
  success: z.literal(true),
  webhook: z.nullable(webhookEndpoint),
});

export const webhookDeleted = z.strictObject({ success: z.literal(true) });

const keyScope = z.enum(['full_access', 'sending_access']);
const keyFields = {
  id: z.string().check(z.regex(/^key_[0-9a-f]{16}$/)),
  name: z.nullable(z.string()),
  /** The key's first characters, to tell keys apart (`sf_` + 8). */
  prefix: z.string(),
  scope: keyScope,
  domains: z.nullable(z.array(z.string())),
  expires_at: nullableIsoTime,
};

/** `GET /api/keys`: newest first, never a secret or a hash. */
export const keyList = z.strictObject({
  success: z.literal(true),
  keys: z.array(z.strictObject({
    ...keyFields,
    status: z.enum(['active', 'revoked', 'expired']),
    created_at: nullableIsoTime,
    current: z.boolean(),
  })),
});

/** `POST /api/keys`: the secret, shown this once. */
export const keyCreated = z.strictObject({
  success: z.literal(true),
  ...keyFields,
  key: z.string().check(z.regex(/^sf_[A-Za-z0-9_-]{43}$/)),
  created_at: isoTime,
});

export const keyRevoked = z.strictObject({ success: z.literal(true), id: keyFields.id, status: z.literal('revoked') });
