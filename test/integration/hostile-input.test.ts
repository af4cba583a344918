/**
 * Hostile input through the real HTTP servers: addresses that URL parsing used to rewrite, header
 * text that a mail client would decode or display differently, bytes that are not UTF-8, and
 * fields of the wrong type. Each is refused with 400 naming the field, and nothing is sent.
 */
import { checkAgainstContract, isCustomerApi } from '../support/contract';
import { call, createTenant, onboard, startTestSystem, type JsonResponse, type TestSystem } from '../support/system';

let system: TestSystem;
let byoc: { tenantId: string; apiKey: string };

const message = (overrides: Record<string, unknown> = {}) => ({
  to: 'customer@example.com', from_email: 'hello@acme.com', from_name: 'Acme', subject: 'Welcome!', message: 'Thanks for joining Acme.', ...overrides,
});
const send = (body: unknown) => call(system.relayUrl, 'POST', '/api/send/', { apiKey: byoc.apiKey, body });
const paths = (response: JsonResponse) => (response.body.issues as Array<{ path: string }> | undefined)?.map((i) => i.path.split('.')[0]) ?? [];

/** Raw bytes as the body, as a client with a broken encoder would send them. */
async function sendBytes(url: string, bytes: Buffer, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: bytes });
  const text = await response.text();
  const { origin, pathname } = new URL(url);
  if (isCustomerApi(origin)) checkAgainstContract({ method: 'POST', path: pathname, status: response.status, headers: response.headers, text });
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  system = await startTestSystem('hostile');
  byoc = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  await onboard(system, byoc.apiKey, { accountId: '720000000001', domain: 'acme.com' });
});
afterAll(() => system?.stop());
beforeEach(() => system.simulator.clearMailbox());

test('the valid message these cases start from is sent (so every refusal below is the field\'s)', async () => {
  expect((await send(message())).status).toBe(200);
  expect(system.simulator.mailbox()).toHaveLength(1);
});

describe('an address is refused, never rewritten', () => {
  test.each([
    ['to', 'bob@evil.example#.victim-corp.com'],
    ['to', 'bob@evil.example/x'],
    ['to', 'bob@evil.example?x'],
    ['to', 'bob@ev%69l.example'],
    ['to', 'bob@evil.ex\tample'],
    ['to', 'bob@evil.ex\r\nample'],
    ['to', ['ok@example.com', 'bob@evil.example\r\n']],
    ['to', 'Bob <bob@example.com>'],
    ['to', '"bob smith"@example.com'],
    ['to', 'bob@[192.0.2.1]'],
    ['reply_to', 'bob@evil.example#.victim-corp.com'],
    ['from_email', 'hi@acme.com#x'],
    ['from_email', 'hi@acme.com/x'],
    ['from_email', 'Acme <hi@acme.com>'],
  ])('%s = %j → 400 naming the field, nothing sent', async (field, value) => {
    const response = await send(message({ [field]: value }));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.stringContaining(field) });
    expect(paths(response)).toEqual([field]);
    expect(JSON.stringify(response.body)).not.toMatch(/evil|victim|bob/);
    expect(system.simulator.mailbox()).toHaveLength(0);
  });
});

describe('headers stay headers', () => {
  test.each([
    ['an RFC 2047 word that decodes to CR/LF', '=?UTF-8?B?QWNtZQ0KQmNjOiBldmlsQGV2aWwuY29t?='],
    ['a Q-encoded word', '=?utf-8?q?Acme=0D=0ABcc:_evil@evil.com?='],
    ['a right-to-left override', 'Acme \u202Egnp.exe'],
    ['a pop directional isolate', 'Acme\u2069'],
    ['a zero-width space', 'Ac\u200Bme'],
    ['a byte-order mark', '\uFEFFAcme'],
  ])('%s in from_name or subject → 400, nothing sent', async (_name, value) => {
    for (const field of ['from_name', 'subject']) {
      const response = await send(message({ [field]: value }));
      expect(response.status).toBe(400);
      expect(paths(response)).toEqual([field]);
    }
    expect(system.simulator.mailbox()).toHaveLength(0);
  });

  test('the detail says why encoded words are refused', async () => {
    const response = await send(message({ subject: '=?UTF-8?B?SGk=?=' }));
    expect(response.body.detail).toMatch(/RFC 2047 encoded-word.*plain Unicode/);
  });
});

describe('invalid UTF-8 is refused, not replaced and sent', () => {
  const bodyWith = (field: string, bytes: number[]) => {
    const [before, after] = JSON.stringify(message({ [field]: 'caf@@@' })).split('@@@') as [string, string];
    return Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from(bytes), Buffer.from(after, 'utf8')]);
  };

  test.each([
    ['subject', [0xff]],
    ['from_name', [0xc3]],
    ['message', [0xed, 0xa0, 0x80]],
    ['html', [0xc0, 0xaf]],
  ])('raw bytes that are not UTF-8 in %s → 400, nothing sent', async (field, bytes) => {
    const response = await sendBytes(`${system.relayUrl}/api/send`, bodyWith(field, bytes), { 'x-api-key': byoc.apiKey });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', detail: expect.stringMatching(/UTF-8/) });
    expect(system.simulator.mailbox()).toHaveLength(0);
  });

  test('a tenant name with bytes that are not UTF-8 → 400', async () => {
    const bytes = Buffer.concat([Buffer.from('{"plan":"byoc","name":"Ac'), Buffer.from([0xfe]), Buffer.from('me"}')]);
    const response = await sendBytes(`${system.platformUrl}/admin/tenants`, bytes);
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request', detail: expect.stringMatching(/UTF-8/) } });
  });
});

describe('the admin API\'s tenant name follows the header rules', () => {
  test.each([
    ['CR/LF', 'Acme\r\nX-Evil: 1'],
    ['an RFC 2047 word', '=?UTF-8?B?QWNtZQ==?='],
    ['a right-to-left override', 'Acme \u202Eevil'],
    ['a zero-width joiner', 'Ac\u200Dme'],
  ])('%s → 400 on create and on update', async (_name, name) => {
    const created = await call(system.platformUrl, 'POST', '/admin/tenants', { body: { plan: 'byoc', name } });
    expect(created.status).toBe(400);
    expect(paths(created)).toEqual(['name']);
    const updated = await call(system.platformUrl, 'PATCH', `/admin/tenants/${byoc.tenantId}`, { body: { name } });
    expect(updated.status).toBe(400);
    expect(paths(updated)).toEqual(['name']);
  });

  test('a plain Unicode name is kept', async () => {
    const created = await call(system.platformUrl, 'POST', '/admin/tenants', { body: { plan: 'byoc', name: 'Zoë & Co. 日本' } });
    expect(created).toMatchObject({ status: 201, body: { tenant: { name: 'Zoë & Co. 日本' } } });
  });
});

describe('a wrong type is reported as a wrong type on every route', () => {
  test.each([
    ['send', 'subject must be a string', () => send(message({ subject: 123 }))],
    ['send', 'from_name must be a string', () => send(message({ from_name: false }))],
    ['send', 'to must be an email address, or an array', () => send(message({ to: 42 }))],
    ['config', 'role_arn must be a string', () => call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey: byoc.apiKey, body: { role_arn: 123, region: 'eu-west-1' } })],
    ['domains', 'domain must be a string', () => call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey: byoc.apiKey, body: { domain: ['acme.com'] } })],
    ['admin', 'name must be a string', () => call(system.platformUrl, 'POST', '/admin/tenants', { body: { plan: 'byoc', name: 5 } })],
    ['admin', 'sends_per_minute must be a number', () => call(system.platformUrl, 'PATCH', `/admin/tenants/${byoc.tenantId}`, { body: { sends_per_minute: '60' } })],
  ])('%s: %s', async (_route, detail, request) => {
    const response = await request();
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain(detail);
    expect(response.body.detail).not.toMatch(/is required/);
  });

  test('a missing field is still "required"', async () => {
    const { subject: _omitted, ...withoutSubject } = message();
    expect((await send(withoutSubject)).body.detail).toContain('subject is required');
  });
});
