/**
 * Where a webhook may go: `https` to a public host only, checked on the addresses the name resolves
 * to (not on its spelling), and the delivery connects to the very address that was checked, so a
 * name that answers a public address to the check and a private one to the connection (DNS
 * rebinding) reaches nothing. Used twice: at registration (PUT /api/webhooks refuses with the
 * reason) and before every delivery attempt (a name may have moved since).
 *
 * Refused: private (10/8, 172.16/12, 192.168/16), shared (100.64/10), loopback, link-local
 * (169.254/16, the instance metadata address included), "this network" (0/8), multicast, reserved
 * and documentation ranges; in IPv6 everything outside global unicast (2000::/3: loopback, unique-
 * local, link-local, multicast…) and, inside it, documentation, Teredo and 6to4 (which embed an IPv4
 * address), and IPv4-mapped addresses of any refused IPv4 address.
 */
import { promises as dns } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** The resolver port: every address a name resolves to. */
export interface AddressResolver {
  resolve(hostname: string): Promise<ResolvedAddress[]>;
}

/** The system resolver (getaddrinfo, as an HTTP client would use), every address. */
export const systemResolver: AddressResolver = {
  async resolve(hostname) {
    const found = await dns.lookup(hostname, { all: true, verbatim: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  },
};

export interface WebhookUrlPolicy {
  /** Local mode only: also accept `http://127.0.0.1:<port>` (a receiver on this machine). Never set in AWS. */
  allowLoopbackHttp?: boolean;
}

/** A URL the guard accepted and the address the delivery must connect to. */
export interface CheckedTarget {
  url: URL;
  /** The host name as written (TLS SNI and the Host header), without IPv6 brackets. */
  host: string;
  address: string;
  family: 4 | 6;
}

/** The URL may not receive webhooks; `reason` tells the customer why, in our words. */
export class WebhookUrlRefusedError extends Error {
  override readonly name = 'WebhookUrlRefusedError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Longest URL accepted (what API Gateway and browsers handle comfortably). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export async function checkWebhookUrl(raw: string, resolver: AddressResolver, policy: WebhookUrlPolicy = {}): Promise<CheckedTarget> {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookUrlRefusedError(`is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefusedError('is not an absolute URL (like https://example.com/webhooks)');
  }
  if (url.username || url.password) throw new WebhookUrlRefusedError('must not carry a user name or password; put a secret in the path or query instead');
  if (url.hash) throw new WebhookUrlRefusedError('must not have a #fragment (it is never sent to a server)');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');

  if (url.protocol === 'http:' && policy.allowLoopbackHttp) {
    if (host !== '127.0.0.1' || url.port === '') throw new WebhookUrlRefusedError('in local mode an http URL must be http://127.0.0.1:<port>/…; anything else must be https');
    return { url, host, address: host, family: 4 };
  }
  if (url.protocol !== 'https:') throw new WebhookUrlRefusedError('must use https');

  const literal = isIPv4(host) || isIPv6(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: isIPv4(host) ? 4 : 6 }];
  } else {
    try {
      addresses = await resolver.resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) throw new WebhookUrlRefusedError(`has a host name that does not resolve (${host})`);
  }
  // Every address must be public: a client may pick any of them.
  for (const { address } of addresses) {
    const refusedAs = nonPublicKind(address);
    if (refusedAs) {
      throw new WebhookUrlRefusedError(literal ? `points to a ${refusedAs} address; webhooks go to public hosts only` : `resolves to a ${refusedAs} address (${address}); webhooks go to public hosts only`);
    }
  }
  const [first] = addresses as [ResolvedAddress];
  return { url, host, address: first.address, family: first.family };
}

type Range4 = readonly [base: string, prefix: number, kind: string];

const IPV4_REFUSED: readonly Range4[] = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (instance metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved (IETF protocol assignments)'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved (6to4 relay)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved (benchmarking)'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const ipv4Number = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

function ipv4Kind(value: number): string | undefined {
  for (const [base, prefix, kind] of IPV4_REFUSED) {
    const size = 2 ** (32 - prefix);
    if (Math.floor(value / size) === Math.floor(ipv4Number(base) / size)) return kind;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Number(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function ipv6Kind(address: string): string | undefined {
  const g = ipv6Groups(address);
  const embeddedV4 = (high: number, low: number) => high * 65536 + low;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const kind = ipv4Kind(embeddedV4(g[6]!, g[7]!));
    return kind ? `IPv4-mapped ${kind}` : undefined;
  }
  if (g.every((x) => x === 0)) return 'unspecified (::)';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if ((first & 0xe000) !== 0x2000) return 'non-global IPv6';
  if (first === 0x2001 && g[1] === 0x0db8) return 'documentation';
  if (first === 0x2001 && g[1] === 0) return 'Teredo';
  if (first === 0x2002) {
    const kind = ipv4Kind(embeddedV4(g[1]!, g[2]!));
    return kind ? `6to4 ${kind}` : undefined;
  }
  return undefined;
}

/** What kind of non-public address this is; undefined for a public one. */
export function nonPublicKind(address: string): string | undefined {
  if (isIPv4(address)) return ipv4Kind(ipv4Number(address));
  if (isIPv6(address)) return ipv6Kind(address);
  return 'unparsable';
}
