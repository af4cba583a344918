/**
 * Signed webhooks end to end in local mode: the endpoint API (lifecycle, bad input, the URL guard)
 * and deliveries through the in-process outbox on the virtual clock to a receiver on 127.0.0.1 —
 * signed per Standard Webhooks (verified with the standardwebhooks package), retried on Svix's
 * schedule with the same webhook-id, given up after the schedule, unsubscribed types skipped.
 * Time is virtual: a day of retries takes no wall-clock time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import type { WebhookNotification } from '../../lambdas/relay/webhooks/outbox';
import { RELAY_LOCAL_CREDENTIALS } from '../../local/local-identity';
import { capturedLogLines } from '../support/captured-logs';
import { call, createTenant, type TestSystem } from '../support/system';
import type { Receiver, Received } from '../support/webhook-receiver';
import { webhookSuite } from '../support/webhook-suite';

jest.setTimeout(120_000);

const logLines = capturedLogLines();
const suite = webhookSuite('webhooks');
let system: TestSystem;
let receiver: Receiver;
beforeAll(() => { ({ system, receiver } = suite); });
const secretsSeen: string[] = [];

const webhooks = (apiKey: string | undefined, method: 'GET' | 'PUT' | 'DELETE', body?: unknown) =>
  call(system.relayUrl, method, '/api/webhooks', { ...(apiKey ? { apiKey } : {}), ...(body === undefined ? {} : { body }) });

let sequence = 0;
const notification = (type: WebhookNotification['type'] = 'email.delivered'): WebhookNotification => ({
  id: `msg_test-${++sequence}`,
  type,
  created_at: new Date(system.clock.now()).toISOString(),
  data: { email_id: `0100-${sequence}`, from: 'billing@webhooks.dev', to: ['canary-recipient@example.org'] },
});

/** A tenant with an endpoint on the receiver; returns its key and secret. */
async function tenantWithEndpoint(events: string[] = ['email.delivered', 'email.bounced']) {
  const tenant = await createTenant(system, 'byoc');
  const saved = await webhooks(tenant.apiKey, 'PUT', { url: receiver.url, events });
  expect(saved.status).toBe(200);
  secretsSeen.push(saved.body.signing_secret as string);
  return { ...tenant, secret: saved.body.signing_secret as string };
}

/** Checks a received request's signature with the package (its own timestamp, so virtual time is no matter). */
function expectSigned(secret: string, request: Received): void {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  expect(Number(timestamp)).toBe(Math.floor(request.at / 1000));
  expect(request.headers['webhook-signature']).toBe(new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), request.body));
}

describe('the endpoint API', () => {
  test('lifecycle: none, created with its secret once, updated keeping it, deleted, created anew with a new secret', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    expect((await webhooks(apiKey, 'GET')).body).toEqual({ success: true, webhook: null });

    const created = await webhooks(apiKey, 'PUT', { url: receiver.url, events: ['email.bounced'] });
    expect(created.status).toBe(200);
    const secret = created.body.signing_secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const webhook = created.body.webhook as Record<string, unknown>;
    expect(webhook).toEqual({ url: receiver.url, events: ['email.bounced'], created_at: expect.any(String), updated_at: webhook.created_at });

    const read = await webhooks(apiKey, 'GET');
    expect(read.body).toEqual({ success: true, webhook });
    expect(JSON.stringify(read.body)).not.toContain(secret.slice(6));

    await system.clock.advance(60_000);
    const updated = await webhooks(apiKey, 'PUT', { url: `${receiver.url}&v=2`, events: ['email.delivered', 'email.complained'] });
    expect(updated.status).toBe(200);
    expect(updated.body.signing_secret).toBeUndefined();
    expect(updated.body.webhook).toMatchObject({ url: `${receiver.url}&v=2`, events: ['email.delivered', 'email.complained'], created_at: webhook.created_at });
    expect((updated.body.webhook as { updated_at: string }).updated_at).not.toBe(webhook.created_at);

    expect((await webhooks(apiKey, 'DELETE')).body).toEqual({ success: true });
    expect((await webhooks(apiKey, 'GET')).body).toEqual({ success: true, webhook: null });
    expect((await webhooks(apiKey, 'DELETE')).status).toBe(200);
    const again = await webhooks(apiKey, 'PUT', { url: receiver.url, events: ['email.bounced'] });
    expect(again.body.signing_secret).toMatch(/^whsec_/);
    expect(again.body.signing_secret).not.toBe(secret);
  });

  test.each([
    ['http://169.254.169.254/', 'anything else must be https'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local (instance metadata) address'],
    ['https://10.0.0.1/', 'private address'],
    ['https://[::1]/', 'loopback address'],
    ['https://localhost/hooks', 'resolves to a loopback address'],
    ['https://[::ffff:192.168.0.1]/', 'IPv4-mapped private address'],
    ['http://localhost:8080/', 'http://127.0.0.1:<port>'],
    ['not a url', 'not an absolute URL'],
  ])('refuses the url %s with a 400 that says why', async (url, why) => {
    const { apiKey } = await createTenant(system, 'byoc');
    const refused = await webhooks(apiKey, 'PUT', { url, events: ['email.delivered'] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.stringContaining(why) });
    expect((await webhooks(apiKey, 'GET')).body.webhook).toBeNull();
  });

  test.each([
    [{ url: 'https://hooks.example.com/', events: [] }, 'events'],
    [{ url: 'https://hooks.example.com/', events: ['email.opened'] }, 'events'],
    [{ url: 'https://hooks.example.com/', events: ['email.delivered', 'email.delivered'] }, 'events'],
    [{ url: 'https://hooks.example.com/' }, 'events'],
    [{ events: ['email.delivered'] }, 'url'],
    [{ url: 'https://hooks.example.com/', events: ['email.delivered'], secret: 'mine' }, ''],
    ['just a string', ''],
  ])('refuses the body %j with a 400', async (body, field) => {
    const { apiKey } = await createTenant(system, 'byoc');
    const refused = await webhooks(apiKey, 'PUT', body);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ success: false, error: 'invalid_request' });
    if (field) expect(JSON.stringify(refused.body.issues)).toContain(field);
  });

  test('needs an API key', async () => {
    expect((await webhooks(undefined, 'GET')).status).toBe(401);
    expect((await webhooks('sf_not-a-key', 'PUT', { url: receiver.url, events: ['email.delivered'] })).status).toBe(401);
  });

  test('deleting the tenant deletes its endpoint and secret', async () => {
    const tenant = await tenantWithEndpoint();
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: system.dynamoEndpoint, region: 'us-east-1', credentials: RELAY_LOCAL_CREDENTIALS }));
    const item = async () => (await db.send(new GetCommand({ TableName: system.tables.relay, Key: relayKeys.webhook(tenant.tenantId) }))).Item;
    expect(await item()).toMatchObject({ signing_secret: tenant.secret });
    expect((await call(system.platformUrl, 'DELETE', `/admin/tenants/${tenant.tenantId}`)).status).toBe(200);
    expect(await item()).toBeUndefined();
    db.destroy();
  });
});

describe('deliveries', () => {
  test('a notification arrives once, signed, verifiable with standardwebhooks, with the Resend-style payload', async () => {
    const tenant = await tenantWithEndpoint();
    const sent = notification('email.delivered');
    await system.webhookOutbox.enqueue(tenant.tenantId, sent);
    await system.webhookOutbox.drained();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests as [Received];
    expect(request.path).toBe('/hooks/sendfleet?source=test');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(sent.id);
    expectSigned(tenant.secret, request);
    // The package's own verify (its 5-minute tolerance holds: no virtual time passed since the attempt's timestamp was read).
    jest.useFakeTimers({ now: request.at, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    try {
      expect(new Webhook(tenant.secret).verify(request.body, request.headers as Record<string, string>)).toEqual({ type: sent.type, created_at: sent.created_at, data: sent.data });
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(request.body, request.headers as Record<string, string>)).toThrow();
    } finally {
      jest.useRealTimers();
    }
  });

  test('an endpoint down for hours receives each notification once it is back, with the same webhook-id on every attempt', async () => {
    const tenant = await tenantWithEndpoint();
    const start = system.clock.now();
    const backAt = start + 3 * 3_600_000;
    receiver.answer = ({ at }) => (at >= backAt ? 200 : 503);
    const first = notification('email.delivered');
    const second = notification('email.bounced');
    await system.webhookOutbox.enqueue(tenant.tenantId, first);
    await system.webhookOutbox.enqueue(tenant.tenantId, second);
    await system.webhookOutbox.drained();

    for (const sent of [first, second]) {
      const attempts = receiver.requests.filter((r) => r.headers['webhook-id'] === sent.id);
      // immediately, +5 s, +5 min, +30 min, +2 h (all before 3 h: 503), +5 h → 7 h 35 min 5 s: delivered
      expect(attempts.map((r) => r.at - start)).toEqual([0, 5_000, 305_000, 2_105_000, 9_305_000, 27_305_000]);
      expect(attempts.map((r) => r.status)).toEqual([503, 503, 503, 503, 503, 200]);
      for (const attempt of attempts) expectSigned(tenant.secret, attempt);
      expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    }
    // Once delivered, nothing more comes.
    const count = receiver.requests.length;
    await system.clock.advance(48 * 3_600_000);
    expect(receiver.requests).toHaveLength(count);
  });

  test('a redirect is a failed attempt and is not followed', async () => {
    const tenant = await tenantWithEndpoint();
    receiver.answer = ({ count }) => (count === 1 ? 302 : 200);
    const sent = notification('email.bounced');
    await system.webhookOutbox.enqueue(tenant.tenantId, sent);
    await system.webhookOutbox.drained();
    expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.status])).toEqual([[sent.id, 302], [sent.id, 200]]);
  });

  test('an attempt without an answer within 10 s fails and is retried', async () => {
    const tenant = await tenantWithEndpoint();
    // The first request hangs for a minute (parked on the clock: the caller's wait is idle time).
    receiver.answer = async ({ count, gone }) => {
      if (count === 1) await system.clock.park(60_000, gone);
      return 200;
    };
    const start = system.clock.now();
    const sent = notification('email.delivered');
    await system.webhookOutbox.enqueue(tenant.tenantId, sent);
    await system.webhookOutbox.drained();
    // attempt 1 at 0 gives up at 10 s; attempt 2 comes 5 s later
    expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.at - start])).toEqual([[sent.id, 0], [sent.id, 15_000]]);
  });

  test('gives up after the schedule: 8 attempts over about 27.6 hours, then none', async () => {
    const tenant = await tenantWithEndpoint();
    receiver.answer = () => 500;
    const start = system.clock.now();
    const sent = notification('email.delivered');
    await system.webhookOutbox.enqueue(tenant.tenantId, sent);
    await system.webhookOutbox.drained();
    expect(receiver.requests.map((r) => r.at - start)).toEqual([0, 5_000, 305_000, 2_105_000, 9_305_000, 27_305_000, 63_305_000, 99_305_000]);
    expect(new Set(receiver.ids())).toEqual(new Set([sent.id]));
    await system.clock.advance(72 * 3_600_000);
    expect(receiver.requests).toHaveLength(8);
  });

  test('types the endpoint does not subscribe to are skipped; a tenant without an endpoint gets nothing', async () => {
    const tenant = await tenantWithEndpoint(['email.delivered']);
    await system.webhookOutbox.enqueue(tenant.tenantId, notification('email.bounced'));
    await system.webhookOutbox.enqueue(tenant.tenantId, notification('email.complained'));
    const wanted = notification('email.delivered');
    await system.webhookOutbox.enqueue(tenant.tenantId, wanted);
    const without = await createTenant(system, 'byoc');
    await system.webhookOutbox.enqueue(without.tenantId, notification('email.delivered'));
    await system.webhookOutbox.drained();
    expect(receiver.ids()).toEqual([wanted.id]);
  });

  test('an endpoint deleted while a notification waits for its retry: the retry is dropped', async () => {
    const tenant = await tenantWithEndpoint();
    // The first attempt fails, and the endpoint is deleted before the 5 s retry.
    receiver.answer = async () => {
      expect((await webhooks(tenant.apiKey, 'DELETE')).status).toBe(200);
      return 503;
    };
    await system.webhookOutbox.enqueue(tenant.tenantId, notification('email.delivered'));
    await system.webhookOutbox.drained();
    expect(receiver.requests).toHaveLength(1);
  });
});

test('privacy: no log line carries a recipient, the URL\'s path or query string, or a signing secret; attempts are logged by host', () => {
  const all = logLines.join('\n');
  expect(all).toContain('webhook delivered');
  expect(all).toContain('"host":"127.0.0.1:');
  expect(all).not.toContain('canary-recipient');
  expect(all).not.toContain('source=test');
  expect(all).not.toContain('/hooks/sendfleet');
  expect(secretsSeen.length).toBeGreaterThan(3);
  for (const secret of secretsSeen) expect(all).not.toContain(secret.slice('whsec_'.length));
});
