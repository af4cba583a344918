/**
 * Email address rules for the send path (RFC 5321/5322 dot-atom addresses, which is what SES v1
 * accepts without SMTPUTF8): an ASCII local part, a domain of valid labels. An internationalised
 * domain is accepted and converted to punycode; a non-ASCII local part is refused.
 */
import { domainToASCII } from 'node:url';

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The address in canonical form (domain lower-cased, punycode), or undefined if it is not valid. */
export function normaliseAddress(raw: string): string | undefined {
  const value = raw.trim();
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return undefined;
  const local = value.slice(0, at);
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  if (!domain || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (!/^(xn--[a-z0-9-]+|[a-z]{2,63})$/.test(labels[labels.length - 1]!)) return undefined;
  const address = `${local}@${domain}`;
  return address.length <= 254 ? address : undefined;
}
