/**
 * SigV4 on the receiving side: parse the Authorization header, and recompute the signature with
 * @smithy/signature-v4 (the SDK's own signer) over exactly the headers the caller says it signed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Authorization {
  accessKeyId: string;
  /** yyyymmdd from the credential scope */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** undefined when the header is not a well-formed SigV4 header-based signature. */
export function parseAuthorization(header: string): Authorization | undefined {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  if (!accessKeyId || !date || !region || !service || !signedHeaders || !signature) return undefined;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

export interface SignedRequest {
  method: string;
  /** the raw request target, e.g. `/` or `/?a=b` */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `20261121T193702Z` → Date */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

function splitTarget(url: string): { path: string; query: Record<string, string | string[]> } {
  const parsed = new URL(url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of parsed.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  // the signer escapes the path itself, so hand it the decoded form the client signed
  return { path: decodeURIComponent(parsed.pathname), query };
}

/** True when `auth.signature` is what `secretAccessKey` produces for this request. */
export async function signatureMatches(request: SignedRequest, auth: Authorization, secretAccessKey: string): Promise<boolean> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const amzDate = headers['x-amz-date'];
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (!signingDate || !headers.host) return false;

  // A signed x-amz-content-sha256 stands in for the body in the signature, so it must be true.
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) return false;

  let target: ReturnType<typeof splitTarget>;
  try {
    target = splitTarget(request.url);
  } catch {
    return false; // undecodable path
  }
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    // the session token, if any, is already among the signed headers
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers.host, path: target.path, query: target.query, headers, body: request.body },
    // sign exactly the caller's list, even headers the SDK would never sign itself
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = parseAuthorization(String(signed.headers.authorization ?? ''))?.signature;
  return expected !== undefined && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
}
