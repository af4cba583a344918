import { neverSent } from '../../shared/http-transport';

/**
 * What a failed call into a customer's AWS account proves, decided from the error's code, HTTP
 * status and transport error code — never from its message text, which AWS fills with the
 * caller's addresses and names.
 *
 * The question that matters for a send is whether the request may have been carried out:
 * - an answer from AWS (any HTTP status) proves what happened: 4xx and 5xx mean "not done";
 * - no connection made (refused, DNS failure, connect timeout), or an attempt that ended while still
 *   waiting for a socket or for its connection (the transport's `neverSent`), proves the request
 *   never left;
 * - a request that was written and then timed out or lost its connection may have been carried out:
 *   its outcome is unknown, and a send in that state must never be retried.
 */

export type FailureKind =
  /** AWS answered Throttling (sending rate, daily quota or control-plane rate): not done. */
  | 'throttled'
  /** AWS answered 5xx, or no connection was made: not done, worth another attempt. */
  | 'unavailable'
  /** The request may have reached AWS and been carried out: never retry a non-idempotent call. */
  | 'outcome_unknown'
  /** The session's credentials were refused (expired, role deleted or recreated, access denied): not done. */
  | 'session_refused'
  /** Any other answer from AWS refusing this request: not done; the same request fails again. */
  | 'rejected';

interface SdkError {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);
const SESSION_REFUSED = new Set([
  'AccessDenied', 'AccessDeniedException', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId',
  'UnrecognizedClientException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'RequestExpired',
]);
/** Transport failures that happen before a byte of the request is written. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Smithy's connect-phase timeout carries no code; its request-phase timeout carries ETIMEDOUT. */
const CONNECT_TIMEOUT = /did not establish a connection/;

export const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

export function errorName(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  return typeof e.name === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(e.name) ? e.name : 'Error';
}

export function classifyFailure(error: unknown): FailureKind {
  const e = (error ?? {}) as SdkError;
  const name = errorName(error);
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status > 0) {
    if (THROTTLING.has(name)) return 'throttled';
    if (SESSION_REFUSED.has(name)) return 'session_refused';
    if (status >= 500) return 'unavailable';
    if (status >= 400) return 'rejected';
    // A 2xx/3xx that failed to deserialise: SES may have acted on it.
    return 'outcome_unknown';
  }
  if (neverSent(error) || NEVER_CONNECTED.has(e.code ?? '')) return 'unavailable';
  if (name === 'TimeoutError' && e.code === undefined && CONNECT_TIMEOUT.test(String((error as Error).message ?? ''))) return 'unavailable';
  return 'outcome_unknown';
}

/** SES says "Daily message quota exceeded" for the 24-hour quota; read only to choose our own words. */
export function isDailyQuota(error: unknown): boolean {
  return /daily/i.test(String((error as Error | undefined)?.message ?? ''));
}
