/**
 * Every failure the APIs can answer with, and its HTTP status: the one place where errors meet HTTP.
 * Every code is documented per route in the OpenAPI document (openapi/); `detail` must tell the caller how to fix it and must
 * never contain a recipient, subject, body or sender name.
 */
export const errorStatus = {
  invalid_request: 400,
  invalid_api_key: 401,
  forbidden: 403,
  tenant_suspended: 403,
  byoc_not_validated: 403,
  domain_not_registered: 403,
  domain_not_verified: 403,
  dkim_not_verified: 403,
  could_not_assume_role: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  request_too_large: 413,
  idempotency_in_progress: 409,
  idempotency_key_reused: 422,
  ses_rejected: 422,
  sending_disabled: 422,
  ses_sandbox: 422,
  missing_permission: 422,
  invalid_domain: 422,
  subdomain_not_allowed: 422,
  rate_limited: 429,
  usage_limit_exceeded: 429,
  ses_throttled: 429,
  internal_error: 500,
  ses_unavailable: 502,
  ses_outcome_unknown: 502,
  upstream_unavailable: 502,
  byoc_not_configured: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ApiErrorOptions {
  issues?: ValidationIssue[];
  headers?: Record<string, string>;
  /** Extra fields merged into the error body (e.g. the checks of a failed validation). */
  body?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
    this.status = errorStatus[code];
  }
}

export const invalidRequest = (detail: string, issues?: ValidationIssue[]) =>
  new ApiError('invalid_request', detail, issues ? { issues } : {});
