/**
 * A failure in the customer's account as a RefusedError, for the onboarding use cases: the code,
 * the detail and the Retry-After come from error-map.ts's one table, so the words are said once.
 */
import { RefusedError } from '../../shared/refusal';
import { customerAccountRefusal, type ErrorContext } from '../error-map';

/** `error` as a RefusedError when the table knows it; anything else unchanged (a bug: 500). */
export function accountRefusal(error: unknown, context: ErrorContext): unknown {
  const refused = customerAccountRefusal(error, context);
  return refused ? new RefusedError(refused) : error;
}
