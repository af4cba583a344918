/**
 * What an issuer may decide about a new key, as any API that issues keys takes it (the platform's
 * admin API, the relay's self-service keys API): a name, a scope and, for a sending key, the
 * domains its `from` may use. Refused, never rewritten: a domain in
 * upper case or with a trailing dot is refused with how to write it, not lower-cased.
 */
import * as z from 'zod/mini';
import { keyScopeSchema } from './tenant-events';
import { headerText, validUnicode } from './text-rules';

/** Keys a tenant may hold that are not revoked (expired ones count until revoked): revoking gives a slot back. */
export const MAX_KEYS_PER_TENANT = 100;
export const MAX_KEY_NAME_LENGTH = 50;
export const MAX_KEY_DOMAINS = 20;
/**
 * A sending key's domains together, in characters: with the name's 50 this bounds what a key adds to
 * its tenant's snapshot, so 100 live keys and 100 tombstones always fit one EventBridge event
 * (256 KB; test/unit/tenant-snapshot-size.test.ts). 20 domains of 50 characters each fit.
 */
export const MAX_KEY_DOMAINS_CHARACTERS = 1_000;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A hostname as the relay compares it with a `from` domain: lower-case ASCII labels (IDNs in punycode), at least two, no IP address. */
export function isSendingDomain(value: string): boolean {
  const labels = value.split('.');
  return value.length <= 253 && labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

/** A key's name: a label of 1–50 characters on one line. */
export const keyNameText = z.string().check(
  z.minLength(1, `must be 1 to ${MAX_KEY_NAME_LENGTH} characters`),
  z.maxLength(MAX_KEY_NAME_LENGTH, `must be 1 to ${MAX_KEY_NAME_LENGTH} characters`),
  ...validUnicode,
  ...headerText,
  z.refine((value: string) => value.trim() === value, 'must not start or end with spaces'),
);

/** A sending key's domains: 1–20 distinct lower-case domain names. */
export const sendingDomainList = z.array(z.string().check(
  z.refine(isSendingDomain, 'must be a domain name in lower case, such as acme.com or mail.acme.com (IDNs in punycode, no trailing dot)'),
)).check(
  z.minLength(1, `must list 1 to ${MAX_KEY_DOMAINS} domains, or be null for any of the tenant's domains`),
  z.maxLength(MAX_KEY_DOMAINS, `must list at most ${MAX_KEY_DOMAINS} domains`),
  z.superRefine((domains: string[], ctx) => {
    if (new Set(domains).size !== domains.length) ctx.issues.push({ code: 'custom', message: 'lists a domain twice', input: domains });
    if (domains.join('').length > MAX_KEY_DOMAINS_CHARACTERS) {
      ctx.issues.push({ code: 'custom', message: `must be at most ${MAX_KEY_DOMAINS_CHARACTERS} characters together: list fewer domains`, input: domains });
    }
  }),
);

/** The fields a key-issuing request body takes (spread into its own object schema). */
export const keyOptionFields = {
  name: z.optional(z.nullable(keyNameText)),
  scope: z.optional(keyScopeSchema),
  domains: z.optional(z.nullable(sendingDomainList)),
};

/** Domains limit what a sending key sends; a full-access key has no such limit, so they come only with `sending_access`. */
export const domainsNeedSendingScope = z.superRefine((body: { scope?: string; domains?: string[] | null }, ctx) => {
  if (body.domains != null && body.scope !== 'sending_access') {
    ctx.issues.push({ code: 'custom', message: 'are only for a sending key: give "scope": "sending_access" with domains, or leave domains out for a full-access key', input: body, path: ['domains'] });
  }
});
