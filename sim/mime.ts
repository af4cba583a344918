/**
 * Just enough RFC 5322 / 2045 / 2047 to file a message in the mailbox: addresses with display
 * names, encoded words, and the text/html parts of a (possibly multipart) raw message.
 */

export interface ParsedAddress {
  /** decoded display name, when there is one */
  name?: string;
  address: string;
}

const BARE_ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

/** Decodes RFC 2047 encoded words (`=?utf-8?B?...?=`); unknown charsets are left as they are. */
export function decodeEncodedWords(text: string): string {
  // whitespace between two adjacent encoded words is not part of the text
  const joined = text.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word, charset: string, encoding: string, data: string) => {
    const nodeCharset = charsetToEncoding(charset);
    if (!nodeCharset) return word;
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : decodeQuotedPrintableBytes(data.replace(/_/g, ' '));
    return bytes.toString(nodeCharset);
  });
}

function charsetToEncoding(charset: string): BufferEncoding | undefined {
  const normalized = charset.toLowerCase().replace(/\*.*$/, ''); // drop an RFC 2231 language tag
  if (normalized === 'utf-8' || normalized === 'utf8') return 'utf8';
  if (normalized === 'us-ascii' || normalized === 'iso-8859-1' || normalized === 'latin1') return 'latin1';
  return undefined;
}

function decodeQuotedPrintableBytes(text: string): Buffer {
  const bytes: number[] = [];
  const softBreaksRemoved = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < softBreaksRemoved.length; i++) {
    const hex = softBreaksRemoved.slice(i + 1, i + 3);
    if (softBreaksRemoved[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(softBreaksRemoved[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** `"Acme" <hello@acme.com>`, `=?utf-8?B?...?= <hello@acme.com>`, `hello@acme.com`; undefined if not an address. */
export function parseAddress(raw: string): ParsedAddress | undefined {
  const trimmed = raw.trim();
  const angle = /^(.*)<([^<>]*)>$/s.exec(trimmed);
  if (!angle) return BARE_ADDRESS.test(trimmed) ? { address: trimmed } : undefined;
  const address = (angle[2] ?? '').trim();
  if (!BARE_ADDRESS.test(address)) return undefined;
  let name = (angle[1] ?? '').trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  name = decodeEncodedWords(name);
  return name ? { name, address } : { address };
}

/** The domain part, lower-cased (domains are case-insensitive). */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Splits an address-list header on the commas that are outside quotes and angle brackets. */
export function splitAddressList(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i] ?? '';
    if (char === '\\' && quoted) {
      current += char + (header[++i] ?? '');
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angled = true;
    else if (char === '>' && !quoted) angled = false;
    if (char === ',' && !quoted && !angled) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

export interface ParsedMime {
  /** lower-cased header name → unfolded raw value (first occurrence) */
  headers: Map<string, string>;
  text?: string;
  html?: string;
}

function splitHeaders(entity: string): { headers: Map<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  const head = match ? entity.slice(0, match.index) : entity;
  const body = match ? entity.slice(match.index + match[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A parameter of a structured header, e.g. `boundary` of Content-Type. */
function headerParam(value: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeBody(body: string, headers: Map<string, string>): string {
  const transferEncoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = charsetToEncoding(headerParam(headers.get('content-type') ?? '', 'charset') ?? 'utf-8') ?? 'utf8';
  if (transferEncoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString(charset);
  if (transferEncoding === 'quoted-printable') return decodeQuotedPrintableBytes(body).toString(charset);
  return body;
}

/** Collects the first text/plain and text/html leaves, descending into multipart containers. */
function collectParts(entity: string, into: { text?: string; html?: string }, depth: number): Map<string, string> {
  const { headers, body } = splitHeaders(entity);
  const contentType = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = headerParam(headers.get('content-type') ?? '', 'boundary');
  if (contentType.startsWith('multipart/') && boundary && depth < 10) {
    const delimiter = `--${boundary}`;
    const sections = body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    // the preamble before the first delimiter and the epilogue after the last are not parts
    for (const section of sections.slice(1, -1)) collectParts(section, into, depth + 1);
  } else if (contentType.startsWith('text/html')) {
    into.html ??= decodeBody(body, headers);
  } else if (contentType.startsWith('text/plain')) {
    into.text ??= decodeBody(body, headers);
  }
  return headers;
}

export function parseMime(raw: string): ParsedMime {
  const parts: { text?: string; html?: string } = {};
  const headers = collectParts(raw, parts, 0);
  return { headers, ...parts };
}
