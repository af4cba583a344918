import type { ApiError } from '../../lambdas/shared/errors';
import { checkAddress, normaliseAddress } from '../../lambdas/relay/send/message/address';
import { formatSender, toSendEmailInput } from '../../lambdas/relay/customer-account/ses-request';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { classifyFailure } from '../../lambdas/relay/customer-account/aws-failures';
import { SesRefusedError, SesThrottledError } from '../../lambdas/relay/customer-account/errors';
import { customerAccountRefusal, type ErrorContext } from '../../lambdas/relay/error-map';
import { refusalAsApiError } from '../../lambdas/shared/refusal';

/** The error map's refusal as the ApiError the HTTP edge answers with. */
const customerAccountFailure = (error: unknown, context: ErrorContext) => refusalAsApiError(customerAccountRefusal(error, context)!);

describe('addresses', () => {
  test.each([
    ['User.Name+tag@Example.COM', 'User.Name+tag@example.com'],
    ['a@bücher.de', 'a@xn--bcher-kva.de'],
    ['a@BÜCHER.de', 'a@xn--bcher-kva.de'],
    ['a@xn--bcher-kva.de', 'a@xn--bcher-kva.de'],
    ["o'brien!#$%&*+/=?^_`{|}~-@sub.example.co.uk", "o'brien!#$%&*+/=?^_`{|}~-@sub.example.co.uk"],
  ])('%s → %s', (input, expected) => expect(normaliseAddress(input)).toBe(expected));

  // Each of these was accepted and sent to another address than written, or is not one mailbox.
  test.each([
    ['a fragment after the domain', 'bob@evil.example#.victim-corp.com'],
    ['a path after the domain', 'bob@evil.example/x'],
    ['a query after the domain', 'bob@evil.example?x'],
    ['a percent-escape in the domain', 'bob@ev%69l.example'],
    ['a TAB inside the domain', 'bob@evil.ex\tample'],
    ['CR/LF inside the domain', 'bob@evil.ex\r\nample'],
    ['a trailing CR/LF', 'bob@evil.example\r\n'],
    ['a fragment on a sender', 'hi@acme.com#x'],
    ['surrounding spaces', '  padded@example.com '],
    ['a display name', 'Bob <bob@example.com>'],
    ['angle brackets', '<bob@example.com>'],
    ['a comment', 'bob@example.com (work)'],
    ['a comment in the local part', 'bob(x)@example.com'],
    ['a quoted local part', '"a b"@example.com'],
    ['an IP literal', 'bob@[192.0.2.1]'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['a full-width domain IDNA would map to ASCII', 'a@ｅｘａｍｐｌｅ.com'],
    ['invalid punycode', 'a@xn--zz-.com'],
    ['an underscore in a label', 'a@ex_ample.com'],
    ['no dot in the domain', 'a@b'],
    ['a trailing dot', 'a@example.com.'],
    ['plain', 'plain'], ['no local part', '@example.com'], ['no domain', 'a@'], ['two dots', 'a..b@example.com'],
    ['a leading dot', '.a@example.com'], ['a non-ASCII local part', 'jürgen@example.com'], ['a leading hyphen', 'a@-bad.com'],
    ['a space in the domain', 'a@exa mple.com'], ['a 65-character local part', `${'x'.repeat(65)}@example.com`],
    ['a digit in the TLD', 'a@example.c0m'], ['a bare quote', 'a"b@example.com'],
  ])('refuses %s', (_name, input) => {
    expect(normaliseAddress(input)).toBeUndefined();
    expect(checkAddress(input)).toMatchObject({ ok: false, problem: expect.any(String) });
  });

  test('the reason names the rule, never the value', () => {
    expect(checkAddress('Bob <bob@example.com>')).toEqual({ ok: false, problem: expect.stringMatching(/no display name/) });
    expect(checkAddress('"a b"@example.com')).toEqual({ ok: false, problem: expect.stringMatching(/quoted local part/) });
    expect(checkAddress('jürgen@example.com')).toEqual({ ok: false, problem: expect.stringMatching(/ASCII local part/) });
    expect(checkAddress('bob@[192.0.2.1]')).toEqual({ ok: false, problem: expect.stringMatching(/IP address literal/) });
    const problem = (checkAddress('bob@evil.example#.victim-corp.com') as { problem: string }).problem;
    expect(problem).toMatch(/valid domain/);
    expect(problem).not.toMatch(/evil|victim/);
  });
});

describe('send request fields', () => {
  const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
  const issuesOf = (body: Record<string, unknown>) => {
    try {
      parseSendRequest(body);
    } catch (error) {
      return (error as ApiError).options.issues ?? [];
    }
    throw new Error('accepted');
  };

  test.each([
    ['to', 'bob@evil.example#.victim-corp.com'], ['to', ['ok@example.com', 'bob@evil.example/x']], ['from_email', 'hi@acme.com#x'],
    ['reply_to', 'bob@ev%69l.example'], ['from_email', 'Acme <hi@acme.com>'],
  ])('an address that is not one mailbox → 400 naming %s', (field, value) => {
    expect(issuesOf({ ...base, [field]: value }).map((i) => i.path.split('.')[0])).toEqual([field]);
  });

  test.each([
    ['an RFC 2047 B word decoding to CR/LF', '=?UTF-8?B?QWNtZQ0KQmNjOiBldmlsQGV2aWwuY29t?='],
    ['an RFC 2047 Q word', 'Hi =?iso-8859-1?q?caf=E9=0D=0A?= there'],
    ['a right-to-left override', 'Invoice \u202Efdp.exe'],
    ['a left-to-right mark', 'Acme\u200E'], ['an Arabic letter mark', 'Acme\u061C'], ['a first-strong isolate', 'a\u2068b\u2069'],
    ['a zero-width space', 'Ac\u200Bme'], ['a zero-width joiner', 'Ac\u200Dme'], ['a word joiner', 'Ac\u2060me'], ['a byte-order mark', '\uFEFFAcme'],
    ['a C1 control (NEL)', 'Acme\u0085Bcc'],
  ])('%s in from_name or subject → 400', (_name, value) => {
    expect(issuesOf({ ...base, from_name: value }).map((i) => i.path)).toEqual(expect.arrayContaining(['from_name']));
    expect(issuesOf({ ...base, subject: value }).map((i) => i.path)).toEqual(expect.arrayContaining(['subject']));
  });

  test('U+FFFD (what a lenient decoder leaves for invalid UTF-8) is refused in every field', () => {
    for (const field of ['subject', 'from_name', 'message', 'html']) {
      expect(issuesOf({ ...base, [field]: 'caf\uFFFD' })).toEqual([{ path: field, message: expect.stringMatching(/U\+FFFD/) }]);
    }
  });

  test('plain Unicode, question marks and equals signs that are not an encoded word stay allowed', () => {
    const request = parseSendRequest({ ...base, from_name: 'Zoë = Ünïcode? 日本', subject: 'Is 2+2=4? Yes! 👋 =?' });
    expect(request).toMatchObject({ fromName: 'Zoë = Ünïcode? 日本', subject: 'Is 2+2=4? Yes! 👋 =?' });
  });

  test('a present field of the wrong type says which type, a missing one says required', () => {
    expect(issuesOf({ ...base, subject: 123 })).toEqual([{ path: 'subject', message: 'must be a string' }]);
    expect(issuesOf({ ...base, subject: null })).toEqual([{ path: 'subject', message: 'must be a string' }]);
    const { subject: _omitted, ...withoutSubject } = base;
    expect(issuesOf(withoutSubject)).toEqual([{ path: 'subject', message: 'is required (string)' }]);
  });
});

describe('From header', () => {
  test('ASCII names are quoted with escapes', () => {
    expect(formatSender('a@acme.com', 'Acme "Team" \\ Co')).toBe('"Acme \\"Team\\" \\\\ Co" <a@acme.com>');
  });
  test('non-ASCII names become RFC 2047 encoded-words of at most 75 characters that decode back', () => {
    const name = 'Zoë '.repeat(20).trim();
    const header = formatSender('a@acme.com', name);
    const words = header.replace(/ <a@acme\.com>$/, '').split(' ');
    expect(words.every((w) => w.length <= 75 && /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(w))).toBe(true);
    const decoded = words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('');
    expect(decoded).toBe(name);
  });
  test('no name → bare address', () => expect(formatSender('a@acme.com')).toBe('a@acme.com'));
});

test('a request becomes SendEmail input: deduplicated recipients, UTF-8 charsets, optional parts omitted', () => {
  const request = parseSendRequest({ to: ['A@Example.com', 'A@example.com'], from_email: 'h@acme.com', subject: 'S', message: 'T' });
  expect(toSendEmailInput(request)).toEqual({
    Source: 'h@acme.com',
    Destination: { ToAddresses: ['A@example.com'] },
    ReplyToAddresses: undefined,
    Message: { Subject: { Data: 'S', Charset: 'UTF-8' }, Body: { Text: { Data: 'T', Charset: 'UTF-8' } } },
  });
});

describe('SES failures', () => {
  const sdkError = (name: string, status: number, message = 'm') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  test.each([
    ['Throttling', 400, 'throttled'],
    ['InternalFailure', 500, 'unavailable'],
    ['ServiceUnavailable', 503, 'unavailable'],
    ['MessageRejected', 400, 'rejected'],
    ['MailFromDomainNotVerifiedException', 400, 'rejected'],
    ['ExpiredToken', 403, 'session_refused'],
    ['AccessDenied', 403, 'session_refused'],
  ])('%s (%i) is %s', (name, status, kind) => expect(classifyFailure(sdkError(name, status))).toBe(kind));

  test.each([
    ['a request timeout', Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'outcome_unknown'],
    ['a reset connection', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'outcome_unknown'],
    ['an error we do not know', new TypeError('x'), 'outcome_unknown'],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'unavailable'],
    ['a connect timeout', Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 2000 ms.'), { name: 'TimeoutError' }), 'unavailable'],
  ])('%s is %s', (_what, error, kind) => expect(classifyFailure(error)).toBe(kind));

  test('a refusal is told in our words, by code and region only', () => {
    const error = customerAccountFailure(new SesRefusedError('SendEmail', 'MessageRejected'), { relayAccountId: '111111111111', region: 'eu-west-1' });
    expect(error).toMatchObject({ code: 'ses_rejected', status: 422 });
    expect((error as { detail: string }).detail).toMatch(/^Amazon SES in eu-west-1 refused the message \(MessageRejected\)\. Common causes: /);
  });

  test('throttling gives Retry-After; a daily quota a long one', () => {
    const context = { relayAccountId: '111111111111', region: 'eu-west-1' };
    expect(customerAccountFailure(new SesThrottledError('SendEmail', false), context)).toMatchObject({ code: 'ses_throttled', options: { headers: { 'retry-after': '1' } } });
    expect(customerAccountFailure(new SesThrottledError('SendEmail', true), context)).toMatchObject({ code: 'ses_throttled', options: { headers: { 'retry-after': '3600' } } });
  });
});
