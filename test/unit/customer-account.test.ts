/**
 * The one way into a customer account and its one retry policy, with the SDK mocked at the wire
 * level of the client (aws-sdk-client-mock) and a clock that only moves when the policy pauses.
 * The same policy runs end to end against the simulator in the integration tests.
 */
import {
  DeleteIdentityCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SendEmailCommand,
  SESClient,
  SetIdentityMailFromDomainCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
} from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumedRoleAccounts, MAX_ATTEMPTS } from '../../lambdas/relay/customer-account/customer-account';
import { AwsUnavailableError, DeadlinePassedError, SesOutcomeUnknownError, SesPermissionDeniedError, SesRefusedError, SesThrottledError } from '../../lambdas/relay/customer-account/errors';
import { CustomerSessions } from '../../lambdas/relay/customer-account/sessions';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { recordingClock, type RecordingClock } from '../support/recording-clock';

const ses = mockClient(SESClient);
const sts = mockClient(STSClient);
const awsError = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const timeout = () => Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 5000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
const target = { tenantId: 'ten_a', roleArn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', externalId: 'e'.repeat(48), region: 'eu-west-1' };
const mail = { request: parseSendRequest({ from_email: 'hello@acme.com', to: 'a@example.com', subject: 's', message: 't' }) };

let clock: RecordingClock;
let pauses: number[];

beforeEach(() => {
  ses.reset();
  sts.reset();
  clock = recordingClock(1_000_000);
  pauses = clock.slept;
  sts.on(AssumeRoleCommand).callsFake(async () => ({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  }));
});

const accounts = () => new AssumedRoleAccounts(new CustomerSessions(new STSClient({ region: 'us-east-1' }), { clock }), {
  clock,
  random: () => 0.5,
  attemptTimeoutMs: 5_000,
});
const open = (options = {}) => accounts().open(target, { deadline: clock.now() + 20_000, ...options });

describe('calls', () => {
  test('createDomainIdentity: the three SES calls, MAIL FROM send.<domain> falling back to SES\'s own on MX failure', async () => {
    ses.on(VerifyDomainIdentityCommand).resolves({ VerificationToken: 'TOKEN' });
    ses.on(VerifyDomainDkimCommand).resolves({ DkimTokens: ['a', 'b', 'c'] });
    ses.on(SetIdentityMailFromDomainCommand).resolves({});
    await expect(open().createDomainIdentity('acme.com', 'send.acme.com')).resolves.toEqual({ verificationToken: 'TOKEN', dkimTokens: ['a', 'b', 'c'] });
    expect(ses.commandCalls(SetIdentityMailFromDomainCommand)[0]?.args[0].input).toEqual({ Identity: 'acme.com', MailFromDomain: 'send.acme.com', BehaviorOnMXFailure: 'UseDefaultValue' });
  });

  test('statuses: only the kinds asked for; an identity SES does not know is NotStarted', async () => {
    ses.on(GetIdentityDkimAttributesCommand).resolves({ DkimAttributes: { 'acme.com': { DkimEnabled: true, DkimVerificationStatus: 'Success' } } });
    ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: {} });
    ses.on(GetIdentityMailFromDomainAttributesCommand).resolves({ MailFromDomainAttributes: { 'acme.com': { MailFromDomain: 'send.acme.com', MailFromDomainStatus: 'Failed', BehaviorOnMXFailure: 'UseDefaultValue' } } });
    await expect(open().statuses('acme.com', ['dkim'])).resolves.toEqual({ dkim_status: 'Success' });
    expect(ses.commandCalls(GetIdentityVerificationAttributesCommand)).toHaveLength(0);
    await expect(open().statuses('acme.com', ['ownership', 'dkim', 'mail_from'])).resolves.toEqual({ ownership_status: 'NotStarted', dkim_status: 'Success', mail_from_status: 'Failed' });
  });

  test('quota and sending: the numbers SES gives, -1 included', async () => {
    ses.on(GetAccountSendingEnabledCommand).resolves({ Enabled: false });
    ses.on(GetSendQuotaCommand).resolves({ Max24HourSend: -1, MaxSendRate: 14, SentLast24Hours: 0 });
    await expect(open().sendingEnabled()).resolves.toBe(false);
    await expect(open().sendQuota()).resolves.toEqual({ max24HourSend: -1, maxSendRate: 14 });
  });

  test('a cached session serves later calls; fresh assumes the role again', async () => {
    const a = accounts();
    ses.on(DeleteIdentityCommand).resolves({});
    await a.open(target).deleteIdentity('acme.com');
    await a.open(target).deleteIdentity('acme.com');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await a.open(target, { fresh: true }).assumeRole();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });
});

describe('retry policy', () => {
  test('Throttling is retried with jittered backoff until SES accepts', async () => {
    ses.on(SendEmailCommand).rejectsOnce(awsError('Throttling', 400, 'Maximum sending rate exceeded.')).rejectsOnce(awsError('Throttling', 400)).resolves({ MessageId: 'm-1' });
    await expect(open().send(mail)).resolves.toBe('m-1');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(pauses).toEqual([50, 100]);
  });

  test('Throttling past the budget → SesThrottledError; no attempt starts that could end past the deadline', async () => {
    ses.on(SendEmailCommand).rejects(awsError('Throttling', 400, 'Maximum sending rate exceeded.'));
    const error = await open({ deadline: clock.now() + 8_000 }).send(mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SesThrottledError);
    expect(error).toMatchObject({ dailyQuota: false });
    expect(clock.now() + 5_000).toBeLessThanOrEqual(1_000_000 + 8_000);
    expect(ses.commandCalls(SendEmailCommand).length).toBeGreaterThan(MAX_ATTEMPTS);
  });

  test('opened without a deadline, a request gets the 20 s budget: persistent throttling ends in SesThrottledError inside it', async () => {
    let calls = 0;
    ses.on(GetSendQuotaCommand).callsFake(async () => {
      calls += 1;
      if (calls <= 100) throw awsError('Throttling', 400, 'Rate exceeded.');
      return { Max24HourSend: 50_000, MaxSendRate: 14 };
    });
    const started = clock.now();
    const error = await accounts().open(target).sendQuota().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SesThrottledError);
    expect(clock.now()).toBeLessThanOrEqual(started + 20_000);
  });

  test('a send does not wait for STS past the deadline: DeadlinePassedError at the deadline, nothing sent', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => {
      await clock.sleep(6_000); // STS answers slowly (its 5 s attempt, retried)
      return { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) } };
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const start = clock.now();
    const error = await open({ deadline: start + 2_000 }).send(mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlinePassedError);
    expect(clock.now()).toBeLessThanOrEqual(start + 2_000);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  test('no attempt starts after the deadline: a send the pacer cannot fit before it is not made (DeadlinePassedError)', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const account = open({ deadline: clock.now() + 1_500, maxSendRate: 1 });
    await expect(account.send(mail)).resolves.toBe('m'); // the first recipient goes at once
    await expect(account.send(mail)).resolves.toBe('m'); // the next one second later, inside the deadline
    const late = await account.send(mail).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DeadlinePassedError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  test('the daily quota is told apart (by SES\'s words, which are never passed on)', async () => {
    ses.on(SendEmailCommand).rejects(awsError('Throttling', 400, 'Daily message quota exceeded.'));
    await expect(open({ deadline: clock.now() }).send(mail)).rejects.toMatchObject({ name: 'SesThrottledError', dailyQuota: true });
  });

  test('5xx is retried at most MAX_ATTEMPTS times → AwsUnavailableError', async () => {
    ses.on(SendEmailCommand).rejects(awsError('InternalFailure', 500));
    await expect(open().send(mail)).rejects.toBeInstanceOf(AwsUnavailableError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(MAX_ATTEMPTS);
  });

  test('a SendEmail whose outcome is unknown (timeout after writing) is never retried', async () => {
    ses.on(SendEmailCommand).rejects(timeout());
    await expect(open().send(mail)).rejects.toBeInstanceOf(SesOutcomeUnknownError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  test('a connection that was never made proves nothing was sent: retried', async () => {
    ses.on(SendEmailCommand).rejectsOnce(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).resolves({ MessageId: 'm-2' });
    await expect(open().send(mail)).resolves.toBe('m-2');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  test('an answer without a MessageId is an unknown outcome', async () => {
    ses.on(SendEmailCommand).resolves({});
    await expect(open().send(mail)).rejects.toBeInstanceOf(SesOutcomeUnknownError);
  });

  test('an idempotent read that timed out is retried', async () => {
    ses.on(GetSendQuotaCommand).rejectsOnce(timeout()).resolves({ Max24HourSend: 50_000, MaxSendRate: 14 });
    await expect(open().sendQuota()).resolves.toEqual({ max24HourSend: 50_000, maxSendRate: 14 });
  });

  test.each(['ExpiredToken', 'AccessDenied', 'InvalidClientTokenId'])('%s on a cached session: one fresh AssumeRole and one retry, sending once', async (name) => {
    ses.on(SendEmailCommand).rejectsOnce(awsError(name, 403)).resolves({ MessageId: 'm-3' });
    await expect(open().send(mail)).resolves.toBe('m-3');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ ExternalId: 'e'.repeat(48), DurationSeconds: 900 });
  });

  test('AccessDenied on the fresh session too → SesPermissionDeniedError naming the action (the role\'s policy is wrong)', async () => {
    ses.on(SendEmailCommand).rejects(awsError('AccessDenied', 403, 'User arn:... is not authorized to perform ses:SendEmail on bob@example.com'));
    const error = await open().send(mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SesPermissionDeniedError);
    expect(error).toMatchObject({ action: 'ses:SendEmail' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  test('any other refusal is final and carries the error code only, never SES\'s text', async () => {
    ses.on(SendEmailCommand).rejects(awsError('MessageRejected', 400, 'Email address is not verified: "Jane Secretname" <jane@example.com>'));
    const error = await open().send(mail).catch((e: unknown) => e) as SesRefusedError;
    expect(error).toBeInstanceOf(SesRefusedError);
    expect(error.errorCode).toBe('MessageRejected');
    expect(JSON.stringify({ ...error, message: error.message })).not.toMatch(/Jane|jane@|Secretname/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  test('an error code that is not an identifier is never passed on', async () => {
    ses.on(SendEmailCommand).rejects(awsError('bob@example.com', 400));
    await expect(open().send(mail)).rejects.toMatchObject({ errorCode: 'Error' });
  });
});
