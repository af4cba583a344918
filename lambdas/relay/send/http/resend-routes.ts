/**
 * Resend-compatible routes, so a customer switches from Resend by changing the base URL:
 * `POST /emails` and `POST /emails/batch` take Resend's request bodies, `Authorization: Bearer
 * <SendFleet API key>` and `Idempotency-Key`, and answer Resend's shapes: `{ id }`, `{ data: [{ id }] }`
 * and errors `{ statusCode, name, message }`. The bodies are translated into the SendFleet shape and
 * go through the same validation and use cases as `/api/send`: nothing here relaxes a rule.
 *
 * Fields that would need stored content (`scheduled_at`, `template`), Resend's contacts (`topic_id`)
 * or fetching a URL (`attachments[].path`) are refused with a message saying why, never ignored.
 */
import { sha256Hex } from '../../../shared/crypto';
import type { Clock } from '../../../shared/clock';
import { ApiError, resendError, type ErrorCode } from '../../../shared/errors';
import type { HttpRequest, HttpResult } from '../../../shared/http';
import { refusalAsApiError, type Refusal } from '../../../shared/refusal';
import type { Authenticator } from '../../auth/authenticator';
import { checkMessageSize } from '../message/request';
import type { RefusedItem, SendCommand, SendItem, SendOutcome } from '../pipeline';
import { oneMessage, parseBatchMessages, parseIdempotencyKey, parseMessage, sendHeaders } from './send-request';

const REFUSED_FIELDS: Record<string, string> = {
  scheduled_at: 'scheduled sending is not supported: SendFleet never stores message content, and a scheduled message would have to be stored until it is sent. Send it at the time you want it delivered.',
  template: 'templates are not supported: SendFleet never stores message content, and a template is stored content. Render the template yourself and send html and text.',
  topic_id: 'topics are not supported: SendFleet keeps no contacts or subscription lists. Filter your recipients before sending.',
  react: 'react is rendered by the Resend SDK before sending; send html instead.',
};
const RESEND_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'reply_to', 'subject', 'html', 'text', 'headers', 'attachments', 'tags']);

function refuse(path: string, message: string): never {
  throw new ApiError('invalid_request', `The \`${path}\` field ${message}`, { issues: [{ path, message }] });
}

/** `"Name <addr>"`, `Name <addr>` or `addr`; the parts are then held to the send rules (from_name, from_email). */
function splitFrom(from: unknown): { from_email: unknown; from_name?: string } {
  if (typeof from !== 'string') return { from_email: from };
  const match = /^(.*?)\s*<([^<>]*)>$/.exec(from);
  if (!match) return { from_email: from };
  let name = match[1]!.trim();
  const quoted = name.length >= 2 && name.startsWith('"') && name.endsWith('"');
  if (quoted) name = name.slice(1, -1);
  // `A <a@x>, B <b@y>` is two mailboxes: the first would become a display name showing another address.
  if (/[<>]/.test(name) || (!quoted && name.includes(','))) refuse('from', 'holds more than one mailbox; give exactly one sender, as "Name <address>" or a bare address.');
  if (name.includes('"')) refuse('from', 'has a quote inside its display name; use "Name <address>" with a plain name.');
  return { from_email: match[2], ...(name ? { from_name: name } : {}) };
}

/** A Resend email body → the SendFleet send body (validated afterwards by parseSendRequest). */
export function fromResendBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) refuse('(body)', 'must be a JSON object.');
  const input = body as Record<string, unknown>;
  for (const [field, why] of Object.entries(REFUSED_FIELDS)) if (input[field] !== undefined) refuse(field, `is not accepted: ${why}`);
  const unknown = Object.keys(input).filter((k) => !RESEND_FIELDS.has(k));
  // The unknown names are the caller's text: counted, never quoted; ours are listed instead.
  if (unknown.length > 0) refuse('(body)', `has ${unknown.length} field(s) SendFleet does not accept; the accepted fields are: ${[...RESEND_FIELDS].join(', ')}.`);
  const attachments = input.attachments;
  if (Array.isArray(attachments)) {
    attachments.forEach((a: unknown, i) => {
      if (typeof a === 'object' && a !== null && (a as Record<string, unknown>).path !== undefined) {
        refuse(`attachments.${i}.path`, 'is not accepted: SendFleet does not fetch URLs; send the file as base64 in content.');
      }
    });
  }
  const out: Record<string, unknown> = { ...splitFrom(input.from) };
  for (const field of ['to', 'cc', 'bcc', 'reply_to', 'subject', 'html', 'headers', 'tags', 'attachments']) {
    if (input[field] !== undefined) out[field] = input[field];
  }
  if (input.text !== undefined) out.message = input.text;
  return out;
}

/** Resend sends `Authorization: Bearer <key>`: the key is checked exactly as an X-API-Key. */
export function bearerHeaders(headers: Record<string, string>): Record<string, string> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!match) throw new ApiError('invalid_api_key', 'Missing API key. Send your SendFleet API key as Authorization: Bearer sf_….');
  return { ...headers, 'x-api-key': match[1]! };
}

/**
 * Our words in the caller's terms: a Resend caller sent `from`, `text` and `Authorization`, so our
 * details name those (only our own texts are reworded, never what the caller sent).
 */
const RESEND_TERMS: ReadonlyArray<[RegExp, string]> = [
  [/\bfrom_email\b/g, 'from'],
  [/\bfrom_name\b/g, 'from (its display name)'],
  [/\bmessage (is required|must)/g, 'text $1'],
  [/\bin message\b/g, 'in text'],
  [/the X-API-Key header/g, 'the Authorization header (Bearer)'],
  [/\bX-API-Key\b/g, 'Authorization: Bearer'],
];
export const inResendTerms = (text: string): string => RESEND_TERMS.reduce((out, [pattern, term]) => out.replace(pattern, term), text);

/** An answer in Resend's shape, with the code's Resend status and name (table in shared/errors.ts). */
export function resendAnswer(code: ErrorCode, message: string, headers: Record<string, string> = {}): HttpResult {
  const { statusCode, name } = resendError(code);
  return { status: statusCode, outcome: code, headers, body: { statusCode, name, message } };
}

/** Our error → Resend's shape, its detail reworded in the caller's terms. */
export function resendFailure(error: ApiError, extraHeaders: Record<string, string> = {}): HttpResult {
  return resendAnswer(error.code, inResendTerms(error.detail), { ...extraHeaders, ...error.options.headers });
}

/** A refusal of the pipeline → Resend's shape (status and name from the table in shared/errors.ts). */
function resendRefusal(why: Refusal, headers: Record<string, string>): HttpResult {
  return resendFailure(refusalAsApiError(why, headers));
}

/** Why each family of Resend operations is not offered, and what to use instead. */
const NOT_OFFERED = {
  emails: 'SendFleet never stores your messages, so a sent email cannot be listed, updated, rescheduled or cancelled (GET /emails/{id} gives its delivery status, without its content). Keep the id SendFleet returned with your own records.',
  domains: 'Sending domains live in your own SES account and are managed through SendFleet\'s API with your key in X-API-Key (GET, POST /api/byoc/domains; POST /api/byoc/domains/{domain}/verify) or in the dashboard.',
} as const;

/**
 * Authenticated like a send (a wrong key is told so first), then a Resend-shaped 404 saying why and
 * what to use; errors are presented in Resend's shape by the caller. Written for a Resend caller
 * about SendFleet's own API, so not reworded: its X-API-Key means X-API-Key.
 */
export const notOfferedAnswer = (authenticator: Pick<Authenticator, 'authenticate'>, family: keyof typeof NOT_OFFERED) => async (http: HttpRequest): Promise<HttpResult> => {
  await authenticator.authenticate(bearerHeaders(http.headers), http.route);
  return resendAnswer('not_found', `${http.method} ${http.resource} is part of Resend's API that SendFleet does not offer: ${NOT_OFFERED[family]}`);
};

export interface ResendApiDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  send: (command: SendCommand) => Promise<SendOutcome>;
  clock: Clock;
}

export function createResendRoutes(deps: ResendApiDeps) {
  const guarded = (run: (http: HttpRequest) => Promise<HttpResult>) => async (http: HttpRequest): Promise<HttpResult> => {
    try {
      return await run(http);
    } catch (error) {
      if (error instanceof ApiError) {
        http.annotate({ outcome: error.code });
        return resendFailure(error);
      }
      throw error;
    }
  };

  /** Authentication first: a format check and a cached lookup, before any body is validated. */
  const authenticated = async (http: HttpRequest) => {
    const principal = await deps.authenticator.authenticate(bearerHeaders(http.headers), http.route);
    http.annotate({ tenant_id: principal.tenantId, api: 'resend' });
    return principal;
  };

  const sendOne = guarded(async (http) => {
    const receivedAt = deps.clock.now();
    const principal = await authenticated(http);
    const body = fromResendBody(http.body);
    checkMessageSize(body);
    const item = await parseMessage(body);
    const key = parseIdempotencyKey(http.headers);
    const outcome = await deps.send({
      items: [item], principal, log: http.log.child({ tenant_id: principal.tenantId }), receivedAt,
      // Hashed like /api/send's fingerprint input, prefixed so the two routes' keys never replay each other.
      idempotency: key === undefined ? undefined : { keyHash: sha256Hex(key), requestHash: sha256Hex(JSON.stringify(['resend', principal.tenantId, http.body])) },
    });
    const headers = sendHeaders(principal.profile.sends_per_minute, outcome);
    const answer = oneMessage(outcome);
    if (answer.refusal) return resendRefusal(answer.refusal, headers);
    return { status: 200, headers, outcome: 'accepted', body: { id: answer.messageId } };
  });

  const sendMany = guarded(async (http) => {
    const receivedAt = deps.clock.now();
    const principal = await authenticated(http);
    if (!Array.isArray(http.body)) refuse('(body)', 'must be a JSON array of 1 to 100 emails.');
    const emails = http.body as unknown[];
    if (emails.length < 1 || emails.length > 100) refuse('(body)', `must be a JSON array of 1 to 100 emails; this one holds ${emails.length}.`);
    const items = await parseBatchMessages(emails.map((email) => fromResendBody(email)));
    // Resend's default ("strict") batch validation: one invalid email refuses the whole batch.
    const invalid = items.find((item): item is RefusedItem => !('message' in item));
    if (invalid) throw new ApiError('invalid_request', `Email ${invalid.index}: ${invalid.refusal.detail}`);
    const key = parseIdempotencyKey(http.headers);
    http.annotate({ messages: items.length });
    const outcome = await deps.send({
      items: items as SendItem[], principal, log: http.log.child({ tenant_id: principal.tenantId }), receivedAt,
      idempotency: key === undefined ? undefined : { keyHash: sha256Hex(key), requestHash: sha256Hex(JSON.stringify(['resend-batch', principal.tenantId, http.body])) },
    });
    const headers = sendHeaders(principal.profile.sends_per_minute, outcome);
    if (outcome.kind === 'refused') return resendRefusal(outcome.refusal, headers);
    const sent = outcome.messages.flatMap((m) => (m.accepted ? [{ id: m.messageId }] : []));
    const failed = outcome.messages.flatMap((m) => (m.accepted ? [] : [{ index: m.index, message: `${m.refusal.code}: ${inResendTerms(m.refusal.detail)}` }]));
    return {
      status: 200, headers, outcome: 'batch',
      // Messages refused after validation (limits, SES) cannot be taken back from the ones sent: Resend's permissive shape.
      body: { data: sent, ...(failed.length > 0 ? { errors: failed } : {}) },
    };
  });

  const notOffered = (family: keyof typeof NOT_OFFERED) => guarded(notOfferedAnswer(deps.authenticator, family));

  return { sendOne, sendMany, emailsNotOffered: notOffered('emails'), domainsNotOffered: notOffered('domains') };
}
