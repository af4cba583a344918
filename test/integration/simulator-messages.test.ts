/** What SES v1 refuses before accepting a message, with its codes and wording. */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { rejectionOf, simpleEmail, simulatorHarness } from '../support/simulator-harness';

// sends are not the subject here: room for many per test
const h = simulatorHarness({ sendBurst: 10_000 });
const { sim } = h;

async function readySender() {
  h.customerAccount();
  const ses = await h.sesFor();
  await h.verifiedDomain(ses, 'acme.com');
  return ses;
}

const addresses = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}@example.com`);

test('more than 50 recipients across To, Cc and Bcc: InvalidParameterValue "Recipient count exceeds 50."; 50 go', async () => {
  const ses = await readySender();
  const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', addresses(30, 'to'), { cc: addresses(11, 'cc'), bcc: addresses(10, 'bcc') })));
  expect(error).toMatchObject({ name: 'InvalidParameterValue', message: 'Recipient count exceeds 50.', $metadata: { httpStatusCode: 400 } });
  await expect(ses.send(simpleEmail('hello@acme.com', addresses(30, 'to'), { cc: addresses(10, 'cc'), bcc: addresses(10, 'bcc') }))).resolves.toHaveProperty('MessageId');
  const raw = `From: hello@acme.com\r\nTo: ann@example.com\r\nSubject: s\r\n\r\nbody\r\n`;
  const rawError = await rejectionOf(ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: addresses(51, 'd') })));
  expect(rawError.message).toBe('Recipient count exceeds 50.');
});

test.each<[string, string, string[], string]>([
  ['a non-ASCII local part', 'hello@acme.com', ['jürgen@example.com'], 'Local address contains control or whitespace'],
  ['whitespace in a local part', 'hello@acme.com', ['ann smith@example.com'], 'Local address contains control or whitespace'],
  ['a domain not in punycode', 'hello@acme.com', ['kunde@bücher.de'], 'Domain contains illegal character'],
  ['CR/LF in a display name', '"Acme\r\nBcc: victim@example.com" <hello@acme.com>', ['ann@example.com'], 'Local address contains control or whitespace'],
  ['an unencoded non-ASCII display name', 'Ácme <hello@acme.com>', ['ann@example.com'], 'Illegal address'],
  ['an unquoted comma in a display name', 'Acme, Inc. <hello@acme.com>', ['ann@example.com'], "Missing final '@domain'"],
])('refuses %s with InvalidParameterValue', async (_case, source, to, message) => {
  const ses = await readySender();
  const error = await rejectionOf(ses.send(simpleEmail(source, to)));
  expect(error).toMatchObject({ name: 'InvalidParameterValue', message, $metadata: { httpStatusCode: 400 } });
  expect(sim.mailbox()).toEqual([]);
});

test.each<[string, string, string[]]>([
  ['a punycode domain', 'hello@acme.com', ['kunde@xn--bcher-kva.de']],
  ['an RFC 2047 encoded display name', '=?utf-8?B?w4FjbWU=?= <hello@acme.com>', ['ann@example.com']],
  ['a quoted comma in a display name', '"Acme, Inc." <hello@acme.com>', ['ann@example.com']],
])('accepts %s', async (_case, source, to) => {
  const ses = await readySender();
  await expect(ses.send(simpleEmail(source, to))).resolves.toHaveProperty('MessageId');
});

describe('message size', () => {
  /**
   * A raw message whose base64 form (what SES counts) is exactly `base64Length` bytes. Its body is
   * `?` (base64 `Pz8/`), not one letter repeated: the SDK checks every Query value against
   * `/^[\w.~-]+$/` before encoding it, and on megabytes of word characters alone V8's regexp
   * backtracking stack can overflow (RangeError, depending on how far the regexp has been compiled in
   * this process) — a message body never looks like that, and this test is about SES's limit.
   */
  function rawOfEncodedLength(base64Length: number): Buffer {
    const head = 'From: hello@acme.com\r\nTo: ann@example.com\r\nSubject: big\r\n\r\n';
    const bytes = (base64Length / 4) * 3;
    return Buffer.from(head + '?'.repeat(bytes - head.length));
  }

  test('over 10 MB after base64: InvalidParameterValue "Message length is more than 10485760 bytes long", HTTP 400; exactly 10 MB goes', async () => {
    const ses = await readySender();
    const error = await rejectionOf(ses.send(new SendRawEmailCommand({ RawMessage: { Data: rawOfEncodedLength(10_485_760 + 4) } })));
    expect(error).toMatchObject({ name: 'InvalidParameterValue', message: 'Message length is more than 10485760 bytes long', $metadata: { httpStatusCode: 400 } });
    await expect(ses.send(new SendRawEmailCommand({ RawMessage: { Data: rawOfEncodedLength(10_485_760) } }))).resolves.toHaveProperty('MessageId');
  });

  test('SendEmail with an 11 MB body gets the same answer', async () => {
    const ses = await readySender();
    const big = simpleEmail('hello@acme.com', ['ann@example.com']);
    // Words and spaces, as a body is (see rawOfEncodedLength on the SDK's check of Query values).
    big.input.Message = { Subject: { Data: 'big' }, Body: { Text: { Data: 'word '.repeat((11 * 1024 * 1024) / 5) } } };
    const error = await rejectionOf(ses.send(big));
    expect(error).toMatchObject({ name: 'InvalidParameterValue', message: 'Message length is more than 10485760 bytes long', $metadata: { httpStatusCode: 400 } });
  });
});
