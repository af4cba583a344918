/**
 * The send request at the edge: the SendFleet shape, validated with zod/mini. Addresses follow
 * email-address.ts (refused, never rewritten); header fields (from_name, subject) follow the header
 * text rules of shared/text-rules.ts, so nothing can inject or disguise a header; every string must
 * be valid Unicode. Messages name the field and the rule, never the value.
 */
import { invalidRequest } from '../../shared/errors';
import * as z from 'zod/mini';
import { parseInput } from '../../shared/validation';
import { headerText, validUnicode } from '../../shared/text-rules';
import { checkAddress, normaliseAddress } from './email-address';

export const MAX_RECIPIENTS = 50;
export const MAX_REPLY_TO = 10;
export const MAX_BODY_BYTES = 256 * 1024;

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
  from_name: z.optional(z.string().check(z.maxLength(256, 'must be at most 256 characters'), ...validUnicode, ...headerText)),
  subject: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(998, 'must be at most 998 characters'), ...validUnicode, ...headerText),
  message: z.optional(z.string().check(...validUnicode)),
  html: z.optional(z.string().check(...validUnicode)),
  reply_to: z.optional(addresses(MAX_REPLY_TO)),
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
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const normaliseAll = (values: string[]): string[] => [...new Set(values.map((v) => normaliseAddress(v)!))];

export function parseSendRequest(body: unknown): SendRequest {
  const input = parseInput(schema, body);
  if (!input.message && !input.html) {
    const message = 'is required: give the text body in message, or an HTML body in html (or both)';
    throw invalidRequest(`The request body is invalid: message ${message}.`, [{ path: 'message', message }]);
  }
  const fromEmail = normaliseAddress(input.from_email)!;
  return {
    to: normaliseAll(list(input.to)),
    fromEmail,
    fromDomain: fromEmail.slice(fromEmail.lastIndexOf('@') + 1),
    fromName: input.from_name?.trim() || undefined,
    subject: input.subject,
    text: input.message,
    html: input.html,
    replyTo: normaliseAll(list(input.reply_to)),
  };
}

/** The request body's schema, for the OpenAPI document (openapi/, build time only). */
export { schema as sendRequestSchema };
