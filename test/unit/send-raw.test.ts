/**
 * SendRawEmail in the customer-account port (the same policy as SendEmail: paced per recipient, never
 * retried once the outcome is unknown, no MessageId means unknown) and the MIME builder's limits.
 */
import { SendEmailCommand, SendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumedRoleAccounts, MAX_ATTEMPTS } from '../../lambdas/relay/customer-account/customer-account';
import { AwsUnavailableError, SesOutcomeUnknownError } from '../../lambdas/relay/customer-account/errors';
import { CustomerSessions } from '../../lambdas/relay/customer-account/sessions';
import { customerAccountFailure } from '../../lambdas/relay/error-map';
import { requestFingerprint } from '../../lambdas/relay/send/http/send-routes';
import { MAX_SES_MESSAGE_BYTES, prepareMessage, type PreparedMessage } from '../../lambdas/relay/send/message/prepared';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { toSesRequest } from '../../lambdas/relay/customer-account/ses-request';
import { SesRefusedError } from '../../lambdas/relay/customer-account/errors';
import type { ApiError } from '../../lambdas/shared/errors';
import { recordingClock, type RecordingClock } from '../support/recording-clock';

const ses = mockClient(SESClient);
const sts = mockClient(STSClient);
const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const timeout = () => Object.assign(new Error('request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
const target = { tenantId: 'ten_a', roleArn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', externalId: 'e'.repeat(48), region: 'eu-west-1' };
/** A prepared message with MIME of ours (SendRawEmail) to the given recipients. */
const raw = ([to, ...bcc]: string[]): PreparedMessage => ({
  request: parseSendRequest({ from_email: 'a@acme.com', to, ...(bcc.length ? { bcc } : {}), subject: 's', message: 'x', headers: { 'X-A': 'b' } }),
  mime: Buffer.from('From: a@acme.com\r\n\r\nx'),
});

let clock: RecordingClock;
let pauses: number[];
beforeEach(() => {
  ses.reset();
  sts.reset();
  clock = recordingClock(1_000_000);
  pauses = clock.slept;
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) } });
});
const accounts = () => new AssumedRoleAccounts(new CustomerSessions(new STSClient({ region: 'us-east-1' }), { clock }), {
  clock, random: () => 0.5, attemptTimeoutMs: 5_000,
});

describe('send of a MIME message (SendRawEmail): the policy of SendEmail', () => {
  test('a timeout after the request was written is never retried → SesOutcomeUnknownError', async () => {
    ses.on(SendRawEmailCommand).rejects(timeout());
    await expect(accounts().open(target, { deadline: clock.now() + 20_000 }).send(raw(['a@example.com']))).rejects.toBeInstanceOf(SesOutcomeUnknownError);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });

  test('an answer without a MessageId is unknown, and says SendRawEmail', async () => {
    ses.on(SendRawEmailCommand).resolves({});
    await expect(accounts().open(target).send(raw(['a@example.com']))).rejects.toMatchObject({ name: 'SesOutcomeUnknownError', action: 'SendRawEmail' });
  });

  test('Throttling and 5xx prove nothing was sent: retried like SendEmail', async () => {
    ses.on(SendRawEmailCommand).rejectsOnce(awsError('Throttling', 400)).resolves({ MessageId: 'r-1' });
    await expect(accounts().open(target).send(raw(['a@example.com']))).resolves.toBe('r-1');
    ses.reset();
    ses.on(SendRawEmailCommand).rejects(awsError('InternalFailure', 500));
    await expect(accounts().open(target).send(raw(['a@example.com']))).rejects.toBeInstanceOf(AwsUnavailableError);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(MAX_ATTEMPTS);
  });

  test('paced per recipient at MaxSendRate, sharing the bucket with SendEmail', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'r' });
    ses.on(SendEmailCommand).resolves({ MessageId: 's' });
    const account = accounts().open(target, { deadline: clock.now() + 20_000, maxSendRate: 2 });
    await account.send(raw(['a@example.com', 'b@example.com', 'c@example.com']));
    expect(pauses).toEqual([]);
    // 3 recipients at 2/s take 1.5 s of the bucket: a SendEmail right after waits for all of it (per message it would be 0.5 s).
    await account.send({ request: parseSendRequest({ from_email: 'a@acme.com', to: 'd@example.com', subject: 's', message: 't' }) });
    expect(pauses).toEqual([1500]);
  });

  test('SES refusing a raw message is told as "refused the message"', () => {
    const failure = customerAccountFailure(new SesRefusedError('SendRawEmail', 'MessageRejected'), { relayAccountId: '1', region: 'eu-west-1' }) as ApiError;
    expect(failure.detail).toMatch(/^Amazon SES in eu-west-1 refused the message \(MessageRejected\)/);
  });
});

describe('choosing and building the message', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };

  test('the plain shape, cc, bcc and tags stay on SendEmail; a header or an attachment takes SendRawEmail', async () => {
    const action = async (body: Record<string, unknown>) => toSesRequest(await prepareMessage(parseSendRequest({ ...base, ...body }))).action;
    expect(await action({ cc: 'c@example.com', bcc: 'b@example.com', tags: [{ name: 'a', value: 'b' }] })).toBe('SendEmail');
    expect(await action({ headers: { 'X-A': 'b' } })).toBe('SendRawEmail');
    expect(await action({ attachments: [{ filename: 'a.txt', content: 'eA==' }] })).toBe('SendRawEmail');
  });

  test('Destinations hold To, Cc and Bcc once each; Bcc never appears in the MIME; tags are SES tags', async () => {
    const ses = toSesRequest(await prepareMessage(parseSendRequest({ ...base, to: ['a@example.com'], cc: ['c@example.com', 'a@example.com'], bcc: 'hidden@example.com', headers: { 'X-A': 'b' }, tags: [{ name: 'n', value: 'v' }] })));
    if (ses.action !== 'SendRawEmail') throw new Error('expected SendRawEmail');
    const { input } = ses;
    expect(ses.recipients).toBe(3);
    expect(input.Destinations).toEqual(['a@example.com', 'c@example.com', 'hidden@example.com']);
    expect(Buffer.from(input.RawMessage!.Data!).toString()).not.toContain('hidden@example.com');
    expect(input.Tags).toEqual([{ Name: 'n', Value: 'v' }]);
  });

  test('a built message over the limit is refused (SES v1: 10 MB after base64), naming sizes only', async () => {
    const request = parseSendRequest({ ...base, attachments: [{ filename: 'a.bin', content: Buffer.alloc(3000).toString('base64') }] });
    const error = await prepareMessage(request, 2048).catch((e: unknown) => e) as ApiError;
    expect(error).toMatchObject({ code: 'request_too_large', status: 413, detail: expect.stringMatching(/^The message would be \d+ bytes as Amazon SES measures it .* at most 2048 bytes/) });
    await expect(prepareMessage(request)).resolves.toMatchObject({ mime: expect.any(Buffer) });
  });

  test('the idempotency fingerprint covers every new field and keeps the plain shape\'s hash', () => {
    const plain = parseSendRequest(base);
    const fingerprint = (body: Record<string, unknown>) => requestFingerprint('ten_a', parseSendRequest({ ...base, ...body }));
    // The plain shape hashes as before these fields existed (keys claimed before a deploy still replay).
    expect(requestFingerprint('ten_a', plain)).toBe(require('crypto').createHash('sha256').update(JSON.stringify(['ten_a', ['a@example.com'], 'h@acme.com', null, 'S', 'T', null, []])).digest('hex'));
    const variants = [{}, { cc: 'c@example.com' }, { bcc: 'c@example.com' }, { headers: { 'X-A': 'b' } }, { tags: [{ name: 'a', value: 'b' }] }, { attachments: [{ filename: 'a.txt', content: 'eA==' }] }];
    expect(new Set(variants.map(fingerprint)).size).toBe(variants.length);
    // Header order does not make another request.
    expect(fingerprint({ headers: { 'X-A': '1', 'X-B': '2' } })).toBe(fingerprint({ headers: { 'X-B': '2', 'X-A': '1' } }));
  });
});

describe('attachment content is standard base64', () => {
  const withContent = (content: string) => () => parseSendRequest({ to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T', attachments: [{ filename: 'a.txt', content }] });
  test.each(['YQ==', 'YWI=', 'YWJj', 'YWJjZA=='])('accepts %s', (content) => expect(withContent(content)).not.toThrow());
  test.each(['YQ', 'YQ=', 'Y===', 'YQ==YQ==', 'Y Q==', 'YQ==\n', 'YW-j', 'YW_j'])('refuses %j', (content) => expect(withContent(content)).toThrow(/standard base64/));
});
