/**
 * A failure in the customer's account as a Refusal, for the onboarding use cases. A local bridge
 * over error-map.ts's one table (which still answers ApiErrors): the code, the detail and the
 * Retry-After come from there unchanged, so the words are said once.
 */
import { ApiError } from '../../shared/errors';
import { RefusedError, refusal } from '../../shared/refusal';
import { customerAccountFailure, type ErrorContext } from '../error-map';

/** `error` as a RefusedError when the table knows it; anything else unchanged (a bug: 500). */
export function accountRefusal(error: unknown, context: ErrorContext): unknown {
  const mapped = customerAccountFailure(error, context);
  if (!(mapped instanceof ApiError)) return mapped;
  const retryAfter = mapped.options.headers?.['retry-after'];
  return new RefusedError(refusal(mapped.code, mapped.detail, retryAfter !== undefined ? { retryAfterSeconds: Number(retryAfter) } : {}));
}
