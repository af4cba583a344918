import { normaliseAddress } from '../../lambdas/relay/send/email-address';
import { formatSender, toSendEmailInput } from '../../lambdas/relay/send/ses-message';
import { parseSendRequest } from '../../lambdas/relay/send/send-request';
import { classifyFailure } from '../../lambdas/relay/customer-account/aws-failures';
import { SesRefusedError, SesThrottledError } from '../../lambdas/relay/customer-account/errors';
import { customerAccountFailure } from '../../lambdas/relay/error-map';

describe('addresses', () => {
  test.each([
    ['User.Name+tag@Example.COM', 'User.Name+tag@example.com'],
    ['a@bücher.de', 'a@xn--bcher-kva.de'],
    ['  padded@example.com ', 'padded@example.com'],
  ])('%s → %s', (input, expected) => expect(normaliseAddress(input)).toBe(expected));

  test.each(['plain', '@example.com', 'a@', 'a@b', 'a..b@example.com', '.a@example.com', 'jürgen@example.com', 'a@-bad.com', 'a@exa mple.com', `${'x'.repeat(65)}@example.com`, 'a@example.c0m', 'a"b@example.com'])(
    'refuses %s', (input) => expect(normaliseAddress(input)).toBeUndefined(),
  );
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
