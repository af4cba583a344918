/**
 * Richer messages end to end: cc/bcc, allow-listed headers, SES tags and attachments, through the
 * real HTTP server and SDK clients into the simulator, which parses raw messages with mailparser.
 */
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';
import { EDGE_DETAILS } from '../../lambdas/shared/errors';

let system: TestSystem;
let byoc: { tenantId: string; apiKey: string };
const ACCOUNT = '373737373737';

const message = (overrides: Record<string, unknown> = {}) => ({
  to: 'customer@example.com', from_email: 'hello@acme.com', from_name: 'Acme', subject: 'Welcome!', message: 'Thanks for joining Acme.', ...overrides,
});
const send = (body: unknown, headers: Record<string, string> = {}) => call(system.relayUrl, 'POST', '/api/send', { apiKey: byoc.apiKey, body, headers });
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const sesCalls = () => Object.fromEntries(Object.entries(system.simulator.calls()).filter(([k]) => /Send/.test(k)));

beforeAll(async () => {
  system = await startTestSystem('sendrich');
  byoc = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  await onboard(system, byoc.apiKey, { accountId: ACCOUNT, domain: 'acme.com' });
});
afterAll(() => system?.stop());
beforeEach(() => {
  system.simulator.clearMailbox();
  system.simulator.resetCalls?.();
});

describe('SendEmail path (no headers, no attachments)', () => {
  test('cc, bcc and tags go out through SendEmail', async () => {
    const before = sesCalls();
    const response = await send(message({ cc: ['cc@example.com'], bcc: 'audit@example.com', tags: [{ name: 'campaign', value: 'spring-2026' }] }));
    expect(response.status).toBe(200);
    const [mail] = system.simulator.mailbox();
    expect(mail).toMatchObject({ action: 'SendEmail', to: ['customer@example.com'], cc: ['cc@example.com'], bcc: ['audit@example.com'], tags: [{ name: 'campaign', value: 'spring-2026' }] });
    expect(mail?.raw).toBeUndefined();
    expect(sesCalls()).not.toEqual(before);
  });

  test('To + Cc + Bcc: 50 distinct pass (a duplicate counts once), 51 distinct → 400', async () => {
    const to = Array.from({ length: 30 }, (_, i) => `to${i}@example.com`);
    const cc = Array.from({ length: 20 }, (_, i) => `cc${i}@example.com`);
    expect((await send(message({ to, cc, bcc: [to[0]] }))).status).toBe(200);
    const refused = await send(message({ to, cc, bcc: ['one-more@example.com'] }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_request', issues: [{ path: 'to', message: expect.stringMatching(/51 distinct recipients/) }] });
  });
});

describe('SendRawEmail path (headers or attachments)', () => {
  test('headers, an attachment with a non-ASCII name and an inline image: built as MIME, parsed back intact', async () => {
    const pdf = Buffer.from('%PDF-1.4 fake');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const response = await send(message({
      cc: 'cc@example.com', bcc: 'audit@example.com', html: '<p>Hi <img src="cid:logo@acme"></p>',
      headers: { 'List-Unsubscribe': '<https://acme.com/u/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Campaign': 'c-42', 'In-Reply-To': '<m1@acme.com>' },
      tags: [{ name: 'campaign', value: 'c-42' }],
      attachments: [
        { filename: 'Rechnung März.pdf', content: b64(pdf), content_type: 'application/pdf' },
        { filename: 'logo.png', content: b64(png), content_type: 'image/png', content_id: 'logo@acme' },
      ],
    }));
    expect(response.status).toBe(200);
    const [mail] = system.simulator.mailbox();
    expect(mail).toMatchObject({
      action: 'SendRawEmail', message_id: response.body.message_id, source: { name: 'Acme', address: 'hello@acme.com' },
      to: ['customer@example.com'], cc: ['cc@example.com'], bcc: ['audit@example.com'], subject: 'Welcome!',
      text: 'Thanks for joining Acme.', html: '<p>Hi <img src="cid:logo@acme"></p>', tags: [{ name: 'campaign', value: 'c-42' }],
    });
    expect(mail?.attachments).toHaveLength(2);
    expect(mail?.attachments).toEqual(expect.arrayContaining([
      { filename: 'logo.png', content_type: 'image/png', size: png.length, content_id: 'logo@acme', inline: true },
      { filename: 'Rechnung März.pdf', content_type: 'application/pdf', size: pdf.length, inline: false },
    ]));
    expect(mail?.headers).toEqual(expect.arrayContaining([
      { name: 'List-Unsubscribe', value: '<https://acme.com/u/1>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      { name: 'X-Campaign', value: 'c-42' },
      { name: 'In-Reply-To', value: '<m1@acme.com>' },
    ]));
    // Bcc travels in the envelope only, never as a header anyone receives.
    expect(mail?.raw).not.toMatch(/^bcc:/im);
    expect(mail?.raw).not.toContain('audit@example.com');
    // RFC 2231 for the non-ASCII file name.
    expect(mail?.raw).toContain("filename*0*=utf-8''Rechnung%20M%C3%A4rz.pdf");
  });

  test('a header alone is enough to take the raw path', async () => {
    expect((await send(message({ headers: { 'X-Entity-Ref-ID': 'abc' } }))).status).toBe(200);
    expect(system.simulator.mailbox()[0]).toMatchObject({ action: 'SendRawEmail', headers: [{ name: 'X-Entity-Ref-ID', value: 'abc' }] });
  });

  test('a body over 256 KB is accepted when it carries attachments, up to 5 MB', async () => {
    const big = b64(Buffer.alloc(1024 * 1024, 7));
    const response = await send(message({ attachments: [{ filename: 'data.bin', content: big }] }));
    expect(response.status).toBe(200);
    expect(system.simulator.mailbox()[0]?.attachments?.[0]).toMatchObject({ filename: 'data.bin', size: 1024 * 1024 });
    const tooBig = await send(message({ attachments: [{ filename: 'data.bin', content: b64(Buffer.alloc(3_950_000, 7)) }] })); // ~5.27 MB: the function's own 413
    expect(tooBig).toMatchObject({ status: 413, body: { error: 'request_too_large' } });
    expect(tooBig.body.detail).toMatch(/limit is 5242880 bytes/);
  });

  test('a body between what the function takes and Lambda\'s 6 MB is refused at the edge (413 request_too_large), in the route\'s shape, as the WAF does in AWS', async () => {
    const over = message({ attachments: [{ filename: 'data.bin', content: b64(Buffer.alloc(4_200_000, 7)) }] }); // ~5.6 MB of JSON
    const refused = await send(over);
    expect(refused).toMatchObject({ status: 413, body: { success: false, error: 'request_too_large', detail: EDGE_DETAILS.request_too_large } });
    const resend = await fetch(`${system.relayUrl}/emails`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sf_x' }, body: JSON.stringify(over) });
    expect(resend.status).toBe(413);
    expect(await resend.json()).toEqual({ statusCode: 413, name: 'request_too_large', message: EDGE_DETAILS.request_too_large });
    expect(system.simulator.mailbox()).toEqual([]);
  });
});

describe('over 10 MB, past API Gateway\'s own limit, locally', () => {
  test('the same 413 request_too_large as any body over the edge limit, in the route\'s shape (never invalid_request)', async () => {
    const body = JSON.stringify(message({ attachments: [{ filename: 'data.bin', content: 'A'.repeat(10_600_000) }] }));
    const ours = await fetch(`${system.relayUrl}/api/send`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': byoc.apiKey }, body });
    expect(ours.status).toBe(413);
    expect(await ours.json()).toEqual({ success: false, error: 'request_too_large', detail: EDGE_DETAILS.request_too_large });
    const resend = await fetch(`${system.relayUrl}/emails`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sf_x' }, body });
    expect(resend.status).toBe(413);
    expect(await resend.json()).toEqual({ statusCode: 413, name: 'request_too_large', message: EDGE_DETAILS.request_too_large });
    expect(system.simulator.mailbox()).toEqual([]);
  });
});

describe('the size SES measures (the MIME after base64), checked before anything is counted', () => {
  test('a 2.6 MB body of = signs (about 8 MB of quoted-printable, over 10 MB in base64) → 413 request_too_large; SES is never called', async () => {
    const before = sesCalls();
    const response = await send(message({ message: `Hello${'='.repeat(2_600_000)}`, attachments: [{ filename: 'a.txt', content: b64('x') }] }), { 'Idempotency-Key': 'too-large-1' });
    expect(response).toMatchObject({ status: 413, body: { success: false, error: 'request_too_large', detail: expect.stringMatching(/as Amazon SES measures it .* at most 10485760 bytes/) } });
    // Refused before authentication: no rate window counted, so no rate headers.
    expect(response.headers.get('ratelimit')).toBeNull();
    expect(sesCalls()).toEqual(before);
    expect(system.simulator.mailbox()).toEqual([]);
    // The key was never claimed: the same key with a message that fits is sent.
    expect((await send(message({ attachments: [{ filename: 'a.txt', content: b64('x') }] }), { 'Idempotency-Key': 'too-large-1' })).status).toBe(200);
  });
});

describe('400 for parts SES or the allow-list refuses, before anything is sent', () => {
  const attachment = (overrides: Record<string, unknown>) => ({ attachments: [{ filename: 'a.pdf', content: b64('x'), ...overrides }] });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a structural header (Bcc)', { headers: { Bcc: 'x@evil.example' } }, /not an allowed header/],
    ['a structural header (Content-Type)', { headers: { 'Content-Type': 'text/plain' } }, /not an allowed header/],
    ['DKIM-Signature', { headers: { 'DKIM-Signature': 'v=1' } }, /not an allowed header/],
    ['an X-SES- header', { headers: { 'X-SES-CONFIGURATION-SET': 'other' } }, /X-SES-\* headers/],
    ['CR/LF in a header value', { headers: { 'X-Ref': 'a\r\nBcc: x@evil.example' } }, /single line/],
    ['CR/LF in a header name', { headers: { 'X-Ref\r\nBcc': 'x' } }, /CR or LF/],
    ['the same header twice in other case', { headers: { 'X-Ref': 'a', 'x-ref': 'b' } }, /twice/],
    ['a tag with a space', { tags: [{ name: 'campaign', value: 'spring sale' }] }, /SES's rule for message tags/],
    ['a tag named twice', { tags: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] }, /twice/],
    ['51 tags', { tags: Array.from({ length: 51 }, (_, i) => ({ name: `t${i}`, value: 'v' })) }, /at most 50 tags/],
    ['an .exe attachment', attachment({ filename: 'setup.exe' }), /\.exe, a file type Amazon SES refuses/],
    ['a .JS attachment in upper case', attachment({ filename: 'x.JS' }), /\.js, a file type/],
    ['a trailing dot after a blocked extension', attachment({ filename: 'setup.exe.' }), /end with a space or a dot/],
    ['a path in a file name', attachment({ filename: '../etc/passwd.txt' }), /without a path/],
    ['CR/LF in a file name', attachment({ filename: 'a\r\nContent-Type: text/html.pdf' }), /single line/],
    ['content that is not base64', attachment({ content: 'not base64!' }), /standard base64/],
    ['base64 with a line break', attachment({ content: 'eHh4\neHh4' }), /standard base64/],
    ['a content type with parameters', attachment({ content_type: 'text/html; charset=x' }), /media type/],
    ['a content id with angle brackets', attachment({ content_id: '<logo>' }), /angle brackets/],
    ['In-Reply-To with a second header after a comma', { headers: { 'In-Reply-To': '<a@x>, Bcc: e@evil.example' } }, /message ids like <id@example.com>/],
    ['References with non-ASCII', { headers: { References: '<m1@acme.com> <jürgen@example.com>' } }, /ASCII only/],
    ['a message/rfc822 attachment (an .exe inside it would pass the file-type check)', attachment({ filename: 'fwd.txt', content_type: 'message/rfc822', content: b64('Content-Type: application/octet-stream; name=setup.exe\r\n\r\nMZ') }), /must not be a multipart\/\* or message\/\* type/],
    ['a multipart/mixed attachment', attachment({ filename: 'a.bin', content_type: 'multipart/mixed' }), /must not be a multipart\/\* or message\/\* type/],
    ['an .eml attachment without content_type', attachment({ filename: 'fwd.eml' }), /extension gives a message\/\* or multipart\/\* type/],
  ];
  test.each(cases)('%s', async (_name, overrides, detail) => {
    const response = await send(message(overrides));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'invalid_request' });
    expect(JSON.stringify(response.body.issues)).toMatch(detail);
    expect(system.simulator.mailbox()).toHaveLength(0);
  });
});

describe('idempotency covers the new fields', () => {
  test.each([
    ['cc', { cc: 'other@example.com' }],
    ['bcc', { bcc: 'other@example.com' }],
    ['a header value', { headers: { 'X-Ref': 'b' } }],
    ['a tag', { tags: [{ name: 't', value: 'b' }] }],
    ['an attachment', { attachments: [{ filename: 'a.txt', content: b64('b') }] }],
  ])('the same key with another %s → 422 idempotency_key_reused', async (_name, changed) => {
    const key = `rich-${_name}-${Date.now()}`;
    const first = await send(message({ headers: { 'X-Ref': 'a' } }), { 'idempotency-key': key });
    expect(first.status).toBe(200);
    const again = await send(message({ headers: { 'X-Ref': 'a' } }), { 'idempotency-key': key });
    expect(again.body.message_id).toBe(first.body.message_id);
    const other = await send(message({ headers: { 'X-Ref': 'a' }, ...changed }), { 'idempotency-key': key });
    expect([other.status, other.body.error]).toEqual([422, 'idempotency_key_reused']);
    expect(system.simulator.mailbox()).toHaveLength(1);
  });
});
