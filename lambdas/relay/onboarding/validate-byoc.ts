/**
 * POST /api/byoc/validate: the spec's checks, in order, each reported, the result stored on the config.
 *
 * 1. `assume_role`: a fresh AssumeRole with the tenant's ExternalId (never a cached session, which
 *    would hide a trust-policy change). If it fails, the SES checks are reported as not run.
 * 2. `sending_enabled`: GetAccountSendingEnabled.
 * 3. `production_access`: GetSendQuota, Max24HourSend above the sandbox's 200.
 * Checks 2 and 3 are independent and both run, so one call reports every problem it can see.
 *
 * Only a verdict about the customer's setup is stored. When STS or SES is throttling or failing, the
 * run ends with 502 and the config keeps its previous status: an AWS blip must not mark a working
 * setup invalid (which would stop its sends).
 */
import { ApiError, type ErrorCode } from '../../shared/errors';
import { AssumeRoleDeniedError } from '../byoc/customer-session';
import { ConfigChangedError, type ByocConfig, type ByocConfigStore, type ValidationCheck } from '../byoc/config-store';
import { SesPermissionError, type CustomerAccounts, type SesAccount } from '../byoc/ses-account';
import { couldNotAssumeRoleDetail, customerAccountError, missingPermissionDetail } from './customer-errors';

export const SANDBOX_MAX_24_HOUR_SEND = 200;
export const PRODUCTION_ACCESS_URL = 'https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html';

export interface ValidateDeps {
  configs: Pick<ByocConfigStore, 'get' | 'saveValidation'>;
  accounts: CustomerAccounts;
  relayAccountId: string;
  now: () => Date;
}

export interface ValidationResult {
  config: ByocConfig;
  checks: ValidationCheck[];
  /** The first failing check's code and detail; absent when every check passed. */
  failure?: { code: ErrorCode; detail: string };
}

interface CheckOutcome extends ValidationCheck {
  code?: ErrorCode;
}

const passed = (name: string, detail: string): CheckOutcome => ({ name, ok: true, detail });
const failed = (name: string, code: ErrorCode, detail: string): CheckOutcome => ({ name, ok: false, detail, code });

interface SesCheck {
  name: string;
  run(account: SesAccount, region: string): Promise<CheckOutcome>;
}

const SES_CHECKS: readonly SesCheck[] = [
  {
    name: 'sending_enabled',
    run: async (account, region) => (await account.sendingEnabled())
      ? passed('sending_enabled', `Sending is enabled for your SES account in ${region}.`)
      : failed('sending_enabled', 'sending_disabled',
        `Sending is paused for your SES account in ${region}. AWS pauses it for high bounce or complaint rates (see Reputation metrics in the SES console and any message from AWS), or someone in your account paused it. Fix the cause, re-enable it with \`aws ses update-account-sending-enabled --enabled --region ${region}\` (if AWS paused it, answer AWS's message or ask AWS Support), then run validate again.`),
  },
  {
    name: 'production_access',
    run: async (account, region) => {
      const max = await account.max24HourSend();
      return max > SANDBOX_MAX_24_HOUR_SEND
        ? passed('production_access', `Your SES account in ${region} has production access (${max} messages per 24 h).`)
        : failed('production_access', 'ses_sandbox',
          `Your SES account in ${region} is in the SES sandbox (${max} messages per 24 h, only to verified addresses). In the SES console for ${region} open Account dashboard → Request production access, describe your use case and wait for AWS to grant it (${PRODUCTION_ACCESS_URL}); then run validate again.`);
    },
  },
];

async function runSesCheck(check: SesCheck, account: SesAccount, region: string, relayAccountId: string): Promise<CheckOutcome> {
  try {
    return await check.run(account, region);
  } catch (error) {
    if (error instanceof SesPermissionError) return failed(check.name, 'missing_permission', missingPermissionDetail(error.action));
    throw customerAccountError(error, relayAccountId);
  }
}

export async function validateByoc(deps: ValidateDeps, tenantId: string): Promise<ValidationResult> {
  // Consistent read: the revision stored with the result must be the one these checks ran against.
  const config = await deps.configs.get(tenantId, true);
  if (!config?.role_arn || !config.region) {
    throw new ApiError('invalid_request', 'There is no role to validate yet: PUT /api/byoc/config with role_arn and region first, then run validate.');
  }
  const region = config.region;
  const target = { tenantId, roleArn: config.role_arn, externalId: config.external_id, region };
  const outcomes: CheckOutcome[] = [];
  let account: SesAccount | undefined;
  try {
    account = await deps.accounts.openFresh(target);
    outcomes.push(passed('assume_role', `SendFleet assumed ${config.role_arn} with your ExternalId.`));
  } catch (error) {
    if (!(error instanceof AssumeRoleDeniedError)) throw customerAccountError(error, deps.relayAccountId);
    outcomes.push(failed('assume_role', 'could_not_assume_role', couldNotAssumeRoleDetail(deps.relayAccountId)));
  }
  for (const check of SES_CHECKS) {
    outcomes.push(account
      ? await runSesCheck(check, account, region, deps.relayAccountId)
      : { name: check.name, ok: false, detail: 'not run: SendFleet could not assume your role (see assume_role).' });
  }

  const checks = outcomes.map(({ name, ok, detail }) => ({ name, ok, detail }));
  const firstFailure = outcomes.find((o) => !o.ok && o.code);
  let saved: ByocConfig;
  try {
    saved = await deps.configs.saveValidation(tenantId, config.revision, { status: firstFailure ? 'invalid' : 'validated', checks }, deps.now());
  } catch (error) {
    if (error instanceof ConfigChangedError) {
      throw new ApiError('conflict', 'Your BYOC config changed while validation ran, so this result was not stored. Run POST /api/byoc/validate again.');
    }
    throw error;
  }
  return { config: saved, checks, ...(firstFailure?.code ? { failure: { code: firstFailure.code, detail: firstFailure.detail } } : {}) };
}
