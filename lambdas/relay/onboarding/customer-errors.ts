/**
 * What a failure in the customer's AWS account means for the onboarding API's caller: the one place
 * where STS and SES failures become error codes. Details say what to fix; they carry SES's reason
 * where it helps, never an AWS request id.
 */
import { ApiError } from '../../shared/errors';
import { AssumeRoleDeniedError, AssumeRoleUnavailableError } from '../byoc/customer-session';
import { assumeRoleFix } from '../byoc/policies';
import { SesPermissionError, SesRefusedError, SesUnavailableError } from '../byoc/ses-account';

export function couldNotAssumeRoleDetail(relayAccountId: string): string {
  return `SendFleet could not assume your role. ${assumeRoleFix(relayAccountId)}`;
}

export function missingPermissionDetail(action: string): string {
  return `Your SendFleet-BYOC-Role may not call ${action}. Replace the role's permissions policy with permissions_policy from GET /api/byoc/config (exactly the 11 SES actions SendFleet uses), wait about 15 s for IAM, then retry.`;
}

/** The ApiError for a known customer-account failure; anything else is returned unchanged. */
export function customerAccountError(error: unknown, relayAccountId: string): unknown {
  if (error instanceof AssumeRoleDeniedError) return new ApiError('could_not_assume_role', couldNotAssumeRoleDetail(relayAccountId));
  if (error instanceof AssumeRoleUnavailableError) {
    return new ApiError('upstream_unavailable', 'AWS STS did not answer successfully while SendFleet assumed your role. Nothing was changed; retry in a few seconds.', { headers: { 'retry-after': '5' } });
  }
  if (error instanceof SesPermissionError) return new ApiError('missing_permission', missingPermissionDetail(error.action));
  if (error instanceof SesUnavailableError) {
    return new ApiError('upstream_unavailable', `Amazon SES in your account did not answer successfully to ${error.action} (${error.errorName}), even after retries. Retry in a few seconds.`, { headers: { 'retry-after': '5' } });
  }
  if (error instanceof SesRefusedError) {
    return new ApiError('ses_rejected', `Amazon SES in your account refused ${error.action} (${error.errorName}): ${error.reason}`);
  }
  return error;
}
