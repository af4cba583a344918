import {
  DeleteIdentityCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SESClient,
  SetIdentityMailFromDomainCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
} from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CustomerSessions } from '../../lambdas/relay/byoc/customer-session';
import { AssumedRoleAccounts, SesPermissionError, SesRefusedError, SesUnavailableError, sesAccount } from '../../lambdas/relay/byoc/ses-account';

const ses = mockClient(SESClient);
const sts = mockClient(STSClient);
const awsError = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const account = () => sesAccount(new SESClient({ region: 'eu-west-1' }));
const target = { tenantId: 'ten_a', roleArn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', externalId: 'e'.repeat(48), region: 'eu-west-1' };

beforeEach(() => {
  ses.reset();
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => ({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  }));
});

test('createDomainIdentity: the three SES calls, MAIL FROM send.<domain> falling back to SES\'s own on MX failure', async () => {
  ses.on(VerifyDomainIdentityCommand).resolves({ VerificationToken: 'TOKEN' });
  ses.on(VerifyDomainDkimCommand).resolves({ DkimTokens: ['a', 'b', 'c'] });
  ses.on(SetIdentityMailFromDomainCommand).resolves({});
  await expect(account().createDomainIdentity('acme.com', 'send.acme.com')).resolves.toEqual({ verificationToken: 'TOKEN', dkimTokens: ['a', 'b', 'c'] });
  expect(ses.commandCalls(VerifyDomainIdentityCommand)[0]?.args[0].input).toEqual({ Domain: 'acme.com' });
  expect(ses.commandCalls(SetIdentityMailFromDomainCommand)[0]?.args[0].input).toEqual({ Identity: 'acme.com', MailFromDomain: 'send.acme.com', BehaviorOnMXFailure: 'UseDefaultValue' });
});

test('statuses: only the kinds asked for; an identity SES does not know is NotStarted', async () => {
  ses.on(GetIdentityDkimAttributesCommand).resolves({ DkimAttributes: { 'acme.com': { DkimEnabled: true, DkimVerificationStatus: 'Success' } } });
  ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: {} });
  ses.on(GetIdentityMailFromDomainAttributesCommand).resolves({ MailFromDomainAttributes: { 'acme.com': { MailFromDomain: 'send.acme.com', MailFromDomainStatus: 'Failed', BehaviorOnMXFailure: 'UseDefaultValue' } } });
  await expect(account().statuses('acme.com', ['dkim'])).resolves.toEqual({ dkim_status: 'Success' });
  expect(ses.commandCalls(GetIdentityVerificationAttributesCommand)).toHaveLength(0);
  await expect(account().statuses('acme.com', ['ownership', 'dkim', 'mail_from'])).resolves.toEqual({ ownership_status: 'NotStarted', dkim_status: 'Success', mail_from_status: 'Failed' });
});

test('quota and sending: the numbers SES gives', async () => {
  ses.on(GetAccountSendingEnabledCommand).resolves({ Enabled: false });
  ses.on(GetSendQuotaCommand).resolves({ Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 });
  await expect(account().sendingEnabled()).resolves.toBe(false);
  await expect(account().max24HourSend()).resolves.toBe(200);
});

test.each([
  ['AccessDenied', awsError('AccessDenied', 403), SesPermissionError, { action: 'ses:GetSendQuota' }],
  ['Throttling', awsError('Throttling', 400), SesUnavailableError, { action: 'GetSendQuota', staleSession: false }],
  ['ServiceUnavailable', awsError('ServiceUnavailable', 503), SesUnavailableError, { staleSession: false }],
  ['ExpiredToken', awsError('ExpiredToken', 403), SesUnavailableError, { staleSession: true }],
  ['InvalidParameterValue', awsError('InvalidParameterValue', 400, 'Invalid thing for bob@example.com'), SesRefusedError, { reason: 'Invalid thing for [address]' }],
])('SDK %s → a named error', async (_name, error, type, fields) => {
  ses.on(GetSendQuotaCommand).rejects(error);
  const thrown = await account().max24HourSend().catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(type);
  expect(thrown).toMatchObject(fields);
});

describe('AssumedRoleAccounts', () => {
  const accounts = () => new AssumedRoleAccounts(new CustomerSessions(new STSClient({ region: 'us-east-1' })));

  test('openFresh assumes the role every time; run reuses the cached session', async () => {
    const a = accounts();
    ses.on(DeleteIdentityCommand).resolves({});
    await a.run(target, (acct) => acct.deleteIdentity('acme.com'));
    await a.run(target, (acct) => acct.deleteIdentity('acme.com'));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await a.openFresh(target);
    await a.openFresh(target);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  test('run retries once on a fresh session when SES stopped accepting the cached one', async () => {
    const a = accounts();
    ses.on(DeleteIdentityCommand).rejectsOnce(awsError('ExpiredToken', 403)).resolves({});
    await a.run(target, (acct) => acct.deleteIdentity('acme.com'));
    expect(ses.commandCalls(DeleteIdentityCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  test('AccessDenied is confirmed once on a fresh session (the role may have been replaced since it was cached)', async () => {
    const a = accounts();
    ses.on(DeleteIdentityCommand).rejects(awsError('AccessDenied', 403));
    await expect(a.run(target, (acct) => acct.deleteIdentity('acme.com'))).rejects.toBeInstanceOf(SesPermissionError);
    expect(ses.commandCalls(DeleteIdentityCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  test('run does not retry throttling (the SDK already did)', async () => {
    const a = accounts();
    ses.on(DeleteIdentityCommand).rejects(awsError('Throttling', 400));
    await expect(a.run(target, (acct) => acct.deleteIdentity('acme.com'))).rejects.toBeInstanceOf(SesUnavailableError);
    expect(ses.commandCalls(DeleteIdentityCommand)).toHaveLength(1);
  });
});
