/**
 * The send request at the edge: the SendFleet shape, validated with zod/mini. Addresses follow
^ * address.ts (refused, never rewritten); header fields (from_name, subject) follow the header
 * text rules of shared/text-rules.ts, so nothing can inject or disguise a header; every string must
 * be valid Unicode. Messages name the field and the rule, never the value.
 */
import { bodyTooLarge, invalidRequest } from '../../../shared/errors';
import * as z from 'zod/mini';
import { parseInput } from '../../../shared/validation';
import { headerText, MAX_HEADER_VALUE, validUnicode } from '../../../shared/text-rules';
import { checkAddress, normaliseAddress } from './address';
import { attachmentsSchema, headersSchema, tagsSchema, type Attachment, type MessageTag } from './parts';

/** To, Cc and Bcc together, distinct addresses (SES's limit per message). */
export const MAX_RECIPIENTS = 50;
export const MAX_REPLY_TO = 10;
/** A JSON body without attachments. */
export const MAX_BODY_BYTES = 256 * 1024;
/** A JSON body that carries attachments: what one Lambda invocation can take, with room for the event. */
export const MAX_BODY_WITH_ATTACHMENTS_BYTES = 5 * 1024 * 1024;

const address = z.string().check(
  z.maxLength(320, 'must be at most 320 characters'),
  ...validUnicode,
  z.superRefine((value: string, ctx) => {
    const result = checkAddress(value);
    if (!result.ok) ctx.issues.push({ code: 'custom', message: result.problem, input: value });
  }),
);
const addresses = (max: number) => z.union([
  address,
  z.array(address).check(z.minLength(1, 'must hold at least one address'), z.maxLength(max, `must hold at most ${max} addresses`)),
], { error: `must be an email address, or an array of 1 to ${max} email addresses` });

const schema = z.strictObject({
  to: addresses(MAX_RECIPIENTS),
  from_email: address,
  // A name that holds an address (`ceo@bank.example <hi@bad.dev>`) shows the reader a sender it is not.
  from_name: z.optional(z.string().check(z.maxLength(256, 'must be at most 256 characters'), ...validUnicode, ...headerText,
    z.refine((name: string) => !name.includes('@'), {
      message: 'must not contain @: a display name that looks like an address misleads the reader; give a plain name and the address in from_email',
      when: (payload) => payload.issues.length === 0, // one problem at a time: a name already refused is not refused twice
    }))),
  subject: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(MAX_HEADER_VALUE, `must be at most ${MAX_HEADER_VALUE} characters`), ...validUnicode, ...headerText),
  message: z.optional(z.string().check(...validUnicode)),
  html: z.optional(z.string().check(...validUnicode)),
  reply_to: z.optional(addresses(MAX_REPLY_TO)),
  cc: z.optional(addresses(MAX_RECIPIENTS)),
  bcc: z.optional(addresses(MAX_RECIPIENTS)),
  headers: z.optional(headersSchema),
  tags: z.optional(tagsSchema),
  attachments: z.optional(attachmentsSchema),
});

export interface SendRequest {
  to: string[];
  fromEmail: string;
  fromDomain: string;
  fromName?: string;
  subject: string;
  text?: string;
  html?: string;
  replyTo: string[];
  cc: string[];
  bcc: string[];
  /** Extra headers, allow-listed; names as given. */
  headers: Array<[string, string]>;
  tags: MessageTag[];
  attachments: Attachment[];
}

/** Headers or attachments need a MIME message of our own (SendRawEmail); the rest fits SendEmail. */
export const needsRawMessage = (request: SendRequest): boolean => request.headers.length > 0 || request.attachments.length > 0;

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const normaliseAll = (values: string[]): string[] => [...new Set(values.map((v) => normaliseAddress(v)!))];

export function parseSendRequest(body: unknown): SendRequest {
  const input = parseInput(schema, body);
  if (!input.message && !input.html) {
    const message = 'is required: give the text body in message, or an HTML body in html (or both)';
    throw invalidRequest(`The request body is invalid: message ${message}.`, [{ path: 'message', message }]);
  }
  const fromEmail = normaliseAddress(input.from_email)!;
  const to = normaliseAll(list(input.to));
  // Each recipient gets one copy: an address already in To is not repeated in Cc, nor one in To or Cc
  // in Bcc (SES would count it twice against its 50 and deliver it twice).
  const cc = normaliseAll(list(input.cc)).filter((address) => !to.includes(address));
  const bcc = normaliseAll(list(input.bcc)).filter((address) => !to.includes(address) && !cc.includes(address));
  const distinct = new Set([...to, ...cc, ...bcc]).size;
  if (distinct > MAX_RECIPIENTS) {
    const message = `names ${distinct} distinct recipients across to, cc and bcc; at most ${MAX_RECIPIENTS} are allowed per message (send several messages, or use POST /api/send/batch)`;
    throw invalidRequest(`The request body is invalid: to ${message}.`, [{ path: 'to', message }]);
  }
  return {
    to,
    fromEmail,
    fromDomain: fromEmail.slice(fromEmail.lastIndexOf('@') + 1),
    fromName: input.from_name?.trim() || undefined,
    subject: input.subject,
    text: input.message,
    html: input.html,
    replyTo: normaliseAll(list(input.reply_to)),
    cc,
    bcc,
    // Sorted by name: the same headers in another order are the same request (idempotency fingerprint).
    headers: Object.entries(input.headers ?? {}).sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    tags: input.tags ?? [],
    attachments: (input.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.content_type, contentId: a.content_id })),
  };
}

/** The request body's schema, for the OpenAPI document (openapi/, build time only). */
export { schema as sendRequestSchema };

/**
 * Only a message that carries attachments may be larger than 256 KB; it is measured before it is
 * validated, the same way on every route: the SendFleet-shaped message as compact JSON (a Resend
 * body after its fields are mapped, a batch's message on its own), so whitespace or the route taken
 * never changes the verdict.
 */
export function checkMessageSize(message: unknown): void {
  const carriesAttachments = typeof message === 'object' && message !== null && 'attachments' in message;
  if (carriesAttachments) return;
  const bytes = Buffer.byteLength(JSON.stringify(message) ?? '', 'utf8');
  if (bytes > MAX_BODY_BYTES) throw bodyTooLarge(bytes, MAX_BODY_BYTES, ' without attachments');
}
