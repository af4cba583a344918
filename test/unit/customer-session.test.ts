import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { RoleNotAssumableError } from '../../lambdas/relay/customer-account/errors';
import { CustomerSessions } from '../../lambdas/relay/customer-account/sessions';
import { VirtualClock } from '../../local/virtual-clock';

const sts = mockClient(STSClient);
let clock: VirtualClock;
const target = { tenantId: 'ten_a', roleArn: 'arn:aws:iam::123456789012:role/SendFleet-BYOC-Role', externalId: 'e'.repeat(48), region: 'eu-west-1' };

beforeEach(() => {
  clock = new VirtualClock({ start: Date.parse('2026-11-21T12:00:00Z') });
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => ({
    Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock.now() + 900_000) },
  }));
});

const sessions = () => new CustomerSessions(new STSClient({ region: 'us-east-1' }), { clock, refreshBeforeMs: 120_000 });

test('one AssumeRole for concurrent and later calls, with the tenant in the session name and 900 s', async () => {
  const s = sessions();
  const [a, b] = await Promise.all([s.get(target), s.get(target)]);
  expect(a).toBe(b);
  expect(await s.get(target)).toBe(a);
  expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
    RoleArn: target.roleArn, ExternalId: target.externalId, RoleSessionName: 'sendfleet-ten_a', DurationSeconds: 900,
  });
});

test('refreshed before expiry, and a new key for another role, ExternalId, region or tenant', async () => {
  const s = sessions();
  const first = await s.get(target);
  await clock.advance(900_000 - 121_000); // just before the refresh margin: still the cached session
  expect((await s.get(target)).expiresAt).toBe(first.expiresAt);
  await clock.advance(2_000); // inside the refresh margin
  expect((await s.get(target)).expiresAt).not.toBe(first.expiresAt);
  await s.get({ ...target, roleArn: 'arn:aws:iam::210987654321:role/SendFleet-BYOC-Role' });
  await s.get({ ...target, externalId: 'f'.repeat(48) });
  await s.get({ ...target, region: 'us-east-1' });
  await s.get({ ...target, tenantId: 'ten_b' });
  expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(6);
});


test('by default (as deployed) a session is replaced 2 minutes before its 15-minute expiry', async () => {
  const s = new CustomerSessions(new STSClient({ region: 'us-east-1' }), { clock });
  const first = await s.get(target);
  await clock.advance(900_000 - 121_000); // 2 min 1 s before expiry: still the cached session
  expect((await s.get(target)).expiresAt).toBe(first.expiresAt);
  expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  await clock.advance(2_000); // 1 min 59 s before expiry: replaced
  expect((await s.get(target)).expiresAt).toBe(clock.now() + 900_000);
  expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
});

test('AccessDenied → RoleNotAssumableError, and the failure is not cached', async () => {
  sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
  const s = sessions();
  await expect(s.get(target)).rejects.toBeInstanceOf(RoleNotAssumableError);
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock.now() + 900_000) } });
  await expect(s.get(target)).resolves.toBeDefined();
});

test('STS 5xx → AwsUnavailableError for sts, never "not assumable"', async () => {
  sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('x'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
  await expect(sessions().get(target)).rejects.toMatchObject({ name: 'AwsUnavailableError', service: 'sts' });
});
