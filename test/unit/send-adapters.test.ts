/**
 * The send routes as adapters, on a fake pipeline and a fake key check: what each route reads
 * (and in which order), the command it builds, and how it presents the pipeline's outcome in its
 * API's shape (ours for /api/send and /api/send/batch, Resend's for /emails and /emails/batch).
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Principal } from '../../lambdas/relay/auth/authenticator';
import { sendApi } from '../../lambdas/relay/send/http/send-routes';
import * as prepared from '../../lambdas/relay/send/message/prepared';
import { accepted, rateLimited, refused, usageLimitExceeded } from '../../lambdas/relay/send/outcomes';
import type { SendCommand, SendOutcome } from '../../lambdas/relay/send/pipeline';
import { ApiError } from '../../lambdas/shared/errors';
import { refusal } from '../../lambdas/shared/refusal';
import { VirtualClock } from '../../local/virtual-clock';

const KEY = `sf_${'k'.repeat(43)}`;
const principal = { tenantId: 'ten_a', keyId: 'key_a', keyExpiresAt: null, profile: { plan: 'byoc', status: 'active', sends_per_minute: 60, monthly_sends: null } } as unknown as Principal;
const window = { count: 3, limit: 60, allowed: true, resetInSeconds: 42 };

let commands: SendCommand[];
let answer: (command: SendCommand) => SendOutcome;
let checkedKeys: string[];
const clock = new VirtualClock({ start: Date.parse('2026-12-04T10:00:00Z') });
const api = sendApi({
  authenticator: {
    authenticate: async (headers) => {
      checkedKeys.push(headers['x-api-key'] ?? '');
      if (headers['x-api-key'] !== KEY) throw new ApiError('invalid_api_key', 'The API key is not valid. Check the X-API-Key header.');
      return principal;
    },
  },
  send: async (command) => {
    commands.push(command);
    return answer(command);
  },
  clock,
});

beforeEach(() => {
  commands = [];
  checkedKeys = [];
  answer = (command) => ({ kind: 'done', replayed: false, rate: window, messages: command.items.map((item) => accepted(item.index, `id-${item.index}`)) });
});

const post = async (resource: string, body: unknown, headers: Record<string, string> = {}) => {
  const event = {
    httpMethod: 'POST', resource, path: resource, headers, body: JSON.stringify(body), isBase64Encoded: false,
    pathParameters: null, queryStringParameters: null, multiValueHeaders: {}, multiValueQueryStringParameters: null,
    stageVariables: null, requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
  const result = await api(event, { awsRequestId: 'req-1' } as Context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
};

const message = (i = 0) => ({ to: `r${i}@example.com`, from_email: 'hello@acme.com', subject: `S${i}`, message: 'Body' });
const email = (i = 0) => ({ to: `r${i}@example.com`, from: 'Acme <hello@acme.com>', subject: `S${i}`, text: 'Body' });

describe('POST /api/send', () => {
  test('one message in the command, hashed key and request, the arrival time; accepted in our shape with the window', async () => {
    const response = await post('/api/send', message(), { 'x-api-key': KEY, 'idempotency-key': 'abc' });
    expect(response).toMatchObject({ status: 200, body: { success: true, message_id: 'id-0', mode: 'byoc' } });
    expect(response.headers).toMatchObject({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '57' });
    expect(commands).toHaveLength(1);
    const [command] = commands;
    expect(command!.items).toHaveLength(1);
    expect(command!.items[0]).toMatchObject({ index: 0, request: { fromDomain: 'acme.com' }, message: { request: { fromDomain: 'acme.com' } } });
    expect(command!.idempotency).toEqual({ keyHash: expect.stringMatching(/^[0-9a-f]{64}$/), requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(command!.receivedAt).toBe(clock.now());
  });

  test('a message refusal is the answer: status from our table, Retry-After from the refusal, replay said', async () => {
    answer = () => ({ kind: 'done', replayed: true, rate: window, messages: [refused(0, refusal('ses_throttled', 'Slow down.', { retryAfterSeconds: 7 }))] });
    const response = await post('/api/send', message(), { 'x-api-key': KEY });
    expect(response).toMatchObject({ status: 429, body: { success: false, error: 'ses_throttled', detail: 'Slow down.' } });
    expect(response.headers).toMatchObject({ 'retry-after': '7', 'idempotent-replayed': 'true', 'x-ratelimit-remaining': '57' });
  });

  test('a request refusal too (the window is full)', async () => {
    const full = { count: 61, limit: 60, allowed: false, resetInSeconds: 12 };
    answer = () => ({ kind: 'refused', replayed: false, rate: full, refusal: rateLimited(full) });
    const response = await post('/api/send', message(), { 'x-api-key': KEY });
    expect(response).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(response.headers).toMatchObject({ 'retry-after': '12', 'x-ratelimit-remaining': '0' });
  });

  test('validated before the key is checked, as the contract orders a single send', async () => {
    const response = await post('/api/send', { ...message(), to: 'nope' }, { 'x-api-key': 'sf_bogus' });
    expect(response.status).toBe(400);
    expect(checkedKeys).toEqual([]);
    expect(commands).toEqual([]);
  });

  test('the MIME is built only for a valid key: a bogus key with a valid attachment body is 401 before prepareMessage runs', async () => {
    const prepare = jest.spyOn(prepared, 'prepareMessage');
    try {
      const body = { ...message(), attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4').toString('base64') }] };
      const response = await post('/api/send', body, { 'x-api-key': 'sf_bogus' });
      expect(response.status).toBe(401);
      expect(prepare).not.toHaveBeenCalled();
      expect((await post('/api/send', body, { 'x-api-key': KEY })).status).toBe(200);
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });
});

describe('POST /api/send/batch', () => {
  test('the key is checked before the body is validated', async () => {
    const response = await post('/api/send/batch', { messages: 'not a list' }, { 'x-api-key': 'sf_bogus' });
    expect(response).toMatchObject({ status: 401, body: { error: 'invalid_api_key' } });
    expect(commands).toEqual([]);
  });

  test('each message validated on its own: a bad one goes in as its refusal; results in our shape', async () => {
    answer = (command) => ({ kind: 'done', replayed: false, rate: window, messages: command.items.map((item) => ('refusal' in item ? refused(item.index, item.refusal) : item.index === 2 ? refused(2, usageLimitExceeded(50)) : accepted(item.index, `id-${item.index}`))) });
    const response = await post('/api/send/batch', { messages: [message(0), { ...message(1), to: 'nope' }, message(2)] }, { 'x-api-key': KEY });
    expect(commands[0]!.items.map((item) => ('refusal' in item ? item.refusal.code : 'ok'))).toEqual(['ok', 'invalid_request', 'ok']);
    expect(response).toMatchObject({ status: 200, body: { success: true, results: [
      { index: 0, success: true, message_id: 'id-0' },
      { index: 1, success: false, error: 'invalid_request', detail: expect.stringMatching(/to/) },
      { index: 2, success: false, error: 'usage_limit_exceeded', detail: expect.stringMatching(/50 sends/) },
    ] } });
  });

  test('a malformed batch is a 400 as a whole, nothing sent', async () => {
    const response = await post('/api/send/batch', { messages: [] }, { 'x-api-key': KEY });
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(commands).toEqual([]);
  });
});

describe('POST /emails and /emails/batch (Resend\'s shape)', () => {
  const bearer = { authorization: `Bearer ${KEY}` };

  test('the Bearer key is checked first; accepted is { id }', async () => {
    const refusedKey = await post('/emails', { bad: true }, { authorization: 'Bearer sf_bogus' });
    expect(refusedKey).toMatchObject({ status: 403, body: { name: 'invalid_api_key' } });
    const response = await post('/emails', email(), bearer);
    expect(response).toMatchObject({ status: 200, body: { id: 'id-0' } });
    expect(commands[0]!.items[0]).toMatchObject({ request: { fromEmail: 'hello@acme.com', fromName: 'Acme', text: 'Body' } });
  });

  test('a refusal in Resend\'s shape, status and name from its table, our words in its terms', async () => {
    answer = () => ({ kind: 'done', replayed: false, rate: window, messages: [refused(0, refusal('domain_not_registered', 'The from_email domain acme.com is not one of your sending domains.'))] });
    const response = await post('/emails', email(), bearer);
    expect(response).toMatchObject({ status: 403, body: { statusCode: 403, name: 'invalid_from_address', message: 'The from domain acme.com is not one of your sending domains.' } });
  });

  test('from with two mailboxes is refused with 422 saying one sender', async () => {
    const response = await post('/emails', { ...email(), from: 'CEO <ceo@bank.example>, Acme <hi@acme.com>' }, bearer);
    expect(response).toMatchObject({ status: 422, body: { name: 'validation_error', message: expect.stringMatching(/more than one mailbox/) } });
    expect(commands).toEqual([]);
  });

  test('batch: key first (403, never 422), strict validation, sent ids in data and later refusals in errors', async () => {
    expect(await post('/emails/batch', [{ nonsense: 1 }], { authorization: 'Bearer sf_bogus' })).toMatchObject({ status: 403 });
    expect(await post('/emails/batch', [email(0), { ...email(1), to: 'nope' }], bearer)).toMatchObject({ status: 422, body: { message: expect.stringMatching(/^Email 1: /) } });
    expect(commands).toEqual([]);
    answer = (command) => ({ kind: 'done', replayed: false, rate: window, messages: command.items.map((item) => (item.index === 1 ? refused(1, usageLimitExceeded(50)) : accepted(item.index, `id-${item.index}`))) });
    const response = await post('/emails/batch', [email(0), email(1)], bearer);
    expect(response).toMatchObject({ status: 200, body: { data: [{ id: 'id-0' }], errors: [{ index: 1, message: expect.stringMatching(/^usage_limit_exceeded: /) }] } });
  });
});
