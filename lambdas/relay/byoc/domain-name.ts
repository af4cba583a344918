/**
 * Sending domains as the relay stores them: lower-case ASCII (IDNs in punycode), and always a
 * registrable root domain per the Public Suffix List, so one tenant's domain is the unit one party
 * controls. SES verifies subdomains with their parent, so the root also covers `mail.acme.com`.
 *
 * The PSL's private section counts (`allowPrivateDomains`): under suffixes such as `github.io` or
 * `eu.org` each name below belongs to a different party, so `alice.github.io` and `acme.eu.org` are
 * roots of their own, while `github.io` itself is refused like `co.uk`. Whether the party can publish
 * DNS records there is up to its provider; if not, SES verification simply stays Pending.
 *
 * Messages never quote the input (it may be anything); they may name the root we computed from it.
 */
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';
import { ApiError } from '../../shared/errors';

/** Longer input is refused before any IDNA work. */
export const MAX_DOMAIN_INPUT_LENGTH = 1024;

const EXAMPLE = 'Send a root domain such as acme.com or acme.co.uk.';
/** ASCII allowed before IDNA processing; everything non-ASCII is left to UTS #46 (domainToASCII). */
const ASCII_ALLOWED = /^[a-z0-9.\-\u0080-\u{10FFFF}]*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const invalid = (why: string) => new ApiError('invalid_domain', `The domain ${why}. ${EXAMPLE}`);

/**
 * Trim, lower-case, strip one trailing dot, IDN → punycode, and the hostname rules (labels of
 * 1–63 letters, digits or inner hyphens, at most 253 characters, no IP addresses).
 */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '') throw invalid('is empty');
  if (trimmed.length > MAX_DOMAIN_INPUT_LENGTH) throw invalid(`is longer than ${MAX_DOMAIN_INPUT_LENGTH} characters`);
  const lower = trimmed.toLowerCase();
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  // domainToASCII follows URL parsing: it would cut "acme.com/x" to "acme.com" and drop tabs. Refuse
  // every ASCII character a domain cannot hold before it gets the chance.
  if (!ASCII_ALLOWED.test(name)) {
    throw invalid('contains characters a domain cannot hold (only letters, digits, hyphens and dots; no scheme, path, port, @, spaces or wildcards)');
  }
  const ascii = domainToASCII(name);
  if (ascii === '') throw invalid('is not a valid domain name (invalid internationalised name, or an IP address)');
  if (ascii.length > 253) throw invalid('is longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) throw invalid('needs at least two labels');
  if (!labels.every((label) => LABEL.test(label))) {
    throw invalid('has an empty label, a label longer than 63 characters, or a label starting or ending with a hyphen');
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) throw invalid('is an IP address; use a domain name');
  return ascii;
}

/** `normalizeDomain`, then the root rule: `acme.com` yes; `mail.acme.com`, `co.uk`, `localhost` no. */
export function rootDomain(input: string): string {
  const domain = normalizeDomain(input);
  const parsed = parse(domain, { allowPrivateDomains: true });
  if (parsed.isIp) throw invalid('is an IP address; use a domain name');
  if (!parsed.isIcann && !parsed.isPrivate) {
    // Only the PSL's catch-all rule matched: localhost, reserved names (.test, .local, .example,
    // .invalid) or a top-level domain that does not exist, none of which SES can verify.
    throw invalid('does not end in a known public top-level domain (names such as localhost, .local or .test cannot be verified by SES)');
  }
  if (parsed.domain === null) {
    throw invalid('is a public suffix (like com, co.uk or github.io) that no single owner controls; add your own domain under it');
  }
  if (parsed.domain !== domain) {
    throw new ApiError('subdomain_not_allowed',
      `Sending domains are root domains; this is a subdomain of ${parsed.domain}. Use ${parsed.domain} instead: once it is verified you can send from any of its subdomains too.`);
  }
  return domain;
}

/**
 * The `{domain}` path parameter. API Gateway REST APIs may pass it still percent-encoded (local mode
 * decodes it); `%` is never part of a domain, so decoding once is safe either way.
 */
export function rootDomainFromPath(raw: string): string {
  let value = raw;
  if (raw.includes('%')) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      throw invalid('in the path is not correctly percent-encoded');
    }
  }
  return rootDomain(value);
}
