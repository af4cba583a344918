/**
 * The official `resend` npm client, pointed at the relay with RESEND_BASE_URL, as a customer
 * switching from Resend would use it: a single send with cc, bcc, headers, tags and an attachment,
 * a batch, errors in Resend's shape, an idempotent retry, and the fields refused because they would
 * mean storing content.
 */
import { Resend } from 'resend';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(90_000);

let system: TestSystem;
let apiKey: string;
const ACCOUNT = '454545454545';
const client = (key = apiKey) => {
  process.env.RESEND_BASE_URL = system.relayUrl;
  return new Resend(key);
};
const sent = () => system.simulator.mailbox().filter((m) => m.account_id === ACCOUNT);

beforeAll(async () => {
  system = await startTestSystem('resend');
  ({ apiKey } = await createTenant(system, 'byoc', { sends_per_minute: 1000 }));
  await onboard(system, apiKey, { accountId: ACCOUNT, domain: 'switch.dev' });
});
afterAll(async () => {
  delete process.env.RESEND_BASE_URL;
  await system?.stop();
});
beforeEach(() => system.simulator.clearMailbox());

test('emails.send with cc, bcc, headers, tags and an attachment → { id }, landing as SES would deliver it', async () => {
  const { data, error } = await client().emails.send({
    from: 'Acme Team <hello@switch.dev>', to: ['customer@example.com'], cc: 'cc@example.com', bcc: ['audit@example.com'],
    replyTo: 'support@switch.dev', subject: 'Invoice', html: '<p>Attached.</p>', text: 'Attached.',
    headers: { 'List-Unsubscribe': '<https://switch.dev/u/1>', 'X-Entity-Ref-ID': 'inv-7' },
    tags: [{ name: 'category', value: 'invoice' }],
    attachments: [{ filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4 invoice') }],
  });
  expect(error).toBeNull();
  expect(data).toEqual({ id: expect.any(String) });
  const [mail, ...rest] = sent();
  expect(rest).toHaveLength(0);
  expect(mail).toMatchObject({
    message_id: data!.id, action: 'SendRawEmail', source: { name: 'Acme Team', address: 'hello@switch.dev' },
    to: ['customer@example.com'], cc: ['cc@example.com'], bcc: ['audit@example.com'], reply_to: ['support@switch.dev'],
    subject: 'Invoice', text: 'Attached.', html: '<p>Attached.</p>', tags: [{ name: 'category', value: 'invoice' }],
    attachments: [{ filename: 'invoice.pdf', content_type: 'application/pdf', size: 16, inline: false }],
  });
  expect(mail?.headers).toEqual(expect.arrayContaining([{ name: 'List-Unsubscribe', value: '<https://switch.dev/u/1>' }, { name: 'X-Entity-Ref-ID', value: 'inv-7' }]));
});

test('batch.send → { data: [{ id }, …] }, each message sent', async () => {
  const { data, error } = await client().batch.send([
    { from: 'hello@switch.dev', to: 'a@example.com', subject: 'One', text: '1' },
    { from: 'Acme <hello@switch.dev>', to: ['b@example.com'], subject: 'Two', html: '<p>2</p>' },
  ]);
  expect(error).toBeNull();
  expect(data).toEqual({ data: [{ id: expect.any(String) }, { id: expect.any(String) }] });
  expect(sent().map((m) => m.subject).sort()).toEqual(['One', 'Two']);
});

test('errors come back in Resend\'s shape with Resend\'s names', async () => {
  const invalid = await client().emails.send({ from: 'hello@switch.dev', to: 'not-an-address', subject: 'x', text: 'y' });
  expect(invalid.data).toBeNull();
  expect(invalid.error).toMatchObject({ statusCode: 422, name: 'validation_error', message: expect.stringMatching(/to/) });
  const wrongKey = await client('sf_' + 'x'.repeat(43)).emails.send({ from: 'hello@switch.dev', to: 'a@example.com', subject: 'x', text: 'y' });
  expect(wrongKey.error).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
  const foreign = await client().emails.send({ from: 'hello@not-mine.dev', to: 'a@example.com', subject: 'x', text: 'y' });
  expect(foreign.error).toMatchObject({ statusCode: 403, name: 'invalid_from_address' });
  // Strict batch validation: one invalid email refuses the batch, nothing is sent.
  const batch = await client().batch.send([{ from: 'hello@switch.dev', to: 'a@example.com', subject: 'ok', text: 'y' }, { from: 'hello@switch.dev', to: 'bad', subject: 'x', text: 'y' }]);
  expect(batch.error).toMatchObject({ statusCode: 422, name: 'validation_error', message: expect.stringMatching(/^Email 1: /) });
  expect(sent()).toHaveLength(0);
});

test('scheduled_at and template are refused with the reason (they would mean storing content), never ignored', async () => {
  const scheduled = await client().emails.send({ from: 'hello@switch.dev', to: 'a@example.com', subject: 'x', text: 'y', scheduledAt: 'in 1 hour' });
  expect(scheduled.error).toMatchObject({ statusCode: 422, name: 'validation_error', message: expect.stringMatching(/scheduled_at.*never stores message content/) });
  const templated = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { from: 'hello@switch.dev', to: 'a@example.com', template: { id: 't-1' } } });
  expect(templated.status).toBe(422);
  expect(templated.body).toMatchObject({ statusCode: 422, name: 'validation_error', message: expect.stringMatching(/template.*stored content/) });
  expect(sent()).toHaveLength(0);
});

test('an idempotent retry returns the same id and sends once; the same key with another email is refused', async () => {
  const key = `resend-${Date.now()}`;
  const email = { from: 'hello@switch.dev', to: 'a@example.com', subject: 'Once', text: 'only once' };
  const first = await client().emails.send(email, { idempotencyKey: key });
  const retry = await client().emails.send(email, { idempotencyKey: key });
  expect(first.data?.id).toEqual(expect.any(String));
  expect(retry.data).toEqual(first.data);
  expect(sent()).toHaveLength(1);
  const other = await client().emails.send({ ...email, subject: 'Other' }, { idempotencyKey: key });
  expect(other.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
  expect(sent()).toHaveLength(1);
});

test('no Bearer token → 403 in Resend\'s shape, naming the header to use', async () => {
  const response = await call(system.relayUrl, 'POST', '/emails', { body: { from: 'hello@switch.dev', to: 'a@example.com', subject: 'x', text: 'y' } });
  expect(response.status).toBe(403);
  expect(response.body).toMatchObject({ statusCode: 403, name: 'invalid_api_key', message: expect.stringMatching(/Authorization: Bearer/) });
});

test('the body limits of /api/send hold on /emails: over 256 KB without attachments is refused', async () => {
  const response = await call(system.relayUrl, 'POST', '/emails', { headers: { authorization: `Bearer ${apiKey}` }, body: { from: 'hello@switch.dev', to: 'a@example.com', subject: 'x', text: 'y'.repeat(300 * 1024) } });
  expect(response.status).toBe(413);
  expect(response.body).toMatchObject({ statusCode: 413, name: 'request_too_large', message: expect.stringMatching(/limit is 262144 bytes without attachments/) });
  expect(sent()).toHaveLength(0);
});

describe('every Resend path answers in Resend\'s shape, in the caller\'s terms', () => {
  test('emails.get of an unknown id and domains.list: a readable not_found saying why and what to use instead', async () => {
    const got = await client().emails.get('4ef9a417-02e9-4d39-ad75-9611e0fcc33c');
    expect(got.data).toBeNull();
    expect(got.error).toMatchObject({ name: 'not_found', message: expect.stringMatching(/No delivery event of yours has message id 4ef9a417-02e9-4d39-ad75-9611e0fcc33c/) });
    const domains = await client().domains.list();
    expect(domains.error).toMatchObject({ name: 'not_found', message: expect.stringMatching(/\/api\/byoc\/domains/) });
    // written for a Resend caller about SendFleet's own API: its X-API-Key stays X-API-Key
    expect(domains.error?.message).toMatch(/with your key in X-API-Key/);
    // the key is checked first, as on a send
    expect((await client(`sf_${'x'.repeat(43)}`).domains.list()).error).toMatchObject({ name: 'invalid_api_key' });
  });

  test('a base URL ending in / (as the stack prints it) works: //emails is /emails', async () => {
    process.env.RESEND_BASE_URL = `${system.relayUrl}/`;
    const { data, error } = await new Resend(apiKey).emails.send({ from: 'hello@switch.dev', to: 'a@example.com', subject: 'Slash', text: 'Hi' });
    expect(error).toBeNull();
    expect(data).toEqual({ id: expect.any(String) });
    expect(sent().map((m) => m.subject)).toEqual(['Slash']);
  });

  test('the edge\'s refusals, a wrong method and a missing key are Resend-shaped and name from, text and Authorization', async () => {
    const post = (path: string, init: { body?: string; headers?: Record<string, string>; method?: string } = {}) =>
      fetch(system.relayUrl + path, { method: init.method ?? 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...init.headers }, body: init.body });
    const invalidJson = await post('/emails', { body: '{"from": ' });
    expect(invalidJson.status).toBe(422);
    expect(await invalidJson.json()).toEqual({ statusCode: 422, name: 'validation_error', message: expect.stringMatching(/not valid JSON/) });
    const wrongMethod = await post('/emails/batch', { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ statusCode: 405, name: 'method_not_allowed' });
    const badFrom = await (await post('/emails', { body: JSON.stringify({ from: 'not an address', to: 'a@example.com', subject: 'x', text: 'y' }) })).json() as { message: string };
    expect(badFrom.message).toMatch(/\bfrom\b/);
    expect(badFrom.message).not.toMatch(/from_email/);
    const noText = await (await post('/emails', { body: JSON.stringify({ from: 'hello@switch.dev', to: 'a@example.com', subject: 'x' }) })).json() as { message: string };
    expect(noText.message).not.toMatch(/\bmessage\b/);
    const wrongKey = await (await post('/emails', { headers: { authorization: `Bearer sf_${'y'.repeat(43)}` }, body: JSON.stringify({ from: 'hello@switch.dev', to: 'a@example.com', subject: 'x', text: 'y' }) })).json() as { message: string };
    expect(wrongKey.message).toMatch(/Authorization/);
    expect(wrongKey.message).not.toMatch(/X-API-Key/);
    expect(sent()).toEqual([]);
  });
});
