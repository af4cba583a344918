/**
 * What can go wrong in a customer's AWS account, as named errors that carry only what we know for
 * certain: the action, AWS's error code and what it proves. Never AWS's message text.
 * `lambdas/relay/error-map.ts` turns each into the customer's error code and our own words.
 */

/** STS refused AssumeRole (role missing, trust policy or ExternalId wrong). Nothing was done. */
export class RoleNotAssumableError extends Error {
  override readonly name = 'RoleNotAssumableError';
  constructor(readonly errorCode: string) { super(`AssumeRole: ${errorCode}`); }
}

/** STS or SES answered 5xx, or could not be reached, after retries. Nothing was done. */
export class AwsUnavailableError extends Error {
  override readonly name = 'AwsUnavailableError';
  constructor(readonly service: 'sts' | 'ses', readonly action: string, readonly errorCode: string) { super(`${service}:${action}: ${errorCode}`); }
}

/** SES kept answering Throttling until the request's time budget ran out. Nothing was done. */
export class SesThrottledError extends Error {
  override readonly name = 'SesThrottledError';
  constructor(readonly action: string, readonly dailyQuota: boolean) { super(`${action}: throttled`); }
}

/** A SendEmail attempt timed out or lost its connection after it was written: it may have been sent. */
export class SesOutcomeUnknownError extends Error {
  override readonly name = 'SesOutcomeUnknownError';
  constructor(readonly action: string, readonly errorCode: string) { super(`${action}: outcome unknown (${errorCode})`); }
}

/** A freshly assumed session may not call the action: the role's permissions policy is wrong. */
export class SesPermissionDeniedError extends Error {
  override readonly name = 'SesPermissionDeniedError';
  /** e.g. `ses:SendEmail` */
  constructor(readonly action: string) { super(`${action}: access denied`); }
}

/** SES refused the request itself (MessageRejected, InvalidParameterValue, …). Nothing was done. */
export class SesRefusedError extends Error {
  override readonly name = 'SesRefusedError';
  constructor(readonly action: string, readonly errorCode: string) { super(`${action}: ${errorCode}`); }
}

/** The request's deadline passed before the attempt could start (pacing or backoff): nothing was sent. */
export class DeadlinePassedError extends Error {
  override readonly name = 'DeadlinePassedError';
  constructor(readonly action: string) { super(`${action}: deadline passed before the attempt`); }
}

export const isCustomerAccountError = (error: unknown): boolean =>
  error instanceof RoleNotAssumableError || error instanceof AwsUnavailableError || error instanceof SesThrottledError
  || error instanceof SesOutcomeUnknownError || error instanceof SesPermissionDeniedError || error instanceof SesRefusedError
  || error instanceof DeadlinePassedError;
