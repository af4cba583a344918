/**
 * The customer API, one entry per route of lambdas/relay/api-routes.ts: its request schema (the very
 * zod/mini schema that validates requests), its success bodies (openapi/responses.ts) and every
 * error code it can answer (statuses come from lambdas/shared/errors.ts). Adding a route to the
 * document is adding one entry here; test/unit/openapi.test.ts fails while a route has none.
 * Build time only: imported by the document generator, never by a Lambda handler.
 */
import type * as z from 'zod/mini';
import type { ErrorCode } from '../lambdas/shared/errors';
import { requiredScope, type RouteSpec } from '../lambdas/shared/routes';
import { dashboardRoutes, keyRoutes, messageRoutes, onboardingRoutes, sendRoutes, webhookRoutes } from '../lambdas/relay/api-routes';
import { createKeyBody } from '../lambdas/relay/keys/keys-api';
import { putWebhookBody } from '../lambdas/relay/webhooks/webhooks-api';
import { addDomainBody, putConfigBody, verifyDomainBody } from '../lambdas/relay/onboarding/onboarding-api';
import { sendRequestSchema } from '../lambdas/relay/send/message/request';
import { batchSchema } from '../lambdas/relay/send/http/send-request';
import * as body from './responses';

export type HeaderName = 'RateLimit-Policy' | 'RateLimit' | 'X-RateLimit-Limit' | 'X-RateLimit-Remaining' | 'Retry-After' | 'Idempotent-Replayed' | 'Location';

/** What every send answer carries once the key is known (send/rate-limit-headers.ts). */
const RATE_HEADERS: readonly HeaderName[] = ['RateLimit-Policy', 'RateLimit', 'X-RateLimit-Limit', 'X-RateLimit-Remaining'];

export interface SuccessResponse {
  status: number;
  description: string;
  /** A JSON body's schema; absent for pages and files (see `mediaTypes`). */
  schema?: z.ZodMiniType;
  /** Non-JSON answers: the media types the route serves. */
  mediaTypes?: readonly string[];
  headers?: readonly HeaderName[];
}

export interface Operation {
  route: RouteSpec;
  operationId: string;
  tag: 'Send' | 'BYOC setup' | 'Domains' | 'Messages' | 'Usage' | 'Webhooks' | 'API keys' | 'Pages';
  summary: string;
  description?: string;
  /** `none`: public (pages, this document). */
  auth: 'apiKey' | 'bearer' | 'none';
  request?: { schema: z.ZodMiniType; required: boolean; description?: string; example: unknown };
  /** The optional Idempotency-Key request header. */
  idempotencyKey?: boolean;
  success: readonly SuccessResponse[];
  /** Every code the route can answer with the error shape. */
  errors: readonly ErrorCode[];
  /** Headers any error answer of the route may carry too (send: the rate window once counted, replays). */
  errorHeaders?: readonly HeaderName[];
  /** `resend`: every error in Resend's `{ statusCode, name, message }` at Resend's statuses, the HTTP edge's own refusals included. */
  errorStyle?: 'resend';
  /** Codes answered with another body than the error shape, with that body (validate's 422). */
  specialErrors?: { codes: readonly ErrorCode[]; schema: z.ZodMiniType; description: string };
}

/** What every function behind `httpApi` can answer: bad body bytes or JSON, a body over its limit, its own failure, its configuration. */
const EDGE: readonly ErrorCode[] = ['invalid_request', 'request_too_large', 'internal_error', 'byoc_not_configured'];
/** …and, behind X-API-Key, the authenticator. */
const AUTHENTICATED: readonly ErrorCode[] = [...EDGE, 'invalid_api_key', 'tenant_suspended'];
/** Whatever a call in the customer's AWS account can end in (lambdas/relay/error-map.ts). */
const CUSTOMER_ACCOUNT: readonly ErrorCode[] = ['could_not_assume_role', 'missing_permission', 'ses_rejected', 'ses_throttled', 'ses_unavailable', 'upstream_unavailable'];
/** A domain in the path is parsed by byoc/domain-name.ts. */
const DOMAIN_IN_PATH: readonly ErrorCode[] = ['invalid_domain', 'subdomain_not_allowed', 'not_found'];

/**
 * Answered in AWS by the customer API's WAF before any function runs, on every route (never
 * locally): a rate limit in the route's own shape, a block by AWS's managed rules in SendFleet's
 * shape everywhere (API Gateway's WAF_FILTERED answer, which cannot tell routes apart).
 */
const AT_THE_EDGE: readonly ErrorCode[] = ['edge_rate_limited', 'edge_blocked'];
/** Codes the Resend-compatible routes answer in SendFleet's shape only. */
export const OUR_SHAPE_ON_RESEND_ROUTES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['edge_blocked']);

/** Headers an error code's answer carries (union per status in the document). */
export const errorHeaders: Partial<Record<ErrorCode, readonly HeaderName[]>> = {
  rate_limited: ['Retry-After', ...RATE_HEADERS],
  edge_rate_limited: ['Retry-After'],
  idempotency_in_progress: ['Retry-After'],
  ses_throttled: ['Retry-After'],
  ses_unavailable: ['Retry-After'],
  upstream_unavailable: ['Retry-After'],
  time_budget_exhausted: ['Retry-After'],
};

const sendExample = {
  to: 'customer@example.com', from_email: 'hello@acme.com', from_name: 'Acme',
  subject: 'Welcome!', message: 'Thanks for joining Acme.',
};

type RouteName<T> = keyof T & string;

const sendOperations: Record<RouteName<typeof sendRoutes>, Operation> = {
  send: {
    route: sendRoutes.send, operationId: 'sendEmail', tag: 'Send', auth: 'apiKey',
    summary: 'Send one email through your SES account',
    description: 'Also reachable as `/api/send/`. Give `message` (text) or `html` or both. Every address is a bare '
      + '`name@example.com`; `from_name` and `subject` are one line of plain Unicode text. Anything else is refused '
      + 'with 400 naming the field, never rewritten. Answers carry the rate-limit headers (RateLimit-Policy, RateLimit, X-RateLimit-*) once the request has been counted against the key\'s minute window (every BYOC send that passed authentication; Starter sends that passed the 403 checks).',
    request: { schema: sendRequestSchema, required: true, example: sendExample },
    idempotencyKey: true,
    success: [{ status: 200, description: 'Accepted by your SES account (or a replay of the first answer for this Idempotency-Key).', schema: body.sendAccepted, headers: [...RATE_HEADERS, 'Idempotent-Replayed'] }],
    errors: [
      ...AUTHENTICATED, ...CUSTOMER_ACCOUNT, 'byoc_not_validated', 'byoc_disconnected', 'domain_not_registered', 'domain_not_verified', 'dkim_not_verified',
      'idempotency_in_progress', 'idempotency_key_reused', 'rate_limited', 'usage_limit_exceeded', 'ses_outcome_unknown', 'time_budget_exhausted', 'configuration_set_missing',
      'from_domain_not_allowed',
    ],
    // Refusals after the request was counted against the key's minute carry the window too; a replayed refusal says so.
    errorHeaders: [...RATE_HEADERS, 'Idempotent-Replayed'],
  },
  sendBatch: {
    route: sendRoutes.sendBatch, operationId: 'sendBatch', tag: 'Send', auth: 'apiKey',
    summary: 'Send up to 100 messages, each checked, counted and sent on its own',
    description: 'Each entry of `messages` is a send body without attachments. The API key is checked before the body is validated. Each message gets its own result; the per-minute key window counts the batch once, the Starter month counts messages. A batch that cannot be sent at your SES sending rate within the request\'s time budget is refused up front with `max_messages`; messages the budget leaves no room for (a slow SES) are `time_budget_exhausted`, not sent. With an `Idempotency-Key`, a retry sends only the messages without an outcome yet, never one twice.',
    request: { schema: batchSchema, required: true, example: { messages: [sendExample] } },
    idempotencyKey: true,
    success: [{ status: 200, description: 'Per-message results (with an Idempotency-Key: the outcomes kept for it, and those of the messages sent now).', schema: body.sendBatchResults, headers: [...RATE_HEADERS, 'Idempotent-Replayed'] }],
    errors: [...AUTHENTICATED, 'byoc_not_validated', 'byoc_disconnected', 'idempotency_in_progress', 'idempotency_key_reused', 'rate_limited'],
    errorHeaders: [...RATE_HEADERS, 'Idempotent-Replayed'],
  },
  resendEmails: {
    route: sendRoutes.resendEmails, operationId: 'resendSendEmail', tag: 'Send', auth: 'bearer',
    summary: 'Resend-compatible: send one email',
    description: 'Takes Resend\'s documented body and `Authorization: Bearer <SendFleet API key>`; answers Resend\'s shapes. `scheduled_at` and `template` are refused: they would mean storing content.',
    request: { schema: body.resendEmailRequest, required: true, example: { from: 'Acme <hello@acme.com>', to: ['customer@example.com'], subject: 'Welcome!', text: 'Thanks for joining Acme.' } },
    idempotencyKey: true,
    success: [{ status: 200, description: 'Accepted by your SES account.', schema: body.resendEmailSent, headers: [...RATE_HEADERS, 'Idempotent-Replayed'] }],
    errors: [
      ...AUTHENTICATED, ...CUSTOMER_ACCOUNT, 'byoc_not_validated', 'byoc_disconnected', 'domain_not_registered', 'domain_not_verified', 'dkim_not_verified',
      'idempotency_in_progress', 'idempotency_key_reused', 'rate_limited', 'usage_limit_exceeded', 'ses_outcome_unknown', 'time_budget_exhausted', 'configuration_set_missing',
      'from_domain_not_allowed',
    ],
    errorStyle: 'resend',
    errorHeaders: [...RATE_HEADERS, 'Idempotent-Replayed'],
  },
  resendListEmails: notOffered(sendRoutes.resendListEmails, 'resendListEmails', 'list sent emails'),
  resendCancelEmail: notOffered(sendRoutes.resendCancelEmail, 'resendCancelEmail', 'cancel a scheduled email'),
  resendListDomains: notOffered(sendRoutes.resendListDomains, 'resendListDomains', 'list domains'),
  resendCreateDomain: notOffered(sendRoutes.resendCreateDomain, 'resendCreateDomain', 'create a domain'),
  resendGetDomain: notOffered(sendRoutes.resendGetDomain, 'resendGetDomain', 'retrieve a domain'),
  resendUpdateDomain: notOffered(sendRoutes.resendUpdateDomain, 'resendUpdateDomain', 'update a domain'),
  resendDeleteDomain: notOffered(sendRoutes.resendDeleteDomain, 'resendDeleteDomain', 'delete a domain'),
  resendVerifyDomain: notOffered(sendRoutes.resendVerifyDomain, 'resendVerifyDomain', 'verify a domain'),
  resendBatch: {
    route: sendRoutes.resendBatch, operationId: 'resendSendBatch', tag: 'Send', auth: 'bearer',
    summary: 'Resend-compatible: send up to 100 emails',
    description: 'An array of Resend email bodies (no attachments). The Bearer key is checked before the body is validated. Messages refused after validation are listed in `errors` beside the sent ones in `data`.',
    request: { schema: body.resendBatchRequest, required: true, example: [{ from: 'Acme <hello@acme.com>', to: 'customer@example.com', subject: 'Welcome!', text: 'Hi' }] },
    idempotencyKey: true,
    success: [{ status: 200, description: 'The sent messages\' ids, and the refused ones with their reason.', schema: body.resendBatchSent, headers: [...RATE_HEADERS, 'Idempotent-Replayed'] }],
    errors: [...AUTHENTICATED, 'byoc_not_validated', 'byoc_disconnected', 'idempotency_in_progress', 'idempotency_key_reused', 'rate_limited'],
    errorStyle: 'resend',
    errorHeaders: [...RATE_HEADERS, 'Idempotent-Replayed'],
  },
};

/**
 * Resend operations SendFleet does not offer (send/http/resend-routes.ts): authenticated like a send, then a
 * Resend-shaped 404 saying why and what to use instead, so a Resend SDK call gets a readable error.
 */
function notOffered(route: RouteSpec, operationId: string, what: string): Operation {
  return {
    route, operationId, tag: 'Send', auth: 'bearer',
    summary: `Resend-compatible: ${what} (not offered)`,
    description: 'Part of Resend\'s API that SendFleet does not offer: it keeps no copy of your messages, and your sending domains are managed at `/api/byoc/domains`. Always answers a Resend-shaped 404 `not_found` whose message says why and what to use instead (after the key is checked).',
    success: [],
    errors: [...AUTHENTICATED, 'not_found'],
    errorStyle: 'resend',
  };
}

const config = { schema: body.byocConfig, description: 'Your BYOC settings: `launch_stack_url` (the one-click CloudFormation quick-create link; it carries your registration token as `param_RegistrationToken`, the proof a stack registration must carry: keep the link private), and for the manual path the trust and permissions policies and the CloudFormation template. During an ExternalId rotation `previous_external_id` is set and the trust policy and link accept both.' };

const onboardingOperations: Record<RouteName<typeof onboardingRoutes>, Operation> = {
  getConfig: {
    route: onboardingRoutes.getConfig, operationId: 'getByocConfig', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Your BYOC settings; creates your ExternalId on first call',
    success: [{ status: 200, ...config }],
    errors: AUTHENTICATED,
  },
  rotateExternalId: {
    route: onboardingRoutes.rotateExternalId, operationId: 'rotateExternalId', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Create a new ExternalId; the one in use stays accepted until the new one validates',
    description: 'Returns the config with the new `external_id` and, if the old one was in use, `previous_external_id`, with a trust policy and `launch_stack_url` that accept both. A rotation also issues a new registration token (in the link). Update your SendFleet-BYOC stack in the CloudFormation console (the stack → Update → Use existing template → ExternalId, PreviousExternalId and RegistrationToken from the config) (or add the new ExternalId to the role\'s trust policy and run validate): sends go on with the previous ExternalId until a validation with the new one passes, which drops the previous one.',
    success: [{ status: 200, ...config }],
    errors: [...AUTHENTICATED, 'conflict'],
  },
  putConfig: {
    route: onboardingRoutes.putConfig, operationId: 'putByocConfig', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Save the role ARN and SES region; status becomes pending_validation',
    description: '`role_arn` must be `arn:aws:iam::<12 digits>:role/SendFleet-BYOC-Role` in your own account; `region` a region where SES exists.',
    request: { schema: putConfigBody, required: true, example: { role_arn: 'arn:aws:iam::123456789012:role/SendFleet-BYOC-Role', region: 'eu-west-1' } },
    success: [{ status: 200, ...config }],
    errors: AUTHENTICATED,
  },
  validate: {
    route: onboardingRoutes.validate, operationId: 'validateByoc', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Assume the role, check sending is enabled and the account is out of the SES sandbox',
    description: 'Runs every check and stores the result. 200 when all pass; 422 with the first failing check\'s code and every check otherwise. Each check\'s `status` is `passed`, `failed` (with its `code`) or `not_run`: the SES checks need the role, so when it cannot be assumed they are `not_run` and their `detail` says why.',
    success: [{ status: 200, description: 'Every check passed.', schema: body.validationPassed }],
    errors: [...AUTHENTICATED, ...CUSTOMER_ACCOUNT.filter((code) => code !== 'could_not_assume_role' && code !== 'missing_permission'), 'conflict'],
    specialErrors: {
      codes: ['could_not_assume_role', 'missing_permission', 'sending_disabled', 'ses_sandbox'],
      schema: body.validationFailed,
      description: 'A check failed: the first failing check\'s code, the stored status and every check\'s result.',
    },
  },
  health: {
    route: onboardingRoutes.health, operationId: 'getAccountHealth', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Your AWS account\'s health as SendFleet last checked it (every 6 hours, and on request)',
    description: 'Per account check (`assume_role`, `sending_enabled`, `production_access`, the checks of POST /api/byoc/validate) and per domain record kind (`ownership`, `dkim`, `mail_from`, SES\'s status word): the last verdict, since when it holds, its last change and when it was last checked. `state` is `failing` when any of them fails, `unknown` before a first complete check. A check AWS did not answer keeps its previous verdict (`last_run_complete: false`). Each change is also sent to your webhook (`byoc.*`, `domain.*` events).',
    success: [{ status: 200, description: 'The last health check results.', schema: body.accountHealth }],
    errors: AUTHENTICATED,
  },
  healthCheck: {
    route: onboardingRoutes.healthCheck, operationId: 'checkAccountHealth', tag: 'BYOC setup', auth: 'apiKey',
    summary: 'Check your account\'s health now (at most once a minute)',
    description: 'Queues a check of your role, SES account and every domain; it runs within about a minute (paced at about one SES request per second) and its result shows in GET /api/byoc/health. A second request within a minute is refused with 429 and Retry-After.',
    success: [{ status: 202, description: 'The check is queued.', schema: body.healthCheckQueued }],
    errors: [...AUTHENTICATED, 'byoc_not_validated', 'rate_limited'],
  },
  listDomains: {
    route: onboardingRoutes.listDomains, operationId: 'listDomains', tag: 'Domains', auth: 'apiKey',
    summary: 'Your sending domains with their status',
    success: [{ status: 200, description: 'Your domains, without their DNS records.', schema: body.domainList }],
    errors: AUTHENTICATED,
  },
  addDomain: {
    route: onboardingRoutes.addDomain, operationId: 'addDomain', tag: 'Domains', auth: 'apiKey',
    summary: 'Add a sending domain and get the DNS records to publish',
    description: 'Needs a validated BYOC config. The domain must be a registrable root domain (`acme.com`, `acme.co.uk`); IDNs are sent as punycode. Adding a domain again is idempotent.',
    request: { schema: addDomainBody, required: true, example: { domain: 'acme.com' } },
    success: [
      { status: 201, description: 'Added: the identity was created in your SES account.', schema: body.domainDetail },
      { status: 200, description: 'Already one of your domains: unchanged.', schema: body.domainDetail },
    ],
    errors: [...AUTHENTICATED, ...CUSTOMER_ACCOUNT, 'byoc_not_validated', 'invalid_domain', 'subdomain_not_allowed', 'conflict'],
  },
  getDomain: {
    route: onboardingRoutes.getDomain, operationId: 'getDomain', tag: 'Domains', auth: 'apiKey',
    summary: 'One domain: its DNS records and the status of each',
    success: [{ status: 200, description: 'The domain and its records.', schema: body.domainDetail }],
    errors: [...AUTHENTICATED, ...DOMAIN_IN_PATH],
  },
  deleteDomain: {
    route: onboardingRoutes.deleteDomain, operationId: 'deleteDomain', tag: 'Domains', auth: 'apiKey',
    summary: 'Delete the SES identity in your account, then forget the domain',
    success: [{ status: 200, description: 'Deleted in your SES account and here.', schema: body.domainDeleted }],
    errors: [...AUTHENTICATED, ...DOMAIN_IN_PATH, ...CUSTOMER_ACCOUNT, 'byoc_not_validated'],
  },
  verifyDomain: {
    route: onboardingRoutes.verifyDomain, operationId: 'verifyDomain', tag: 'Domains', auth: 'apiKey',
    summary: 'Re-check the domain\'s records with SES',
    description: 'No body (or `{}`) checks every record kind; `record` checks one.',
    request: { schema: verifyDomainBody, required: false, example: { record: 'dkim' } },
    success: [{ status: 200, description: 'The domain with the statuses SES reported now.', schema: body.domainDetail }],
    errors: [...AUTHENTICATED, ...DOMAIN_IN_PATH, ...CUSTOMER_ACCOUNT, 'byoc_not_validated'],
  },
  usage: {
    route: onboardingRoutes.usage, operationId: 'getUsage', tag: 'Usage', auth: 'apiKey',
    summary: 'Accepted sends this UTC month, the monthly limit and the per-key rate; the last 30 days\' delivery rates',
    description: '`used` is null on plans without a monthly limit (they are not counted per month); `limit` null means unlimited. `delivery` (null when your account is not connected through the SendFleet-BYOC stack, so sends no events) counts the last 30 UTC days\' SES events: `bounced` counts hard (Permanent) bounces and not the suppression list\'s, as SES\'s bounce rate does; `bounce_rate` and `complaint_rate` are fractions of `sent` (null when nothing was sent). SES reviews an account at a 5 % bounce or 0.1 % complaint rate (`*_review_rate`); `state` is `warning` from half of either (`*_warning_rate`) and `review_risk` from either review rate. `delivery.days` has each UTC day\'s counts, SES\'s rejects included. `refusals` counts, per UTC day of the last 30 and error code, the messages SendFleet refused after reading your key (a single send refused by its own validation is refused before that, and is not counted); never anything of the messages.',
    success: [{ status: 200, description: 'This month\'s usage.', schema: body.monthlyUsage }],
    errors: AUTHENTICATED,
  },
};

const webhookOperations: Record<RouteName<typeof webhookRoutes>, Operation> = {
  putWebhook: {
    route: webhookRoutes.putWebhook, operationId: 'putWebhook', tag: 'Webhooks', auth: 'apiKey',
    summary: 'Create or replace your webhook endpoint (one per account)',
    description: 'The URL must be `https` to a public host: names are resolved and every address must be public (no private, shared, loopback, link-local or metadata, unique-local, multicast or reserved address, nor an IPv4-mapped one); refused with 400 and the reason. `events` lists the types to receive (at least one, see the `webhooks` section). `signing_secret` is answered only when the endpoint is created: store it, it is never shown again (an update keeps it; delete and create again for a new one).',
    request: { schema: putWebhookBody, required: true, example: { url: 'https://example.com/webhooks/sendfleet', events: ['email.delivered', 'email.bounced', 'email.complained'] } },
    success: [{ status: 200, description: 'The endpoint; with `signing_secret` when it was created now.', schema: body.webhookSaved }],
    errors: AUTHENTICATED,
  },
  getWebhook: {
    route: webhookRoutes.getWebhook, operationId: 'getWebhook', tag: 'Webhooks', auth: 'apiKey',
    summary: 'Your webhook endpoint (never its secret), or null',
    success: [{ status: 200, description: 'The endpoint, or `webhook: null`.', schema: body.webhookRead }],
    errors: AUTHENTICATED,
  },
  deleteWebhook: {
    route: webhookRoutes.deleteWebhook, operationId: 'deleteWebhook', tag: 'Webhooks', auth: 'apiKey',
    summary: 'Delete your webhook endpoint and its secret (notifications still queued are dropped)',
    success: [{ status: 200, description: 'Deleted (also when there was none).', schema: body.webhookDeleted }],
    errors: AUTHENTICATED,
  },
};

/** The platform account that keeps the keys may be unreachable for a moment (full access: insufficient_scope is added below). */
const KEY_MANAGEMENT: readonly ErrorCode[] = [...AUTHENTICATED, 'upstream_unavailable'];

const keyOperations: Record<RouteName<typeof keyRoutes>, Operation> = {
  listKeys: {
    route: keyRoutes.listKeys, operationId: 'listKeys', tag: 'API keys', auth: 'apiKey',
    summary: 'Your API keys, newest first (never a secret)',
    description: 'Every key of your account: `status` is `active`, `expired` (past `expires_at`) or `revoked`; `current` marks the key making this request. Only the most recent 100 revoked keys are listed.',
    success: [{ status: 200, description: 'The keys.', schema: body.keyList }],
    errors: KEY_MANAGEMENT,
  },
  createKey: {
    route: keyRoutes.createKey, operationId: 'createKey', tag: 'API keys', auth: 'apiKey',
    summary: 'Create an API key; its secret is answered this once',
    description: '`name` (1–50 characters, one line) labels the key. `scope`: `full_access` (default, every route) or `sending_access` (the send routes only); a sending key may be limited to some of your sending domains with `domains` (at most 20 and 1,000 characters together; each one you added, or a subdomain of one, in lower case). `expires_at` (optional, in the future, within 365 days): the key stops working then. The key works on the very next request. `key` is the secret: store it now, SendFleet keeps only its hash and never shows it again. An account holds at most 100 keys that are not revoked (expired keys count until revoked): revoke one to make room.',
    request: { schema: createKeyBody, required: true, example: { name: 'Checkout service', scope: 'sending_access', domains: ['acme.com'], expires_at: '2027-06-30T00:00:00Z' } },
    success: [{ status: 201, description: 'The new key, with its secret (shown once).', schema: body.keyCreated }],
    errors: [...KEY_MANAGEMENT, 'domain_not_added', 'key_limit_reached'],
  },
  revokeKey: {
    route: keyRoutes.revokeKey, operationId: 'revokeKey', tag: 'API keys', auth: 'apiKey',
    summary: 'Revoke an API key (for good)',
    description: 'The key is refused from the next request this function serves, and by every part of SendFleet within seconds. Revoking gives its place among the 100 back. The key making the request cannot revoke itself (409 `key_in_use`): sign in with another full-access key. Revoking a revoked key answers the same.',
    success: [{ status: 200, description: 'Revoked.', schema: body.keyRevoked }],
    errors: [...KEY_MANAGEMENT, 'key_not_found', 'key_in_use'],
  },
};

const messageOperations: Record<RouteName<typeof messageRoutes>, Operation> = {
  getMessage: {
    route: messageRoutes.getMessage, operationId: 'getMessage', tag: 'Messages', auth: 'apiKey',
    summary: 'A message\'s delivery status and event timeline (accounts connected through the SendFleet-BYOC stack)',
    description: '`id` is the message id send returned (SES\'s). Your SES account publishes the message\'s events (send, delivery, delivery delay, bounce, complaint, reject, rendering failure) through the stack\'s configuration set; SendFleet keeps per message only their types, times and SES\'s classification (bounce type and subtype, complaint feedback type, delay type) for 30 days, never an address or subject. `status` is what the latest event says (`suppressed`: a bounce because the address is on your account\'s suppression list). Another tenant\'s message reads as unknown.',
    success: [{ status: 200, description: 'The timeline, oldest first.', schema: body.messageStatus }],
    errors: [...AUTHENTICATED, 'message_not_found'],
  },
  resendGetEmail: {
    route: messageRoutes.resendGetEmail, operationId: 'resendGetEmail', tag: 'Messages', auth: 'bearer',
    summary: 'Resend-compatible: retrieve an email (its delivery status)',
    description: 'Resend\'s email object for a message id send returned: `last_event` and `created_at` from the message\'s delivery events (rejected and rendering failures read `failed`). SendFleet keeps no content, sender or recipient, so `from`, `to`, `cc`, `bcc`, `reply_to`, `subject`, `html`, `text`, `scheduled_at` and `tags` are always null.',
    success: [{ status: 200, description: 'The email\'s status.', schema: body.resendEmail }],
    errors: [...AUTHENTICATED, 'message_not_found'],
    errorStyle: 'resend',
  },
  resendUpdateEmail: { ...notOffered(messageRoutes.resendUpdateEmail, 'resendUpdateEmail', 'reschedule an email'), tag: 'Messages' },
};

const pageOperations: Record<RouteName<typeof dashboardRoutes>, Operation> = {
  page: {
    route: dashboardRoutes.page, operationId: 'dashboard', tag: 'Pages', auth: 'none',
    summary: 'The customer dashboard (signs in with your API key in the page, never in the URL)',
    success: [
      { status: 200, description: 'The dashboard page.', mediaTypes: ['text/html'] },
      { status: 301, description: 'In AWS, the stage URL without its trailing slash redirects to it.', headers: ['Location'] },
    ],
    // Only if the deployment lacks the file (as for every page below).
    errors: ['not_found'],
  },
  asset: {
    route: dashboardRoutes.asset, operationId: 'dashboardAsset', tag: 'Pages', auth: 'none',
    summary: 'A script or stylesheet of the dashboard or of the API reference (content-hashed names)',
    success: [{ status: 200, description: 'The file.', mediaTypes: ['text/javascript', 'text/css'] }],
    errors: ['not_found'],
  },
  openApiDocument: {
    route: dashboardRoutes.openApiDocument, operationId: 'openApiDocument', tag: 'Pages', auth: 'none',
    summary: 'This document (OpenAPI 3.1)',
    success: [{ status: 200, description: 'The OpenAPI document of the customer API.', schema: body.openApiDocument }],
    errors: ['not_found'],
  },
  apiReference: {
    route: dashboardRoutes.apiReference, operationId: 'apiReference', tag: 'Pages', auth: 'none',
    summary: 'The API reference page, rendered from this document',
    success: [{ status: 200, description: 'The API reference page.', mediaTypes: ['text/html'] }],
    errors: ['not_found'],
  },
};

/**
 * A full-access route refuses a sending-only key (the authenticator, from the route table's scope):
 * added here from the table, so no entry can forget it.
 */
const scopeRefusals = (operation: Operation): readonly ErrorCode[] => (requiredScope(operation.route) === 'full_access' ? ['insufficient_scope'] : []);

/** Every operation of the customer API, in the order of the reference page. */
export const operations: readonly Operation[] = [
  ...Object.values(sendOperations),
  ...Object.values(onboardingOperations),
  ...Object.values(messageOperations),
  ...Object.values(webhookOperations),
  ...Object.values(keyOperations),
  ...Object.values(pageOperations),
].map((operation) => ({ ...operation, errors: [...operation.errors, ...scopeRefusals(operation), ...AT_THE_EDGE] }));

/**
 * Codes of lambdas/shared/errors.ts that no customer route answers with, and why. The unit test
 * fails when a code is neither on a route nor here, and when a code listed here is on a route.
 */
export const codesOnNoRoute: Partial<Record<ErrorCode, string>> = {
  forbidden: 'No code path raises it today (kept in the table for the routes being added).',
  method_not_allowed: 'Answered to a method the document does not list on a documented path (locally; API Gateway answers 404 not_found there), so it belongs to no operation. The contract check holds such answers to the error shape.',
};
