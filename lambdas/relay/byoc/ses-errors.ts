/**
 * What an SES failure means for the caller, after the SDK's bounded retries (3 attempts with
 * exponential backoff and jitter for throttling, 5xx and timeouts). SES's reason is passed on with
 * every email address removed: SES quotes addresses in messages such as "Email address is not
 * verified. The following identities failed the check in region EU-WEST-1: a@b.com".
 */
import { ApiError } from '../../shared/errors';

const EMAIL_LIKE = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

export function withoutAddresses(text: string): string {
  return text.replace(EMAIL_LIKE, '[address]').slice(0, 500);
}

interface SdkError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException']);
const CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'AbortError']);

export type SesFailureKind = 'throttled' | 'unavailable' | 'rejected' | 'stale_credentials';

export function classifySesError(error: unknown): SesFailureKind {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (THROTTLING.has(name)) return 'throttled';
  if (CREDENTIALS.has(name)) return 'stale_credentials';
  if (NETWORK.has(name) || NETWORK.has(e.code ?? '') || status >= 500 || e.$fault === 'server') return 'unavailable';
  if (status >= 400 || e.$fault === 'client') return 'rejected';
  return 'unavailable';
}

export function sesFailureToApiError(error: unknown, region: string): ApiError {
  const e = (error ?? {}) as SdkError;
  const reason = withoutAddresses(e.message ?? e.name ?? 'unknown error');
  switch (classifySesError(error)) {
    case 'throttled': {
      const daily = /daily/i.test(e.message ?? '');
      return new ApiError('ses_throttled',
        daily
          ? `Your SES account in ${region} has reached its 24-hour sending quota (SES: ${reason}). Request a higher quota in the SES console or retry later.`
          : `Your SES account in ${region} is throttling sends (SES: ${reason}). Retry after the Retry-After delay, or request a higher sending rate in the SES console.`,
        { headers: { 'retry-after': daily ? '3600' : '1' } });
    }
    case 'unavailable':
      return new ApiError('ses_unavailable', `Amazon SES in ${region} did not answer successfully after retries (${e.name ?? 'error'}). Nothing was sent; retry later.`);
    case 'stale_credentials':
      return new ApiError('ses_unavailable', `The session in your AWS account was refused by SES (${e.name}). Nothing was sent; retry the request.`);
    case 'rejected':
      if (e.name === 'AccessDenied' || e.name === 'AccessDeniedException') {
        return new ApiError('ses_rejected', `SES refused the message: your SendFleet-BYOC-Role may not call ses:SendEmail. Update the role's permissions policy with the one from GET /api/byoc/config.`);
      }
      return new ApiError('ses_rejected', `SES refused the message (${e.name ?? 'error'}): ${reason}`);
  }
}
