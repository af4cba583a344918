/**
 * After the send, end to end with nothing stubbed: a tenant connects through the one-click stack
 * (the simulated CloudFormation creates the role, the configuration set with suppression, its
 * EventBridge destination and the forwarding rule), sends to each of SES's mailbox-simulator
 * addresses, and the simulator publishes the events SES documents. Its EventBridge forwards them to
 * the relay's delivery-events handler, which records each timeline and hands the signed webhook to
 * the outbox, which POSTs it to a receiver on 127.0.0.1. Time is virtual: the events' seconds and a
 * webhook endpoint's hours of downtime take no wall-clock time.
 */
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_EVENT_TYPES } from '../../lambdas/relay/webhooks/outbox';
import { SENDFLEET_CONFIGURATION_SET } from '../../lambdas/shared/ses-events';
import { afterIamPropagation, call, createTenant, launchStack, type TestSystem } from '../support/system';
import type { Receiver, Received } from '../support/webhook-receiver';
import { webhookSuite } from '../support/webhook-suite';

jest.setTimeout(120_000);

const REGION = 'us-east-1';
const DOMAIN = 'events.dev';
const MAILBOX = (local: string) => `${local}@simulator.amazonses.com`;
const EMAIL_EVENTS = WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('email.'));

const suite = webhookSuite('after-the-send');
let system: TestSystem;
let receiver: Receiver;
beforeAll(() => { ({ system, receiver } = suite); });
let nextAccount = 720_000_000_000;

/** A tenant connected through the stack, with a verified domain and a webhook endpoint for every email event. */
async function connectedTenant(): Promise<{ apiKey: string; accountId: string; secret: string }> {
  const { apiKey } = await createTenant(system, 'byoc');
  const accountId = String(nextAccount++);
  system.simulator.createAccount({ account_id: accountId, regions: { [REGION]: { max_24_hour_send: 50_000 } } });
  expect((await launchStack(system, apiKey, accountId)).status).toBe('CREATE_COMPLETE');
  // The stack's forwarding role is new: EventBridge can use it once IAM has propagated it (the
  // simulator does not model EventBridge's own retries of an event it could not forward).
  await afterIamPropagation(system);
  expect([200, 201]).toContain((await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain: DOMAIN } })).status);
  system.simulator.setIdentityStatus(accountId, DOMAIN, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  expect((await call(system.relayUrl, 'POST', `/api/byoc/domains/${DOMAIN}/verify`, { apiKey })).status).toBe(200);
  const hook = await call(system.relayUrl, 'PUT', '/api/webhooks', { apiKey, body: { url: receiver.url, events: EMAIL_EVENTS } });
  expect(hook.status).toBe(200);
  return { apiKey, accountId, secret: hook.body.signing_secret as string };
}

async function send(apiKey: string, to: string): Promise<string> {
  const sent = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to, from_email: `hello@${DOMAIN}`, subject: 'Canary subject', message: 'Hello' } });
  expect(sent.status).toBe(200);
  return sent.body.message_id as string;
}

/**
 * Waits until nothing is left to happen: the simulator's events (seconds after the send), the
 * relay's handling of them and every webhook attempt with its retries. The clock moves itself
 * whenever everything waits on it, so hours of retries take no wall-clock time; an explicit
 * advance would fire an attempt's 10 s timeout while its real request is still in flight.
 */
async function settle(): Promise<void> {
  await system.clock.settled();
  await system.webhookOutbox.drained();
}

/** The request's body, after checking its Standard Webhooks signature with the tenant's secret. */
function verified(request: Received, secret: string): { type: string; data: { email_id: string; to: string[] } } {
  const id = request.headers['webhook-id'] as string;
  const timestamp = Number(request.headers['webhook-timestamp']);
  // sign() with the request's own id and timestamp gives what verify() compares, without verify()'s
  // five-minute check against the machine's clock (this test bed's clock is virtual).
  expect(request.headers['webhook-signature']).toBe(new Webhook(secret).sign(id, new Date(timestamp * 1000), request.body));
  return JSON.parse(request.body);
}

/** The requests about one message (a late retry of an earlier test's tenant may arrive too). */
const about = (requests: Received[], messageId: string): Received[] =>
  requests.filter((request) => (JSON.parse(request.body) as { data: { email_id: string } }).data.email_id === messageId);

const typesFor = (requests: Received[], secret: string, messageId: string): string[] =>
  about(requests, messageId).map((request) => verified(request, secret).type).sort();

test('each mailbox-simulator address ends in its status (ours and Resend\'s), with the right signed webhooks, and the rates in /api/usage count them', async () => {
  const { apiKey, secret } = await connectedTenant();
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
  expect(config.body).toMatchObject({ status: 'validated' });

  const expected: Array<[string, string, string, string[]]> = [
    // address, our status, Resend's last_event, the webhook types
    ['success', 'delivered', 'delivered', ['email.delivered', 'email.sent']],
    ['ooto', 'delivered', 'delivered', ['email.delivered', 'email.sent']],
    ['bounce', 'bounced', 'bounced', ['email.bounced', 'email.sent']],
    ['complaint', 'complained', 'complained', ['email.complained', 'email.delivered', 'email.sent']],
    ['suppressionlist', 'suppressed', 'suppressed', ['email.sent', 'email.suppressed']],
  ];
  const ids = new Map<string, string>();
  for (const [local] of expected) ids.set(local, await send(apiKey, MAILBOX(local)));
  await settle();

  for (const [local, status, lastEvent, types] of expected) {
    const id = ids.get(local)!;
    const ours = await call(system.relayUrl, 'GET', `/api/messages/${id}`, { apiKey });
    expect({ local, status: ours.status, body: ours.body }).toMatchObject({ local, status: 200, body: { success: true, id, status } });
    const resend = await call(system.relayUrl, 'GET', `/emails/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect({ local, status: resend.status, body: resend.body }).toMatchObject({ local, status: 200, body: { object: 'email', id, last_event: lastEvent } });
    expect({ local, types: typesFor(receiver.requests, secret, id) }).toEqual({ local, types });
  }
  // The recipients travel in the payload (in transit only): the customer needs them.
  const bounced = about(receiver.requests, ids.get('bounce')!).map((request) => verified(request, secret)).find((body) => body.type === 'email.bounced');
  expect(bounced?.data.to).toEqual([MAILBOX('bounce')]);

  const usage = await call(system.relayUrl, 'GET', '/api/usage', { apiKey });
  // SES's own rates: hard bounces other than the suppression list's, over sends.
  expect(usage.body.delivery).toMatchObject({ sent: 5, delivered: 3, bounced: 1, complained: 1, bounce_rate: 0.2, complaint_rate: 0.2, state: 'review_risk' });
});

test('the send names the stack\'s configuration set: SES applies its suppression (an address that hard-bounced is suppressed next time)', async () => {
  const { apiKey, accountId, secret } = await connectedTenant();
  const first = await send(apiKey, MAILBOX('bounce'));
  await settle();
  expect((await call(system.relayUrl, 'GET', `/api/messages/${first}`, { apiKey })).body.status).toBe('bounced');
  expect(system.simulator.suppressedDestinations(accountId, REGION).map((entry) => entry.email_address)).toContain(MAILBOX('bounce'));

  const again = await send(apiKey, MAILBOX('bounce'));
  await settle();
  expect((await call(system.relayUrl, 'GET', `/api/messages/${again}`, { apiKey })).body.status).toBe('suppressed');
  expect(typesFor(receiver.requests, secret, again)).toEqual(['email.sent', 'email.suppressed']);
  expect(SENDFLEET_CONFIGURATION_SET).toBe('SendFleet-BYOC-Events');
});

test('a webhook endpoint down for hours receives each event once it is back, with the ids it was first offered under', async () => {
  const { apiKey, secret } = await connectedTenant();
  const backAt = system.clock.now() + 3 * 3_600_000;
  receiver.answer = ({ at }) => (at < backAt ? 503 : 200);

  const id = await send(apiKey, MAILBOX('complaint'));
  await settle();
  const attempts = about(receiver.requests, id);
  const whileDown = attempts.filter((request) => request.at < backAt);
  const delivered = attempts.filter((request) => request.at >= backAt);
  expect(whileDown.length).toBeGreaterThanOrEqual(3 * 4); // immediately, +5 s, +5 min, +30 min at least
  expect(whileDown.every((request) => request.status === 503)).toBe(true);
  expect(delivered.every((request) => request.status === 200)).toBe(true);
  expect(typesFor(delivered, secret, id)).toEqual(['email.complained', 'email.delivered', 'email.sent']);
  // Each event once after the endpoint is back, under the id it was first offered with.
  expect(new Set(delivered.map((request) => request.headers['webhook-id']))).toEqual(new Set(whileDown.map((request) => request.headers['webhook-id'])));
  expect(delivered).toHaveLength(3);
});

test('no recipient, subject or sender reaches the relay table through the events', async () => {
  const { apiKey } = await connectedTenant();
  const id = await send(apiKey, MAILBOX('success'));
  await settle();
  expect((await call(system.relayUrl, 'GET', `/api/messages/${id}`, { apiKey })).body.status).toBe('delivered');
  const { scanAll } = await import('../support/dynamo');
  const items = JSON.stringify(await scanAll(system.tables.relay));
  expect(items).toContain(id);
  for (const canary of ['simulator.amazonses.com', 'Canary subject', `hello@${DOMAIN}`]) expect(items).not.toContain(canary);
});
