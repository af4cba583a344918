import { AwsUnavailableError, RoleNotAssumableError, SesPermissionDeniedError, SesThrottledError } from '../../lambdas/relay/customer-account/errors';
import { presentValidation } from '../../lambdas/relay/onboarding/present';
import { PRODUCTION_ACCESS_URL, PROPAGATION_WINDOW_MS, validateByoc } from '../../lambdas/relay/onboarding/validate-byoc';
import { RefusedError, refusalAsApiError } from '../../lambdas/shared/refusal';
import { FakeAccounts, FakeConfigs, NOW, RELAY_ACCOUNT, TENANT, configFixture } from './onboarding-fakes';
import { recordingClock, type RecordingClock } from '../support/recording-clock';

let configs: FakeConfigs;
let accounts: FakeAccounts;

beforeEach(() => {
  configs = new FakeConfigs(configFixture({ status: 'pending_validation', validated_at: null }));
  accounts = new FakeAccounts();
});

/** A clock that moves only when validation pauses: the propagation window is exercised without waiting. */
let clock: RecordingClock;
let pauses: number[];
beforeEach(() => { clock = recordingClock(NOW.getTime()); pauses = clock.slept; });
const waited = () => clock.now() - NOW.getTime();
const validate = () => validateByoc({ configs, accounts, relayAccountId: RELAY_ACCOUNT, clock }, TENANT);
const names = (checks: Array<{ name: string }>) => checks.map((c) => c.name);

test('all checks pass → validated, stored against the revision checked, with a fresh AssumeRole', async () => {
  const result = await validate();
  expect(result.failure).toBeUndefined();
  expect(result.checks.every((c) => c.ok)).toBe(true);
  expect(names(result.checks)).toEqual(['assume_role', 'sending_enabled', 'production_access']);
  expect(configs.saved).toEqual([{ revision: 2, status: 'validated', checks: result.checks, maxSendRate: 14 }]);
  expect(accounts.targets).toEqual([{ tenantId: TENANT, roleArn: configFixture().role_arn, externalId: 'e'.repeat(48), region: 'eu-west-1', fresh: true }]);
  expect(accounts.calls).toEqual(['assumeRole', 'sendingEnabled', 'sendQuota']);
  expect(presentValidation(result)).toEqual({
    status: 200,
    body: { success: true, status: 'validated', validated_at: NOW.toISOString(), checks: result.checks },
  });
});

test('AssumeRole refused → could_not_assume_role with the fix, SES checks not run, stored invalid, 422', async () => {
  accounts.openFailure = new RoleNotAssumableError('AccessDenied');
  const result = await validate();
  expect(result.failure?.code).toBe('could_not_assume_role');
  expect(result.failure?.detail).toMatch(/arn:aws:iam::111111111111:root/);
  expect(result.failure?.detail).toMatch(/sts:ExternalId/);
  expect(result.failure?.detail).toMatch(/SendFleet-BYOC-Role/);
  expect(result.checks.map((c) => [c.name, c.ok, c.status])).toEqual([['assume_role', false, 'failed'], ['sending_enabled', false, 'not_run'], ['production_access', false, 'not_run']]);
  expect(result.checks[1]?.detail).toMatch(/^not run/);
  expect(accounts.calls.filter((c) => c !== 'assumeRole')).toEqual([]);
  expect(configs.saved[0]?.status).toBe('invalid');
  const presented = presentValidation(result);
  expect(presented.status).toBe(422);
  expect(presented.body).toMatchObject({ success: false, status: 'invalid', error: 'could_not_assume_role' });
});

test('sending disabled → sending_disabled; the quota check still runs and reports', async () => {
  accounts.enabled = false;
  accounts.max24 = 200;
  const result = await validate();
  expect(result.failure?.code).toBe('sending_disabled');
  expect(result.failure?.detail).toMatch(/update-account-sending-enabled --enabled --region eu-west-1/);
  expect(result.checks.map((c) => c.ok)).toEqual([true, false, false]);
  // both SES checks ran and failed, each with its own code
  expect(result.checks.map((c) => [c.status, c.code])).toEqual([['passed', null], ['failed', 'sending_disabled'], ['failed', 'ses_sandbox']]);
  expect(result.checks[2]?.detail).toContain(PRODUCTION_ACCESS_URL);
});

test.each([[200, false], [201, true], [0, false]])('Max24HourSend %i → production access %s', async (max, ok) => {
  accounts.max24 = max;
  const result = await validate();
  expect(result.checks[2]?.ok).toBe(ok);
  expect(result.failure?.code).toBe(ok ? undefined : 'ses_sandbox');
});

test('AccessDenied on GetSendQuota → missing_permission naming the action and the policy to use', async () => {
  accounts.failures.set('sendQuota', new SesPermissionDeniedError('ses:GetSendQuota'));
  const result = await validate();
  expect(result.failure?.code).toBe('missing_permission');
  expect(result.failure?.detail).toMatch(/ses:GetSendQuota/);
  expect(result.failure?.detail).toMatch(/permissions_policy from GET \/api\/byoc\/config/);
  expect(result.checks.map((c) => c.ok)).toEqual([true, true, false]);
});

test('the first failing check gives the code when several fail', async () => {
  accounts.failures.set('sendingEnabled', new SesPermissionDeniedError('ses:GetAccountSendingEnabled'));
  accounts.max24 = 100;
  const result = await validate();
  expect(result.failure?.code).toBe('missing_permission');
  expect(result.failure?.detail).toMatch(/ses:GetAccountSendingEnabled/);
  expect(result.checks[2]?.detail).toMatch(/sandbox/);
});

test.each([
  ['STS unavailable', () => { accounts.openFailure = new AwsUnavailableError('sts', 'AssumeRole', 'ServiceUnavailable'); }, 'upstream_unavailable', 502],
  ['SES unavailable', () => { accounts.failures.set('sendQuota', new AwsUnavailableError('ses', 'GetSendQuota', 'InternalFailure')); }, 'ses_unavailable', 502],
  ['SES throttling past the budget', () => { accounts.failures.set('sendQuota', new SesThrottledError('GetSendQuota', false)); }, 'ses_throttled', 429],
])('%s → %s and nothing stored (a blip must not mark the setup invalid)', async (_name, arrange, code, status) => {
  arrange();
  const error = await validate().catch((e: unknown) => e);
  // A refusal in our words; the HTTP adapter gives it its status.
  expect(error).toBeInstanceOf(RefusedError);
  expect(refusalAsApiError((error as RefusedError).refusal)).toMatchObject({ code, status });
  expect(configs.saved).toEqual([]);
});

describe('IAM propagation', () => {
  test('a role IAM does not know yet is assumed on a later attempt; the check says it waited', async () => {
    accounts.openFailures.push(new RoleNotAssumableError('AccessDenied'), new RoleNotAssumableError('AccessDenied'));
    const result = await validate();
    expect(result.failure).toBeUndefined();
    expect(accounts.calls.filter((c) => c === 'assumeRole')).toHaveLength(3);
    expect(pauses).toEqual([500, 1_000]);
    expect(result.checks[0]?.detail).toMatch(/passed after 2 s: IAM was still propagating/);
  });

  test('a permissions policy still propagating: the check is retried and passes', async () => {
    accounts.failuresOnce.set('sendQuota', [new SesPermissionDeniedError('ses:GetSendQuota')]);
    const result = await validate();
    expect(result.failure).toBeUndefined();
    expect(result.checks[2]?.detail).toMatch(/passed after 1 s/);
  });

  test('a wrong trust policy is reported once the propagation window is spent, not before', async () => {
    accounts.openFailure = new RoleNotAssumableError('AccessDenied');
    const result = await validate();
    expect(result.failure?.code).toBe('could_not_assume_role');
    expect(waited()).toBeLessThanOrEqual(PROPAGATION_WINDOW_MS);
    expect(waited()).toBeGreaterThan(PROPAGATION_WINDOW_MS - 3_000);
  });
});

test('Max24HourSend -1 (unlimited) is production access; the send rate is stored for pacing', async () => {
  accounts.max24 = -1;
  accounts.maxRate = 14;
  const result = await validate();
  expect(result.failure).toBeUndefined();
  expect(result.checks[2]?.detail).toMatch(/no 24-hour limit/);
  expect(configs.saved[0]).toMatchObject({ status: 'validated', maxSendRate: 14 });
});

test('no role saved → 400 telling to PUT the config first, nothing called', async () => {
  configs.config = configFixture({ role_arn: null, region: null, status: 'unconfigured' });
  await expect(validate()).rejects.toMatchObject({ refusal: { code: 'invalid_request', detail: expect.stringMatching(/PUT \/api\/byoc\/config with role_arn and region first/) } });
  configs.config = undefined;
  await expect(validate()).rejects.toMatchObject({ refusal: { code: 'invalid_request' } });
  expect(accounts.targets).toEqual([]);
});

test('config changed while validating → 409 conflict, run again', async () => {
  configs.changeDuringValidation = true;
  await expect(validate()).rejects.toMatchObject({ refusal: { code: 'conflict', detail: expect.stringMatching(/validate again/) } });
});
