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
 * The structure is decided by the maintained RFC 5322 parser `email-addresses` (strict mode);
 * the rules above are what SES and DNS add to it. An IDN domain is sent in its punycode form and
 * ASCII domains in lower case: both are encodings of the same mailbox, not another address.
 * A label that IDNA processing would map to other characters (full-width letters, for instance) is
 * refused, since the mailbox SES would get is not the one the caller wrote.
 */
import { parseOneAddress } from 'email-addresses';
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

export function checkAddress(raw: string): AddressCheck {
  // Refused before parsing: the parser's backtracking costs milliseconds on long hostile input.
  if (raw.length > 254) return refuse('must be at most 254 characters');
  if (!raw.includes('@')) return refuse('must be one email address like name@example.com');
  if (raw.indexOf('@') > 64) return refuse('must have a local part (the part before @) of at most 64 characters');
  if (raw.includes('"')) return refuse('must not have a quoted local part (the part before @)');
  if (raw.includes('[')) return refuse('must have a domain name after @, not an IP address literal');
  if (REFUSED_SYNTAX.test(raw)) return refuse(BARE);
  const parsed = parseOneAddress({ input: raw, startAt: 'mailbox', simple: false, strict: true, rejectTLD: true, rfc6532: true });
  if (!parsed || parsed.type !== 'mailbox') return refuse('must be one email address like name@example.com');
  const { local, domain } = parsed.parts;
  if (parsed.name !== null || parsed.parts.comments.length > 0 || `${local.tokens}@${domain.tokens}` !== raw) {
    return refuse(BARE);
  }
  if (local.children[0]?.name !== 'dot-atom') return refuse('must not have a quoted local part (the part before @)');
  if (!ASCII.test(local.tokens)) return refuse('must have an ASCII local part (the part before @): SES cannot send to internationalised local parts');
  if (local.tokens.length > 64) return refuse('must have a local part (the part before @) of at most 64 characters');
  if (domain.children[0]?.name !== 'dot-atom') return refuse('must have a domain name after @, not an IP address literal');
  const asciiDomain = toAsciiDomain(domain.tokens);
  if (!asciiDomain) return refuse('must have a valid domain after @: labels of letters, digits and hyphens separated by dots (e.g. example.com)');
  const address = `${local.tokens}@${asciiDomain}`;
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
