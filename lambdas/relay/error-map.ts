/**
 * The one table from what went wrong in a customer's AWS account to what the customer is told:
 * error code (and so HTTP status, see shared/errors.ts) and a detail in our own words. Used by
 * every relay API. AWS's message text never appears: it quotes recipients and sender names, so a
 * detail is built from the error code, the action, the region and our advice only.
 */
import { refusal, type Refusal } from '../shared/refusal';
import { SENDFLEET_CONFIGURATION_SET } from '../shared/ses-events';
import { assumeRoleFix } from './byoc/policies';
import {
  AwsUnavailableError,
  DeadlinePassedError,
  RoleNotAssumableError,
  SesOutcomeUnknownError,
  SesPermissionDeniedError,
  SesRefusedError,
  SesThrottledError,
} from './customer-account/errors';

export interface ErrorContext {
  relayAccountId: string;
  region: string;
}

/** Our words for SES refusals we know, by SES's error code. */
const REFUSAL_ADVICE: Record<string, string> = {
  MessageRejected: 'Common causes: your SES account is in the sandbox and a recipient is not verified, or the sender address or domain is not verified in this region.',
  MailFromDomainNotVerified: 'The custom MAIL FROM domain of the sender is not verified: publish the MX and SPF records for send.<your domain> from GET /api/byoc/domains/{domain}.',
  MailFromDomainNotVerifiedException: 'The custom MAIL FROM domain of the sender is not verified: publish the MX and SPF records for send.<your domain> from GET /api/byoc/domains/{domain}.',
  AccountSendingPausedException: 'Sending is paused for your SES account; re-enable it in the SES console, then run POST /api/byoc/validate.',
  ConfigurationSetSendingPausedException: `Sending is paused for the ${SENDFLEET_CONFIGURATION_SET} configuration set in your SES account (AWS pauses a set, or someone did, with UpdateConfigurationSetSendingEnabled). Re-enable it with \`aws ses update-configuration-set-sending-enabled --configuration-set-name ${SENDFLEET_CONFIGURATION_SET} --enabled\` in this region, then retry.`,
  InvalidParameterValue: 'SES found a field of the message invalid (an address, the sender name or the subject).',
};

/** SES v1's wire code, and the SDK's exception name for it. */
const CONFIGURATION_SET_MISSING = new Set(['ConfigurationSetDoesNotExist', 'ConfigurationSetDoesNotExistException']);

export const couldNotAssumeRoleDetail = (relayAccountId: string) => `SendFleet could not assume your role. ${assumeRoleFix(relayAccountId)}`;

export const missingPermissionDetail = (action: string) =>
  `Your SendFleet-BYOC-Role may not call ${action} (a freshly assumed session was refused). Replace the role's permissions policy with permissions_policy from GET /api/byoc/config (exactly the 11 SES actions SendFleet uses, on every identity), wait about 15 s for IAM, then retry.`;

/** Our refusal for a failure in the customer's account; undefined for anything we cannot name. */
export function customerAccountRefusal(error: unknown, { relayAccountId, region }: ErrorContext): Refusal | undefined {
  if (error instanceof RoleNotAssumableError) {
    const regionNote = error.errorCode === 'RegionDisabledException' ? ` AWS STS is not activated in ${region} for your account: activate it under IAM → Account settings.` : '';
    return refusal('could_not_assume_role', `${couldNotAssumeRoleDetail(relayAccountId)}${regionNote} Then run POST /api/byoc/validate.`);
  }
  if (error instanceof AwsUnavailableError) {
    return error.service === 'sts'
      ? refusal('upstream_unavailable', `AWS STS did not answer successfully while SendFleet assumed your role (${error.errorCode}). Nothing was done in your account; retry in a few seconds.`, { retryAfterSeconds: 5 })
      : refusal('ses_unavailable', `Amazon SES in ${region} did not answer ${error.action} successfully after retries (${error.errorCode}). Nothing was done; retry in a few seconds.`, { retryAfterSeconds: 5 });
  }
  if (error instanceof SesThrottledError) {
    return refusal('ses_throttled', error.dailyQuota
      ? `Your SES account in ${region} has reached its 24-hour sending quota. Request a higher quota in the SES console, or retry after the Retry-After delay.`
      : `Your SES account in ${region} kept throttling ${error.action} for the whole time SendFleet may spend on a request. Nothing was done; retry after the Retry-After delay, or request a higher sending rate in the SES console.`,
    { retryAfterSeconds: error.dailyQuota ? 3600 : 1 });
  }
  if (error instanceof SesOutcomeUnknownError) {
    return refusal('ses_outcome_unknown', `Amazon SES in ${region} did not answer in time (${error.errorCode}): the message may or may not have been sent, and SendFleet will not send it again on its own. Check the recipient's inbox before sending it again; a retry with the same Idempotency-Key gets this answer again and sends nothing.`);
  }
  if (error instanceof DeadlinePassedError) {
    return refusal('time_budget_exhausted', `The time SendFleet may spend on this request ended before Amazon SES in ${region} could be called for ${error.action} (your account's sending rate or answers are slow). Nothing was done; retry in a few seconds.`, { retryAfterSeconds: 1 });
  }
  if (error instanceof SesPermissionDeniedError) {
    return refusal('missing_permission', missingPermissionDetail(error.action));
  }
  if (error instanceof SesRefusedError && CONFIGURATION_SET_MISSING.has(error.errorCode)) {
    return refusal('configuration_set_missing', `Amazon SES in ${region} refused the message because the ${SENDFLEET_CONFIGURATION_SET} configuration set SendFleet sends through does not exist there (${error.errorCode}): it was deleted, or your SendFleet-BYOC stack is older or in another region. Nothing was sent. Update the SendFleet-BYOC stack in ${region} from launch_stack_url in GET /api/byoc/config (Settings → Launch stack in AWS), which creates the set and registers it again, then retry.`);
  }
  if (error instanceof SesRefusedError) {
    const advice = REFUSAL_ADVICE[error.errorCode] ?? 'See the error code in the SES documentation.';
    return refusal('ses_rejected', `Amazon SES in ${region} refused ${error.action === 'SendEmail' || error.action === 'SendRawEmail' ? 'the message' : error.action} (${error.errorCode}). ${advice}`);
  }
  return undefined;
}
