/**
 * A domain's DNS records as a BIND zone file (RFC 1035 master file), the format DNS providers
 * import (Route 53, Cloudflare and others): fully-qualified names with their trailing dot, TXT values
 * quoted and split into character-strings of at most 255 octets, the MX priority before its host.
 * Pure: no DOM, so the unit tests read it directly.
 */

export interface ZoneRecord {
  type: 'TXT' | 'CNAME' | 'MX';
  name: string;
  value: string;
  /** MX only: the priority and the mail host, apart (the API gives both). */
  priority?: number;
  exchange?: string;
}

/** One hour: short enough to correct a mistyped record the same day, long enough not to matter to resolvers. */
export const ZONE_TTL_SECONDS = 3600;

/** A TXT character-string holds at most 255 octets (RFC 1035 §3.3). */
const MAX_CHARACTER_STRING_OCTETS = 255;

/** `acme.com` → `acme.com.`: without the dot a zone file would append its origin to the name. */
export const fullyQualified = (name: string): string => (name.endsWith('.') ? name : `${name}.`);

/** One octet inside a quoted string: printable ASCII as is (`"` and `\` escaped), anything else as \DDD. */
function escapeOctet(octet: number): string {
  if (octet === 0x22 || octet === 0x5c) return `\\${String.fromCharCode(octet)}`;
  if (octet >= 0x20 && octet <= 0x7e) return String.fromCharCode(octet);
  return `\\${String(octet).padStart(3, '0')}`;
}

/** A TXT value as quoted character-strings, split every 255 octets of its UTF-8 (the limit is on the wire, not on the escaped text). */
export function txtStrings(value: string): string {
  const octets = new TextEncoder().encode(value);
  const strings: string[] = [];
  for (let start = 0; start < octets.length || strings.length === 0; start += MAX_CHARACTER_STRING_OCTETS) {
    strings.push(`"${Array.from(octets.subarray(start, start + MAX_CHARACTER_STRING_OCTETS), escapeOctet).join('')}"`);
  }
  return strings.join(' ');
}

function rdata(record: ZoneRecord): string {
  switch (record.type) {
    case 'TXT': return txtStrings(record.value);
    case 'CNAME': return fullyQualified(record.value);
    case 'MX':
      if (record.priority === undefined || record.exchange === undefined) throw new Error(`the MX record ${record.name} has no priority or host apart`);
      return `${record.priority} ${fullyQualified(record.exchange)}`;
  }
}

/** The zone file's text: a comment naming the domain, then one line per record, in the order given. */
export function zoneFile(domain: string, records: readonly ZoneRecord[], ttl = ZONE_TTL_SECONDS): string {
  const lines = records.map((record) => `${fullyQualified(record.name)}\t${ttl}\tIN\t${record.type}\t${rdata(record)}`);
  return [`; DNS records for ${domain} to send with SendFleet through Amazon SES.`, `; Import this file at your DNS provider, or copy each line.`, ...lines, ''].join('\n');
}

/** The download's file name: `acme.com.zone`. */
export const zoneFileName = (domain: string): string => `${domain}.zone`;
