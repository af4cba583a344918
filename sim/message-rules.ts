/**
 * What SES v1 refuses in a message before anything else, with its codes and wording: too many
 * recipients, too large a message, and addresses SES cannot carry (SES has no SMTPUTF8: ASCII local
 * parts, punycode domains, display names in ASCII or RFC 2047 encoded words, on one line).
 */
import { invalidParameter } from './wire';

export const MAX_RECIPIENTS = 50;
/** SES v1's message size limit, counted after base64 encoding */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const NON_ASCII = /[^\x00-\x7f]/;
const CONTROL_OR_WHITESPACE = /[\x00-\x20\x7f]/;

export function checkRecipientCount(count: number): void {
  if (count > MAX_RECIPIENTS) throw invalidParameter(`Recipient count exceeds ${MAX_RECIPIENTS}.`);
}

export function checkMessageSize(bytes: number): void {
  if (bytes > MAX_MESSAGE_BYTES) throw invalidParameter(`Message length is more than ${MAX_MESSAGE_BYTES} bytes long`);
}

/** Refuses an address (with or without display name) that SES would refuse for its characters. */
export function checkAddressCharacters(raw: string): void {
  const trimmed = raw.trim();
  const angle = /^(.*)<([^<>]*)>$/s.exec(trimmed);
  const displayName = angle ? (angle[1] ?? '').trim() : '';
  const address = angle ? (angle[2] ?? '').trim() : trimmed;
  if (/[\r\n]/.test(displayName)) throw invalidParameter('Local address contains control or whitespace');
  if (NON_ASCII.test(displayName)) throw invalidParameter('Illegal address');
  const quoted = displayName.startsWith('"') && displayName.endsWith('"') && displayName.length >= 2;
  // SES reads an unquoted comma as the end of one address: what precedes it has no domain
  if (!quoted && displayName.includes(',')) throw invalidParameter("Missing final '@domain'");
  const at = address.lastIndexOf('@');
  if (at < 0) return; // the address parser names what is missing
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (NON_ASCII.test(local) || CONTROL_OR_WHITESPACE.test(local)) throw invalidParameter('Local address contains control or whitespace');
  if (CONTROL_OR_WHITESPACE.test(domain)) throw invalidParameter('Domain contains control or whitespace');
  if (NON_ASCII.test(domain)) throw invalidParameter('Domain contains illegal character');
}
