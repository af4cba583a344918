/**
 * POST /api/byoc/validate: the spec's checks, in order, each reported, the result stored on the config.
 *
 * 1. `assume_role`: a fresh AssumeRole with the tenant's ExternalId (never a cached session, which
 *    would hide a trust-policy change). If it fails, the SES checks are reported as not run.
 * 2. `sending_enabled`: GetAccountSendingEnabled.
 * 3. `production_access`: GetSendQuota, Max24HourSend above the sandbox's 200, or -1 (unlimited).
 * Checks 2 and 3 are independent and both run, so one call reports every problem it can see.
 * All of them run in the config's region.
 *
 * IAM is eventually consistent: a role or policy created seconds ago can still be refused. A refusal
 * (AssumeRole denied, or AccessDenied on a check) is tried again with growing pauses for up to
 * `PROPAGATION_WINDOW_MS`, and a check that passed only then says so. A wrong trust policy is
 * therefore reported after that window, well inside API Gateway's 29 s.
 *
 * Only a verdict about the customer's setup is stored. When STS or SES is throttling or failing, the
 * run ends with a refusal (502 over HTTP) and the config keeps its previous status: an AWS blip
 * must not mark a working setup invalid (which would stop its sends). The use case speaks in
 * outcomes and refusals only: the onboarding API and the stack registration present them.
 */
import { dateOf, type Clock } from '../../shared/clock';
import type { ErrorCode } from '../../shared/errors';
import { RefusedError, refusal } from '../../shared/refusal';
import { ConfigChangedError, type ByocConfig, type ByocConfigStore, type ByocStatus, type ValidationCheck } from '../store/config-store';
import type { CustomerAccount, CustomerAccounts } from '../customer-account/customer-account';
import { RoleNotAssumableError, SesPermissionDeniedError } from '../customer-account/errors';
import { couldNotAssumeRoleDetail, missingPermissionDetail } from '../error-map';
import { accountRefusal } from './account-refusal';

import { PRODUCTION_ACCESS_URL, SANDBOX_MAX_24_HOUR_SEND, UNLIMITED_24_HOUR_SEND } from '../byoc/ses-sandbox';

export { PRODUCTION_ACCESS_URL, SANDBOX_MAX_24_HOUR_SEND, UNLIMITED_24_HOUR_SEND };
/** How long a refusal is retried in case IAM is still propagating a change (AWS: usually seconds). */
export const PROPAGATION_WINDOW_MS = 12_000;
const PROPAGATION_PAUSES_MS = [500, 1_000, 2_000, 3_000];

export interface ValidateDeps {
  configs: Pick<ByocConfigStore, 'get' | 'saveValidation'>;
  accounts: CustomerAccounts;
  relayAccountId: string;
  /** Reads the time and paces the propagation retries. */
  clock: Clock;
  /** Default `PROPAGATION_WINDOW_MS` (setting `IAM_PROPAGATION_WINDOW_MS`). */
  propagationWindowMs?: number;
}

export interface ValidationResult {
  config: ByocConfig;
  checks: ValidationCheck[];
  /** The first failing check's code and detail; absent when every check passed. */
  failure?: { code: ErrorCode; detail: string };
}

export interface CheckOutcome extends ValidationCheck {
  code?: ErrorCode;
}

const passed = (name: string, detail: string): CheckOutcome => ({ name, ok: true, status: 'passed', detail });
const failed = (name: string, code: ErrorCode, detail: string): CheckOutcome => ({ name, ok: false, status: 'failed', detail, code });
/** A check that needs an assumed role when the role could not be assumed: neither passed nor failed. */
const notRun = (name: string, reason: string): CheckOutcome => ({ name, ok: false, status: 'not_run', detail: reason });

const isPropagationRefusal = (error: unknown) => error instanceof RoleNotAssumableError || error instanceof SesPermissionDeniedError;

/**
 * Runs `step`, trying again after an IAM refusal until the propagation window (from `startedAt`)
 * is spent. Returns the result and whether a retry was needed.
 */
async function throughPropagation<T>(clock: Clock, windowMs: number, startedAt: number, step: () => Promise<T>): Promise<{ value: T; waitedMs: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await step(), waitedMs: attempt === 0 ? 0 : clock.now() - startedAt };
    } catch (error) {
      const pause = PROPAGATION_PAUSES_MS[Math.min(attempt, PROPAGATION_PAUSES_MS.length - 1)]!;
      if (!isPropagationRefusal(error) || clock.now() + pause - startedAt > windowMs) throw error;
      await clock.sleep(pause);
    }
  }
}

const afterPropagation = (waitedMs: number) =>
  waitedMs > 0 ? ` (passed after ${Math.ceil(waitedMs / 1000)} s: IAM was still propagating your role's latest change)` : '';

/** The SES checks after the role is assumed; the account health check (health/) runs the same ones. */
export interface SesCheck {
  name: string;
  run(account: CustomerAccount, region: string): Promise<CheckOutcome & { maxSendRate?: number }>;
}

export const SES_CHECKS: readonly SesCheck[] = [
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
      const { max24HourSend: max, maxSendRate } = await account.sendQuota();
      if (max === UNLIMITED_24_HOUR_SEND) return { ...passed('production_access', `Your SES account in ${region} has production access with no 24-hour limit (${maxSendRate} messages per second).`), maxSendRate };
      return max > SANDBOX_MAX_24_HOUR_SEND
        ? { ...passed('production_access', `Your SES account in ${region} has production access (${max} messages per 24 h, ${maxSendRate} per second).`), maxSendRate }
        : failed('production_access', 'ses_sandbox',
          `Your SES account in ${region} is in the SES sandbox (${max} messages per 24 h, only to verified addresses). In the SES console for ${region} open Account dashboard → Request production access, describe your use case and wait for AWS to grant it (${PRODUCTION_ACCESS_URL}); then run validate again.`);
    },
  },
];

/**
 * `invalid` on a failure, except during an ExternalId rotation: the previous ExternalId still
 * serves the sends (customer-account/sessions.ts falls back to it), so a failing check of the new
 * one is reported without stopping them. A pass validates and ends the rotation.
 */
function storedStatus(config: ByocConfig, failed: boolean): ByocStatus {
  if (!failed) return 'validated';
  return config.previous_external_id && config.status === 'validated' ? 'validated' : 'invalid';
}

/** A role and region to check before they are saved (a stack registration); the config's own otherwise. */
export interface CandidateTarget {
  roleArn: string;
  region: string;
}

/**
 * With a `candidate`, the checks run against it: it is saved together with a passing result, and
 * a failing one is saved only where it replaces nothing that works (a validated config, or one
 * still sending through a rotation, keeps its role, region and status).
 */
export async function validateByoc(deps: ValidateDeps, tenantId: string, candidate?: CandidateTarget): Promise<ValidationResult> {
  const { clock } = deps;
  const windowMs = deps.propagationWindowMs ?? PROPAGATION_WINDOW_MS;
  // Consistent read: the revision stored with the result must be the one these checks ran against.
  const stored = await deps.configs.get(tenantId, true);
  const changesRole = Boolean(candidate && stored && (stored.role_arn !== candidate.roleArn || stored.region !== candidate.region));
  const config = stored && candidate ? { ...stored, role_arn: candidate.roleArn, region: candidate.region } : stored;
  if (!config?.role_arn || !config.region) {
    throw new RefusedError(refusal('invalid_request', 'There is no role to validate yet: PUT /api/byoc/config with role_arn and region first, then run validate.'));
  }
  const region = config.region;
  const failure = (error: unknown) => accountRefusal(error, { relayAccountId: deps.relayAccountId, region });
  const startedAt = clock.now();
  const account = deps.accounts.open({ tenantId, roleArn: config.role_arn, externalId: config.external_id, region }, { fresh: true });
  const outcomes: CheckOutcome[] = [];
  let assumed = false;
  try {
    // Until one succeeds, every attempt is a fresh AssumeRole: that is what tells whether IAM has the change yet.
    const { waitedMs } = await throughPropagation(clock, windowMs, startedAt, () => account.assumeRole());
    outcomes.push(passed('assume_role', `SendFleet assumed ${config.role_arn} with your ExternalId${afterPropagation(waitedMs)}.`));
    assumed = true;
  } catch (error) {
    if (!(error instanceof RoleNotAssumableError)) throw failure(error);
    outcomes.push(failed('assume_role', 'could_not_assume_role', couldNotAssumeRoleDetail(deps.relayAccountId)));
  }
  let maxSendRate: number | undefined;
  for (const check of SES_CHECKS) {
    if (!assumed) {
      outcomes.push(notRun(check.name, 'not run: SendFleet could not assume your role (see assume_role).'));
      continue;
    }
    try {
      const { value, waitedMs } = await throughPropagation(clock, windowMs, startedAt, () => check.run(account, region));
      maxSendRate ??= value.maxSendRate;
      outcomes.push({ ...value, detail: value.ok ? `${value.detail.replace(/\.$/, '')}${afterPropagation(waitedMs)}.` : value.detail });
    } catch (error) {
      if (error instanceof SesPermissionDeniedError) outcomes.push(failed(check.name, 'missing_permission', missingPermissionDetail(error.action)));
      else throw failure(error);
    }
  }

  const checks = outcomes.map(({ name, ok, status, code, detail }) => ({ name, ok, status, code: code ?? null, detail }));
  const firstFailure = outcomes.find((o) => !o.ok && o.code);
  const reported = firstFailure?.code ? { failure: { code: firstFailure.code, detail: firstFailure.detail } } : {};
  if (firstFailure && changesRole && stored!.status === 'validated') return { config: stored!, checks, ...reported };
  let saved: ByocConfig;
  try {
    saved = await deps.configs.saveValidation(tenantId, config.revision, {
      status: changesRole && firstFailure ? 'invalid' : storedStatus(config, Boolean(firstFailure)), checks, maxSendRate,
      ...(!firstFailure && config.previous_external_id ? {
        endRotation: { previousExternalId: config.previous_external_id, previousToken: config.previous_registration_token ?? null, formerlyRetiredExternalId: config.retired_external_id ?? null },
      } : {}),
      ...(changesRole ? { role: { roleArn: config.role_arn, region } } : {}),
    }, dateOf(clock));
  } catch (error) {
    if (error instanceof ConfigChangedError) {
      throw new RefusedError(refusal('conflict', 'Your BYOC config changed while validation ran, so this result was not stored. Run POST /api/byoc/validate again.'));
    }
    throw error;
  }
  return { config: saved, checks, ...reported };
}
