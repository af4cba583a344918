/**
 * What a use case answers when it will not (or could not) do what was asked: a named failure in
 * our words, with no HTTP in it. Use cases return or throw these; only the adapters turn one into
 * an answer, through their API shape's table (`errorStatus` and `resendError` in errors.ts): the
 * code gives the status, `retryAfterSeconds` the Retry-After header.
 *
 * A detail is ours alone: it never quotes a recipient, subject, body, sender name or AWS's text.
 */
import { ApiError, type ErrorCode, type ValidationIssue } from './errors';

export interface Refusal {
  code: ErrorCode;
  detail: string;
  /** When a retry may succeed, in seconds (the adapters' Retry-After). */
  retryAfterSeconds?: number;
  /** The fields of the input that are wrong, for the caller to fix. */
  issues?: ValidationIssue[];
  /** Facts the caller can act on, merged into the answer's body (e.g. `max_messages`). */
  facts?: Record<string, unknown>;
}

/** A refusal thrown through layers that only pass it on (a use case's helpers to the use case). */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(readonly refusal: Refusal) {
    super(`${refusal.code}: ${refusal.detail}`);
  }
}

export const refusal = (code: ErrorCode, detail: string, more: Omit<Refusal, 'code' | 'detail'> = {}): Refusal => ({ code, detail, ...more });

/** The adapters' side: a refusal as the ApiError the HTTP edge answers with (our shape). */
export function refusalAsApiError(refused: Refusal, headers: Record<string, string> = {}): ApiError {
  return new ApiError(refused.code, refused.detail, {
    headers: { ...headers, ...(refused.retryAfterSeconds !== undefined ? { 'retry-after': String(refused.retryAfterSeconds) } : {}) },
    ...(refused.issues ? { issues: refused.issues } : {}),
    ...(refused.facts ? { body: refused.facts } : {}),
  });
}
