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
import { customerAccountRefusal, type ErrorContext } from '../../lambdas/relay/error-map';
import { refusalAsApiError } from '../../lambdas/shared/refusal';

/** The error map's refusal as the ApiError the HTTP edge answers with. */
const customerAccountFailure = (error: unknown, context: ErrorContext) => refusalAsApiError(customerAccountRefusal(error, context)!);
import { requestFingerprint } from '../../lambdas/relay/send/http/send-routes';
import { prepareMessage, sendEmailMeasureBound, type PreparedMessage } from '../../lambdas/relay/send/message/prepared';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { CONTAINER_EXTENSIONS, typeExtension } from '../../lambdas/relay/send/message/parts';
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

/** The unfolded value of a header in a built MIME message (RFC 5322 unfolding: CRLF before WSP is removed). */
const headerOf = (mime: Buffer, name: string): string | undefined => {
  const head = mime.toString('latin1').split('\r\n\r\n')[0]!.replace(/\r\n(?=[ \t])/g, '');
  return head.split('\r\n').find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}: `))?.slice(name.length + 2);
};

describe('the size SES measures: the MIME message after base64, checked before anything is counted', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S' };

  test('a text body of = signs triples in quoted-printable; the limit applies to its base64, not to the built bytes', async () => {
    // One letter makes MailComposer choose quoted-printable, where each = is written =3D. (Scaled down
    // with the limit as a parameter; test/integration/send-rich drives the 2.6 MB body through HTTP.)
    const request = parseSendRequest({ ...base, message: `Hello${'='.repeat(30_000)}`, attachments: [{ filename: 'a.txt', content: 'eA==' }] });
    const { mime } = await prepareMessage(request);
    expect(mime!.length).toBeGreaterThan(3 * 30_000);
    // A limit the built bytes fit in but their base64 does not: refused, naming the measured size.
    const limit = mime!.length + 1;
    const error = await prepareMessage(request, limit).then(() => undefined, (e: unknown) => e as ApiError);
    expect([error?.code, error?.status]).toEqual(['request_too_large', 413]);
    expect(error!.detail).toContain(`would be ${4 * Math.ceil(mime!.length / 3)} bytes as Amazon SES measures it`);
    expect(error!.detail).toMatch(new RegExp(`at most ${limit} bytes\\. Send smaller attachments or bodies`));
    expect(error!.detail).not.toContain('=====');
    await expect(prepareMessage(request, 4 * Math.ceil(mime!.length / 3))).resolves.toMatchObject({ mime: expect.any(Buffer) });
  });

  test('SendEmail (SES builds the MIME): bounded from above the same way, refused over the limit', async () => {
    const code = (message: string) => prepareMessage(parseSendRequest({ ...base, message })).then((p) => (p.mime ? 'raw' : 'SendEmail'), (e: ApiError) => e.code);
    expect(await code('='.repeat(3_000_000))).toBe('request_too_large');
    expect(await code('='.repeat(256 * 1024))).toBe('SendEmail');
    // The bound is what the limit is held to: just over it is refused, at it sent.
    const request = parseSendRequest({ ...base, message: '='.repeat(1000) });
    const bound = sendEmailMeasureBound(request);
    await expect(prepareMessage(request, bound - 1)).rejects.toMatchObject({ code: 'request_too_large' });
    await expect(prepareMessage(request, bound)).resolves.toEqual({ request });
  });
});

describe('In-Reply-To and References: RFC 5322 msg-id lists, refused otherwise, never rewritten', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
  const withHeader = (name: string, value: string) => () => parseSendRequest({ ...base, headers: { [name]: value } });

  test.each([
    ['a second header smuggled after a comma', '<a@x>, Bcc: e@evil.example'],
    ['a comma between ids', '<a@x>,<b@y>'],
    ['no angle brackets', 'a@x'],
    ['no @', '<ax>'],
    ['non-ASCII', '<jürgen@example.com>'],
    ['non-ASCII on the right', '<a@exämple.com>'],
    ['two spaces between ids', '<a@x>  <b@y>'],
    ['a leading space', ' <a@x>'],
    ['text after the id', '<a@x> (comment)'],
    ['a quoted left part', '<"a b"@x>'],
    ['an empty id', '<>'],
  ])('refuses %s', (_name, value) => {
    for (const name of ['In-Reply-To', 'References', 'references']) {
      let error: ApiError | undefined;
      try { withHeader(name, value)(); } catch (e) { error = e as ApiError; }
      expect(error).toMatchObject({ code: 'invalid_request', options: { issues: expect.arrayContaining([{ path: 'headers[1]', message: expect.stringMatching(/message ids like <id@example.com>, separated by single spaces/) }]) } });
      expect(JSON.stringify(error)).not.toContain('evil');
    }
  });

  test('other headers keep the header-text rules only', () => {
    expect(withHeader('X-Ref', '<a@x>, b')).not.toThrow();
  });

  test.each([
    ['one id', '<m1@acme.com>'],
    ['a domain literal on the right', '<a.b-c@[192.0.2.1]>'],
    ['atext on both sides', "<a!#$%&'*+/=?^_`{|}~-@b.c>"],
    ['several ids', '<a@x> <b@y> <c@z>'],
  ])('accepts %s, and the built message carries it as given', async (_name, value) => {
    for (const name of ['In-Reply-To', 'References']) {
      const prepared = await prepareMessage(withHeader(name, value)());
      expect(headerOf(prepared.mime!, name)).toBe(value);
    }
  });

  test('a long References list is folded (lines within 998 characters) and unfolds to exactly what was sent', async () => {
    const value = Array.from({ length: 25 }, (_, i) => `<reference-${i}.abcdefghijkl@mail.example.com>`).join(' ');
    expect(value.length).toBeGreaterThan(998 - 20);
    for (const name of ['References', 'In-Reply-To']) {
      const prepared = await prepareMessage(withHeader(name, value.slice(0, value.lastIndexOf('<', 998 - 1) - 1))());
      const mime = prepared.mime!.toString('latin1');
      expect(Math.max(...mime.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
      expect(headerOf(prepared.mime!, name)).toBe(value.slice(0, value.lastIndexOf('<', 998 - 1) - 1));
    }
  });
});

describe('attachments that hold parts or messages (multipart/*, message/*) are refused up front', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
  const attach = (attachment: Record<string, unknown>) => () => parseSendRequest({ ...base, attachments: [{ content: 'eA==', ...attachment }] });
  const issueOf = (run: () => unknown) => {
    try { run(); } catch (e) { return (e as ApiError).options.issues; }
    return undefined;
  };

  test.each([
    ['message/rfc822 (an .exe inside would pass the file-type check)', { filename: 'forward.txt', content_type: 'message/rfc822' }],
    ['Message/RFC822 in another case', { filename: 'forward.txt', content_type: 'Message/RFC822' }],
    ['multipart/mixed', { filename: 'a.bin', content_type: 'multipart/mixed' }],
    ['multipart/x-zip', { filename: 'a.zip', content_type: 'multipart/x-zip' }],
    ['message/partial', { filename: 'a.txt', content_type: 'message/partial' }],
  ])('refuses %s given as content_type', (_name, attachment) => {
    expect(issueOf(attach(attachment))).toEqual([{ path: 'attachments.0.content_type', message: expect.stringMatching(/must not be a multipart\/\* or message\/\* type/) }]);
  });

  test.each([['mail.eml'], ['page.MHTML'], ['archive.mht'], ['x.gzip'], ['eml'], ['news.nws'], ['a.mime']])('refuses %s without content_type (the builder would derive a container type)', (filename) => {
    expect(issueOf(attach({ filename }))).toEqual([{ path: 'attachments.0.content_type', message: expect.stringMatching(/is missing, and the file name's extension gives a message\/\* or multipart\/\* type/) }]);
  });

  test('the same names with a content_type of another kind are plain files, sent base64', async () => {
    const prepared = await prepareMessage(attach({ filename: 'mail.eml', content_type: 'application/octet-stream' })());
    expect(prepared.mime!.toString()).toMatch(/Content-Type: application\/octet-stream; name=mail\.eml\r\nContent-Transfer-Encoding: base64/);
    await expect(prepareMessage(attach({ filename: 'a.zip' })())).resolves.toMatchObject({ mime: expect.any(Buffer) });
  });

  test('the list of container extensions is exactly the one nodemailer derives multipart/* or message/* from', () => {
    // Every extension of nodemailer's table (read from its source: the table is not exported).
    const source = require('fs').readFileSync(require.resolve('nodemailer/lib/mime-funcs').replace(/index\.js$/, 'mime-types.js'), 'utf8') as string;
    const table = source.slice(source.indexOf('const extensions = new Map'));
    const extensions = [...table.matchAll(/\[\s*'([^']+)',/g)].map((m) => m[1]!);
    expect(extensions.length).toBeGreaterThan(500);
    const { detectMimeType } = require('nodemailer/lib/mime-funcs') as { detectMimeType: (name: string) => string };
    const containers = extensions.filter((ext) => /^(multipart|message)\//.test(detectMimeType(`file.${ext}`)));
    expect(new Set(containers)).toEqual(CONTAINER_EXTENSIONS);
    // Read as nodemailer reads a name: the last extension, up to a '?', or the whole name without a dot.
    for (const name of ['a.eml', 'a.b.EML', 'eml', 'a.eml?x', 'a.txt', '.eml', 'a.gzip']) {
      expect([name, CONTAINER_EXTENSIONS.has(typeExtension(name))]).toEqual([name, /^(multipart|message)\//.test(detectMimeType(name))]);
    }
  });
});

describe('List-Unsubscribe and List-Unsubscribe-Post: their RFC forms, sent as given', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
  const withHeaders = (headers: Record<string, string>) => () => parseSendRequest({ ...base, headers });

  test.each([
    ['a non-ASCII URI (the builder would encode it as text)', { 'List-Unsubscribe': '<https://acme.com/ü>' }, /URIs in angle brackets/],
    ['a URI without angle brackets', { 'List-Unsubscribe': 'https://acme.com/u' }, /URIs in angle brackets/],
    ['a space inside a URI', { 'List-Unsubscribe': '<https://acme.com/a b>' }, /URIs in angle brackets/],
    ['text after the list', { 'List-Unsubscribe': '<https://acme.com/u> please' }, /URIs in angle brackets/],
    ['another one-click value', { 'List-Unsubscribe-Post': 'List-Unsubscribe=Yes' }, /must be exactly List-Unsubscribe=One-Click/],
  ])('refuses %s', (_name, headers, rule) => {
    let error: ApiError | undefined;
    try { withHeaders(headers)(); } catch (e) { error = e as ApiError; }
    expect(error).toMatchObject({ code: 'invalid_request', options: { issues: [{ path: 'headers[1]', message: expect.stringMatching(rule) }] } });
  });

  test.each([
    ['<https://acme.com/u/1?t=a%C3%BC>'],
    ['<https://acme.com/u/1>, <mailto:u@acme.com?subject=unsubscribe>'],
    ['<https://acme.com/u/1>,<mailto:u@acme.com>'],
  ])('accepts %s and the built message carries it as given', async (value) => {
    const prepared = await prepareMessage(withHeaders({ 'List-Unsubscribe': value, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' })());
    expect(headerOf(prepared.mime!, 'List-Unsubscribe')).toBe(value);
    expect(headerOf(prepared.mime!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });
});

describe('header values fit a mail line once built', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
  const longestLine = (mime: Buffer) => Math.max(...mime.toString('latin1').split('\r\n').map((line) => line.length));

  test.each([
    ['X-Long', 'x'.repeat(997)],
    [`X-${'n'.repeat(74)}`, 'x'.repeat(997)],
    ['In-Reply-To', `<${'a'.repeat(989)}@x.com>`],
    ['List-Unsubscribe', `<https://acme.com/${'x'.repeat(978)}>`],
  ])('%s with a 997-character value that cannot be folded: every line within 998 characters', async (name, value) => {
    expect(value).toHaveLength(997);
    const prepared = await prepareMessage(parseSendRequest({ ...base, headers: { [name]: value } }));
    expect(longestLine(prepared.mime!)).toBeLessThanOrEqual(998);
  });

  test('998 characters are refused (the builder would write a 999-character line)', () => {
    expect(() => parseSendRequest({ ...base, headers: { 'X-Long': 'x'.repeat(998) } })).toThrow(/must be at most 997 characters/);
  });

  test('the subject follows the same limit: 997 characters without a space build lines within 998, 998 are refused', async () => {
    const prepared = await prepareMessage(parseSendRequest({ ...base, subject: 's'.repeat(997), headers: { 'X-A': 'b' } }));
    expect(longestLine(prepared.mime!)).toBeLessThanOrEqual(998);
    expect(() => parseSendRequest({ ...base, subject: 's'.repeat(998) })).toThrow(/subject must be at most 997 characters/);
  });
});
