/**
 * Every failure the APIs can answer with, and its HTTP status: the one place where errors meet HTTP.
 * Every code is documented per route in the OpenAPI document (openapi/); `detail` must tell the caller how to fix it and must
 * never contain a recipient, subject, body or sender name.
 */
export const errorStatus = {
  invalid_request: 400,
  invalid_api_key: 401,
  forbidden: 403,
  insufficient_scope: 403,
  from_domain_not_allowed: 403,
  tenant_suspended: 403,
  byoc_not_validated: 403,
  byoc_disconnected: 403,
  domain_not_registered: 403,
  domain_not_verified: 403,
  dkim_not_verified: 403,
  could_not_assume_role: 403,
  edge_blocked: 403,
  not_found: 404,
  message_not_found: 404,
  key_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  key_in_use: 409,
  key_limit_reached: 409,
  request_too_large: 413,
  idempotency_in_progress: 409,
  idempotency_key_reused: 422,
  ses_rejected: 422,
  configuration_set_missing: 422,
  sending_disabled: 422,
  ses_sandbox: 422,
  missing_permission: 422,
  invalid_domain: 422,
  subdomain_not_allowed: 422,
  domain_not_added: 422,
  rate_limited: 429,
  usage_limit_exceeded: 429,
  ses_throttled: 429,
  edge_rate_limited: 429,
  internal_error: 500,
  ses_unavailable: 502,
  ses_outcome_unknown: 502,
  time_budget_exhausted: 503,
  upstream_unavailable: 502,
  byoc_not_configured: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/**
 * The refusals of the customer API's WAF in AWS, before any function runs (never answered
 * locally): its rate limits, in the route's own shape, and a block by AWS's managed rules.
 */
/**
 * The largest request body the customer API lets through to a function, in AWS (a WAF rule on
 * Content-Length) as locally. API Gateway takes 10 MB, but Lambda's synchronous event is capped at
 * 6 MB, body and headers together: a body between them would fail in Lambda as a 5xx. Bodies up to
 * here reach the functions, whose own limits answer 413 in the route's shape (5 MiB with attachments).
 */
export const EDGE_MAX_BODY_BYTES = 5_500_000;

export const EDGE_DETAILS = {
  edge_rate_limited: 'Too many requests from this API key or address: refused at the edge (AWS WAF) before reaching SendFleet. Wait for Retry-After seconds and retry.',
  edge_blocked: 'Refused at the edge (AWS WAF): the request matched a rule against common web attacks (for example no User-Agent, or a path, query or cookie that looks like an attack). Contact support with the time of the request if it is legitimate.',
  request_too_large: `The request body is over ${EDGE_MAX_BODY_BYTES} bytes, more than any route accepts (at most 5 MiB, with attachments): refused at the edge. Send a smaller body; attachments add a third for base64.`,
} as const satisfies Partial<Record<ErrorCode, string>>;

/** The bodies an edge refusal answers with: ours, and Resend's on the Resend-compatible routes. */
export function edgeAnswerBodies(code: keyof typeof EDGE_DETAILS): { ours: Record<string, unknown>; resend: Record<string, unknown> } {
  return {
    ours: { success: false, error: code, detail: EDGE_DETAILS[code] },
    resend: { ...resendError(code), message: EDGE_DETAILS[code] },
  };
}

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

export const bodyTooLarge = (size: number, maxBytes: number, why = '') =>
  new ApiError('request_too_large', `The request body is ${size} bytes; the limit is ${maxBytes} bytes${why}. Send a smaller body.`);

/**
 * The Resend-compatible routes (`/emails`) answer `{ statusCode, name, message }` with Resend's
 * error names and statuses where one fits; the rest keep our code as the name and our status.
 */
const RESEND_ERRORS: Partial<Record<ErrorCode, { statusCode: number; name: string }>> = {
  invalid_request: { statusCode: 422, name: 'validation_error' },
  invalid_api_key: { statusCode: 403, name: 'invalid_api_key' },
  method_not_allowed: { statusCode: 405, name: 'method_not_allowed' },
  not_found: { statusCode: 404, name: 'not_found' },
  message_not_found: { statusCode: 404, name: 'not_found' },
  rate_limited: { statusCode: 429, name: 'rate_limit_exceeded' },
  edge_rate_limited: { statusCode: 429, name: 'rate_limit_exceeded' },
  usage_limit_exceeded: { statusCode: 429, name: 'monthly_quota_exceeded' },
  ses_throttled: { statusCode: 429, name: 'daily_quota_exceeded' },
  idempotency_key_reused: { statusCode: 409, name: 'invalid_idempotent_request' },
  idempotency_in_progress: { statusCode: 409, name: 'concurrent_idempotent_requests' },
  // Resend answers a sending-only key on any other endpoint so; a from its key may not use is a from refused, like an unregistered domain.
  insufficient_scope: { statusCode: 401, name: 'restricted_api_key' },
  from_domain_not_allowed: { statusCode: 403, name: 'invalid_from_address' },
  domain_not_registered: { statusCode: 403, name: 'invalid_from_address' },
  domain_not_verified: { statusCode: 403, name: 'invalid_from_address' },
  dkim_not_verified: { statusCode: 403, name: 'invalid_from_address' },
  internal_error: { statusCode: 500, name: 'application_error' },
};

export function resendError(code: ErrorCode): { statusCode: number; name: string } {
  return RESEND_ERRORS[code] ?? { statusCode: errorStatus[code], name: code };
}
