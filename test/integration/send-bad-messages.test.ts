/**
 * One table of bad messages, driven through every way in: `POST /api/send`, one message of
 * `POST /api/send/batch`, and Resend's `POST /emails`. Each gets the same code and the same detail
 * (in Resend's shape and terms on /emails), because one set of message rules serves all three.
 */
import { inResendTerms } from '../../lambdas/relay/send/http/resend-routes';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(90_000);

let system: TestSystem;
let apiKey: string;

beforeAll(async () => {
  system = await startTestSystem('badmsg');
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  apiKey = tenant.apiKey;
  await onboard(system, apiKey, { accountId: '515151515151', domain: 'bad.dev' });
});
afterAll(() => system?.stop());

const ours = { to: 'a@example.com', from_email: 'hello@bad.dev', subject: 'Hello', message: 'Body' };
const resends = { to: 'a@example.com', from: 'hello@bad.dev', subject: 'Hello', text: 'Body' };

/** [what is wrong, the change in SendFleet's fields, the same change in Resend's]. */
const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['a recipient that is not an address', { to: 'not-an-address' }, { to: 'not-an-address' }],
  ['a display name in a recipient', { to: 'Bob <bob@example.com>' }, { to: 'Bob <bob@example.com>' }],
  ['51 recipients', { to: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) }, { to: Array.from({ length: 51 }, (_, i) => `r${i}@example.com`) }],
  ['a sender that is not an address', { from_email: 'nope' }, { from: 'nope' }],
  ['an empty subject', { subject: '' }, { subject: '' }],
  ['a line break in the subject', { subject: 'Hi\r\nBcc: x@evil.example' }, { subject: 'Hi\r\nBcc: x@evil.example' }],
  ['no body', { message: undefined }, { text: undefined }],
  ['a bad cc', { cc: 'bad' }, { cc: 'bad' }],
  ['a bad bcc', { bcc: ['ok@example.com', 'bad'] }, { bcc: ['ok@example.com', 'bad'] }],
  ['a bad reply-to', { reply_to: 'bad' }, { reply_to: 'bad' }],
  ['a tag with a bad name', { tags: [{ name: 'bad name!', value: 'x' }] }, { tags: [{ name: 'bad name!', value: 'x' }] }],
  ['a header that may not be set', { headers: { Bcc: 'x@evil.example' } }, { headers: { Bcc: 'x@evil.example' } }],
  ['a lone surrogate in the body', { message: 'a\ud800b' }, { text: 'a\ud800b' }],
  ['a display name that is an address', { from_name: 'ceo@bank.example' }, { from: 'ceo@bank.example <hello@bad.dev>' }],
  ['a quoted display name that is an address', { from_name: 'ceo@bank.example' }, { from: '"ceo@bank.example" <hello@bad.dev>' }],
];

test.each(cases)('%s: the same code and detail through /api/send, a batch and /emails', async (_what, change, resendChange) => {
  const single = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { ...ours, ...change } });
  expect(single.status).toBe(400);
  expect(single.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.any(String) });
  const { detail } = single.body as { detail: string };

  const batch = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey, body: { messages: [{ ...ours, ...change }] } });
  expect(batch.status).toBe(200);
  expect(batch.body.results).toEqual([{ index: 0, success: false, error: 'invalid_request', detail }]);

  const resend = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { ...resends, ...resendChange } });
  expect(resend.status).toBe(422);
  expect(resend.body).toEqual({ statusCode: 422, name: 'validation_error', message: inResendTerms(detail) });
  expect(system.simulator.mailbox()).toHaveLength(0);
});

describe('Resend `from` holds one mailbox', () => {
  test.each([
    'CEO <ceo@bank.example>, Acme <hi@bad.dev>',
    'ceo@bank.example, Acme <hi@bad.dev>',
  ])('%s is refused with 422, nothing sent', async (from) => {
    const response = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { ...resends, from } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ name: 'validation_error', message: expect.stringMatching(/`from` field holds more than one mailbox; give exactly one sender/) });
    expect(system.simulator.mailbox()).toHaveLength(0);
  });

  test('a quoted display name may hold a comma', async () => {
    const response = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { ...resends, from: '"Doe, Jane" <hello@bad.dev>' } });
    expect(response.status).toBe(200);
    expect(system.simulator.mailbox().map((m) => m.account_id)).toEqual(['515151515151']);
  });
});

test('a message over 256 KB without attachments: the same code and detail on /api/send, as a batch message and on /emails', async () => {
  const big = { ...ours, message: 'x'.repeat(300 * 1024) };
  const delivered = system.simulator.mailbox().length; // earlier tests of this file may have sent
  const single = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: big });
  expect(single.status).toBe(413);
  expect(single.body).toMatchObject({ success: false, error: 'request_too_large', detail: expect.stringMatching(/limit is 262144 bytes without attachments/) });
  const batch = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey, body: { messages: [big] } });
  expect(batch.status).toBe(200);
  expect(batch.body.results).toEqual([{ index: 0, success: false, error: 'request_too_large', detail: (single.body as { detail: string }).detail }]);
  // The same message in Resend's fields (measured as the SendFleet message it becomes): the same verdict, in Resend's terms.
  const resend = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { ...resends, text: big.message } });
  expect(resend.status).toBe(413);
  expect(resend.body).toMatchObject({ statusCode: 413, message: inResendTerms((single.body as { detail: string }).detail) });
  expect(system.simulator.mailbox()).toHaveLength(delivered);
});
