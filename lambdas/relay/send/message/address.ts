/**
 * Email addresses on the send path: refused, never rewritten. An address is accepted only if it is
 * exactly one RFC 5322 addr-spec that SES v1 can send to (it has no SMTPUTF8):
 *
 *   address = local "@" domain            (nothing before or after: no display name, no <>,
 *                                          no comments, no spaces, no obsolete syntax)
 *   local   = dot-atom of ASCII atext     (no quoted local part), at most 64 characters
 *   domain  = label *("." label)          at least two labels, no IP literal; each label is
 *                                          letters, digits and inner hyphens (LDH), or an IDN label
 *                                          already in its canonical Unicode form
 *   tld     = letters, or xn-- punycode
 *
 * Once the characters only refused syntax uses are refused (quotes, comments, angle brackets,
 * literals, white space, controls), what RFC 5322 (with RFC 6532's UTF-8) leaves of an addr-spec is
 * `dot-atom "@" dot-atom`: one linear regular expression decides the structure, in microseconds
 * for any input (an RFC 5322 parser took ~0.13 ms per long address: 2 s for a batch of 16,000).
 * The rules above are what SES and DNS add to it. An IDN domain is sent in its punycode form and
 * ASCII domains in lower case: both are encodings of the same mailbox, not another address.
 * A label that IDNA processing would map to other characters (full-width letters, for instance) is
 * refused, since the mailbox SES would get is not the one the caller wrote.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

export type AddressCheck =
  | { ok: true; address: string; domain: string }
  | { ok: false; problem: string };

const ASCII = /^[\x00-\x7f]*$/;
const ASCII_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const UNICODE_LABEL = /^(?!-)[\p{L}\p{M}\p{N}-]+(?<!-)$/u;
const TLD = /^(xn--[a-z0-9-]+|[a-z]{2,63})$/;

const refuse = (problem: string): AddressCheck => ({ ok: false, problem });
const BARE = 'must be a bare address like name@example.com: no display name, angle brackets, comments or spaces (the sender\'s name goes in from_name)';

/** Characters that only the syntax we refuse uses (quotes, comments, angle brackets, literals, spaces). */
const REFUSED_SYNTAX = /[\s\x00-\x1f\x7f"(),:;<>[\]\\]/;
/** RFC 5322 atext, with RFC 6532's non-ASCII; a dot-atom is atext runs joined by single dots. */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-]|[^\\x00-\\x7f]";
const DOT_ATOM = `(?:${ATEXT})+(?:\\.(?:${ATEXT})+)*`;
const ADDR_SPEC = new RegExp(`^(${DOT_ATOM})@(${DOT_ATOM})$`, 'u');

export function checkAddress(raw: string): AddressCheck {
  if (raw.length > 254) return refuse('must be at most 254 characters');
  if (!raw.includes('@')) return refuse('must be one email address like name@example.com');
  if (raw.indexOf('@') > 64) return refuse('must have a local part (the part before @) of at most 64 characters');
  if (raw.includes('"')) return refuse('must not have a quoted local part (the part before @)');
  if (raw.includes('[')) return refuse('must have a domain name after @, not an IP address literal');
  if (REFUSED_SYNTAX.test(raw)) return refuse(BARE);
  const parts = ADDR_SPEC.exec(raw);
  if (!parts) return refuse('must be one email address like name@example.com');
  const [, local = '', domain = ''] = parts;
  if (!ASCII.test(local)) return refuse('must have an ASCII local part (the part before @): SES cannot send to internationalised local parts');
  if (local.length > 64) return refuse('must have a local part (the part before @) of at most 64 characters');
  const asciiDomain = toAsciiDomain(domain);
  if (!asciiDomain) return refuse('must have a valid domain after @: labels of letters, digits and hyphens separated by dots (e.g. example.com)');
  const address = `${local}@${asciiDomain}`;
  if (asciiDomain.length > 253 || address.length > 254) return refuse('must be at most 254 characters once its domain is encoded');
  return { ok: true, address, domain: asciiDomain };
}

/** The address as sent (domain in lower-case ASCII), or undefined if it is refused. */
export function normaliseAddress(raw: string): string | undefined {
  const result = checkAddress(raw);
  return result.ok ? result.address : undefined;
}

/** The domain in lower-case ASCII (IDN labels in punycode), or undefined if a label is not valid or would be mapped. */
function toAsciiDomain(domain: string): string | undefined {
  const labels = domain.toLowerCase().split('.');
  if (labels.length < 2) return undefined;
  const ascii: string[] = [];
  for (const label of labels) {
    if (ASCII.test(label)) {
      if (!ASCII_LABEL.test(label)) return undefined;
      // An xn-- label must be valid punycode (domainToASCII answers '' otherwise).
      if (label.startsWith('xn--') && domainToASCII(label) !== label) return undefined;
      ascii.push(label);
      continue;
    }
    if (!UNICODE_LABEL.test(label)) return undefined;
    const encoded = domainToASCII(label);
    // Refuse labels IDNA would change (mapping, normalisation): only the encoding may differ.
    if (!encoded || encoded.includes('.') || domainToUnicode(encoded) !== label || !ASCII_LABEL.test(encoded)) return undefined;
    ascii.push(encoded);
  }
  return TLD.test(ascii[ascii.length - 1]!) ? ascii.join('.') : undefined;
}
