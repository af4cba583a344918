import { normaliseAddress } from '../../lambdas/relay/send/email-address';
import { formatSender, toSendEmailInput } from '../../lambdas/relay/send/ses-message';
import { parseSendRequest } from '../../lambdas/relay/send/send-request';
import { classifySesError, sesFailureToApiError, withoutAddresses } from '../../lambdas/relay/byoc/ses-errors';

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
    ['TimeoutError', 0, 'unavailable'],
    ['MessageRejected', 400, 'rejected'],
    ['MailFromDomainNotVerifiedException', 400, 'rejected'],
    ['ExpiredToken', 403, 'stale_credentials'],
  ])('%s (%i) is %s', (name, status, kind) => expect(classifySesError(sdkError(name, status))).toBe(kind));

  test('addresses are removed from SES reasons', () => {
    const reason = 'Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@example.com, "Name" <other@x.io>';
    expect(withoutAddresses(reason)).not.toMatch(/@/);
    const error = sesFailureToApiError(sdkError('MessageRejected', 400, reason), 'eu-west-1');
    expect(error).toMatchObject({ code: 'ses_rejected', status: 422 });
    expect(error.detail).toContain('not verified');
    expect(error.detail).not.toContain('someone');
  });

  test('throttling gives Retry-After; a daily quota a long one', () => {
    expect(sesFailureToApiError(sdkError('Throttling', 400, 'Maximum sending rate exceeded.'), 'eu-west-1').options.headers).toEqual({ 'retry-after': '1' });
    expect(sesFailureToApiError(sdkError('Throttling', 400, 'Daily message quota exceeded.'), 'eu-west-1').options.headers).toEqual({ 'retry-after': '3600' });
  });
});
