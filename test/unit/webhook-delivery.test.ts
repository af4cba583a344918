/** Webhook signing (verified with the standardwebhooks package), the retry schedule, one attempt's decisions, and the pinned transport. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../../lambdas/shared/clock';
import { createLogger } from '../../lambdas/shared/logger';
import type { WebhookEndpoint } from '../../lambdas/relay/store/webhook-store';
import { createWebhookDelivery } from '../../lambdas/relay/webhooks/delivery';
import type { WebhookNotification } from '../../lambdas/relay/webhooks/outbox';
import { delayAfterFailedAttempt, MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from '../../lambdas/relay/webhooks/schedule';
import { newSigningSecret, signedHeaders, webhookBody } from '../../lambdas/relay/webhooks/signing';
import { nodeWebhookTransport, type WebhookTransport } from '../../lambdas/relay/webhooks/transport';
import type { AddressResolver } from '../../lambdas/relay/webhooks/url-guard';
import { VirtualClock } from '../../local/virtual-clock';

const notification: WebhookNotification = {
  id: 'msg_evt-1', type: 'email.bounced', created_at: '2026-12-04T10:00:00.000Z',
  data: { email_id: 'm-1', to: ['someone@example.org'], bounce: { type: 'Permanent', sub_type: 'General' } },
};

test('signing secrets are whsec_ + base64 of 32 random bytes, each one new', () => {
  const secret = newSigningSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  expect(newSigningSecret()).not.toBe(secret);
});

test('a signed delivery verifies with the standardwebhooks package, and not with another secret or a changed body', () => {
  const secret = newSigningSecret();
  const at = new Date('2026-12-04T10:00:05Z');
  const body = webhookBody(notification);
  const headers = signedHeaders(secret, notification.id, at, body);
  expect(headers['webhook-id']).toBe('msg_evt-1');
  expect(headers['webhook-timestamp']).toBe(String(at.getTime() / 1000));
  expect(headers['webhook-signature']).toMatch(/^v1,/);
  expect(JSON.parse(body)).toEqual({ type: 'email.bounced', created_at: notification.created_at, data: notification.data });
  jest.useFakeTimers({ now: at, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('Permanent', 'Transient'), headers)).toThrow();
  } finally {
    jest.useRealTimers();
  }
});

test('the schedule is Svix\'s: 8 attempts over more than 24 h, then nothing', () => {
  expect(RETRY_SCHEDULE_MS).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  expect(MAX_ATTEMPTS).toBe(8);
  const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(24 * 3_600_000);
  expect(delayAfterFailedAttempt(1)).toBe(5_000);
  expect(delayAfterFailedAttempt(7)).toBe(36_000_000);
  expect(delayAfterFailedAttempt(8)).toBeUndefined();
});

describe('one attempt', () => {
  const secret = newSigningSecret();
  const endpoint: WebhookEndpoint = { url: 'https://hooks.example.com/in?token=t0p', events: ['email.bounced'], signing_secret: secret, created_at: '', updated_at: '' };
  const resolver: AddressResolver = { resolve: async (host) => [{ address: host === 'hooks.example.com' ? '93.184.215.14' : '10.0.0.9', family: 4 }] };
  const attemptWith = (status: number | Error, stored: WebhookEndpoint | null = endpoint) => {
    const posts: Array<{ address: string; headers: Record<string, string>; body: string }> = [];
    const transport: WebhookTransport = {
      post: async (target, headers, body) => {
        posts.push({ address: target.address, headers, body });
        if (status instanceof Error) throw status;
        return status;
      },
    };
    const delivery = createWebhookDelivery({ webhooks: { get: async () => stored ?? undefined }, resolver, transport, clock: new VirtualClock(), log: createLogger() });
    return { posts, attempt: (attempt: number) => delivery.attempt({ tenantId: 't-1', notification, attempt }) };
  };

  test('2xx is delivered, to the checked address, signed', async () => {
    const { posts, attempt } = attemptWith(204);
    expect(await attempt(1)).toEqual({ kind: 'delivered' });
    expect(posts[0]!.address).toBe('93.184.215.14');
    expect(() => new Webhook(secret).verify(posts[0]!.body, posts[0]!.headers)).not.toThrow();
  });

  test.each([[302], [500], [404], [100]])('status %s is a failure, retried on the schedule', async (status) => {
    const { attempt } = attemptWith(status);
    expect(await attempt(1)).toMatchObject({ kind: 'retry', retryAfterMs: 5_000, failure: `status ${status}` });
    expect(await attempt(7)).toMatchObject({ kind: 'retry', retryAfterMs: 36_000_000 });
    expect(await attempt(8)).toMatchObject({ kind: 'gave_up' });
  });

  test('no answer is a failure', async () => {
    const { attempt } = attemptWith(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect(await attempt(2)).toMatchObject({ kind: 'retry', retryAfterMs: 300_000, failure: 'no answer (ECONNREFUSED)' });
  });

  test('a name that moved to a private address is not posted to', async () => {
    const { posts, attempt } = attemptWith(200, { ...endpoint, url: 'https://moved.example.com/' });
    expect(await attempt(1)).toMatchObject({ kind: 'retry', failure: expect.stringContaining('private address') });
    expect(posts).toHaveLength(0);
  });

  test('no endpoint, or a type it does not take: dropped, nothing posted', async () => {
    const none = attemptWith(200, null);
    expect(await none.attempt(1)).toEqual({ kind: 'dropped', reason: 'no_endpoint' });
    const other = attemptWith(200, { ...endpoint, events: ['email.delivered'] });
    expect(await other.attempt(1)).toEqual({ kind: 'dropped', reason: 'not_subscribed' });
    expect([...none.posts, ...other.posts]).toHaveLength(0);
  });
});

test('the transport connects to the checked address whatever the name resolves to, and does not follow redirects', async () => {
  const seen: Array<{ host?: string; path?: string }> = [];
  const server = createServer((request, response) => {
    seen.push({ host: request.headers.host, path: request.url });
    request.resume();
    response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    // `rebind.invalid` resolves nowhere (RFC 6761): only the pinned lookup can reach the server.
    const url = new URL(`http://rebind.invalid:${port}/in?x=1`);
    const status = await systemClock.withTimeout(5_000, (signal) => nodeWebhookTransport.post({ url, host: 'rebind.invalid', address: '127.0.0.1', family: 4 }, { 'content-type': 'application/json' }, '{}', signal));
    expect(status).toBe(302);
    expect(seen).toEqual([{ host: `rebind.invalid:${port}`, path: '/in?x=1' }]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
