/**
 * Delivery events into the relay, through the local system's `deliverSesEvent` (what the relay's
 * bus rule invokes): envelopes built after AWS's examples, for a tenant whose stack registered its
 * account and configuration set. Then the message status (ours and Resend's), the 30-day rates in
 * /api/usage, duplicates, drops (foreign account, other set, malformed), tenant isolation, and
 * privacy canaries over every table item, log line and metric.
 */
import { flushMetrics } from '../../lambdas/shared/powertools';
import { dynamoDocumentClient } from '../../lambdas/shared/clients';
import { SENDFLEET_CONFIGURATION_SET, type SesEventType } from '../../lambdas/shared/ses-events';
import { ByocConfigStore } from '../../lambdas/relay/store/config-store';
import { createDeliveryEventsHandler } from '../../lambdas/relay/delivery-events/delivery-events-function';
import type { WebhookNotification } from '../../lambdas/relay/webhooks/outbox';
import { lambdaContext } from '../../local/http-adapter';
import { trackedOn } from '../../local/virtual-clock';
import { capturedLogLines } from '../support/captured-logs';
import { scanAll } from '../support/dynamo';
import { sesEnvelope, type EnvelopeOptions } from '../support/ses-events';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

const logLines = capturedLogLines();
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem('delivery-events');
});
afterAll(async () => {
  await system?.stop();
});

let accounts = 0;
/** A BYOC tenant onboarded in its own account, with the SendFleet set in it, registered with the account and set as register-stack does. */
async function connectedTenant(options: { configurationSet?: boolean } = {}) {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  const account = `5555000${String(++accounts).padStart(5, '0')}`;
  await onboard(system, tenant.apiKey, { accountId: account, domain: 'acme.com' });
  if (options.configurationSet !== false) {
    system.simulator.createConfigurationSet(account, 'eu-west-1', SENDFLEET_CONFIGURATION_SET);
    await new ByocConfigStore(dynamoDocumentClient(system.aws), system.tables.relay)
      .saveConfigurationSet(tenant.tenantId, { accountId: account, region: 'eu-west-1', configurationSet: SENDFLEET_CONFIGURATION_SET }, new Date(system.clock.now()));
  }
  return { ...tenant, account };
}

const now = () => new Date(system.clock.now()).toISOString();
const deliver = (type: SesEventType, options: EnvelopeOptions) => system.deliverSesEvent(sesEnvelope(type, { sentAt: now(), at: now(), ...options }));
const message = (apiKey: string, id: string) => call(system.relayUrl, 'GET', `/api/messages/${id}`, { apiKey });
const resendEmail = (apiKey: string, id: string) => call(system.relayUrl, 'GET', `/emails/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
const usage = async (apiKey: string) => (await call(system.relayUrl, 'GET', '/api/usage', { apiKey })).body.delivery as Record<string, unknown> | null;
let ids = 0;
const messageId = () => `0100019a${String(++ids).padStart(8, '0')}-5f0e-4c1a-9a7e-2b9d1c0e7f11-000000`;
const dropped = (reason: string) => {
  flushMetrics();
  return logLines.filter((line) => line.includes('"DeliveryEventsDropped"') && line.includes(`"reason":"${reason}"`)).length;
};

test('the id a real send returned, then each event kind: its status, ours and Resend\'s', async () => {
  const tenant = await connectedTenant();
  const sent = await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'someone@example.org', from_email: 'hello@acme.com', subject: 'Hi', message: 'Hello' } });
  expect(sent.status).toBe(200);
  const sesId = sent.body.message_id as string;

  await deliver('Send', { account: tenant.account, messageId: sesId });
  expect((await message(tenant.apiKey, sesId)).body).toMatchObject({ success: true, id: sesId, status: 'sent', events: [{ type: 'send' }] });
  await system.clock.advance(1_000);
  await deliver('Delivery', { account: tenant.account, messageId: sesId });
  const delivered = await message(tenant.apiKey, sesId);
  expect(delivered.status).toBe(200);
  expect(delivered.body).toEqual({ success: true, id: sesId, status: 'delivered', events: [{ type: 'send', at: expect.any(String) }, { type: 'delivery', at: expect.any(String) }], last_event_at: (delivered.body.events as Array<{ at: string }>)[1]!.at });
  expect((await resendEmail(tenant.apiKey, sesId)).body).toEqual({
    object: 'email', id: sesId, created_at: expect.any(String), last_event: 'delivered',
    from: null, to: null, cc: null, bcc: null, reply_to: null, subject: null, html: null, text: null, scheduled_at: null, tags: null,
  });

  const cases: Array<[SesEventType, Partial<EnvelopeOptions>, string, string, Record<string, unknown>]> = [
    ['Bounce', { bounceType: 'Permanent', bounceSubType: 'General' }, 'bounced', 'bounced', { type: 'bounce', bounce_type: 'Permanent', bounce_sub_type: 'General' }],
    ['Bounce', { bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' }, 'suppressed', 'suppressed', { type: 'bounce', bounce_type: 'Permanent', bounce_sub_type: 'OnAccountSuppressionList' }],
    ['Complaint', { feedbackType: 'abuse' }, 'complained', 'complained', { type: 'complaint', complaint_feedback_type: 'abuse' }],
    ['DeliveryDelay', { delayType: 'MailboxFull' }, 'delivery_delayed', 'delivery_delayed', { type: 'delivery_delay', delay_type: 'MailboxFull' }],
    ['Reject', {}, 'rejected', 'failed', { type: 'reject' }],
    ['Rendering Failure', {}, 'rendering_failed', 'failed', { type: 'rendering_failure' }],
  ];
  for (const [type, options, status, lastEvent, event] of cases) {
    const id = messageId();
    await deliver('Send', { account: tenant.account, messageId: id });
    await system.clock.advance(1_000);
    await deliver(type, { account: tenant.account, messageId: id, ...options });
    const answer = await message(tenant.apiKey, id);
    expect({ type, status: answer.body.status }).toEqual({ type, status });
    expect((answer.body.events as unknown[])[1]).toEqual({ at: expect.any(String), ...event });
    expect({ type, last_event: (await resendEmail(tenant.apiKey, id)).body.last_event }).toEqual({ type, last_event: lastEvent });
  }
});

test('events arriving out of order read in the order they happened; a duplicate event id changes nothing', async () => {
  const tenant = await connectedTenant();
  const id = messageId();
  const sentAt = now();
  const deliveredAt = new Date(system.clock.now() + 2_000).toISOString();
  const delivery = sesEnvelope('Delivery', { account: tenant.account, messageId: id, sentAt, at: deliveredAt });
  await system.deliverSesEvent(delivery);
  await deliver('Send', { account: tenant.account, messageId: id, sentAt, at: sentAt });
  await system.deliverSesEvent(delivery);
  await system.deliverSesEvent({ ...delivery });
  const answer = await message(tenant.apiKey, id);
  expect(answer.body).toMatchObject({ status: 'delivered', last_event_at: deliveredAt });
  expect((answer.body.events as Array<{ type: string }>).map((e) => e.type)).toEqual(['send', 'delivery']);
  expect(await usage(tenant.apiKey)).toMatchObject({ sent: 1, delivered: 1 });
});

test('foreign account, another configuration set, no set and malformed events are dropped and counted, never thrown', async () => {
  const tenant = await connectedTenant();
  const id = messageId();
  const before = { unknown: dropped('unknown_account'), set: dropped('wrong_configuration_set'), malformed: dropped('malformed') };
  await deliver('Send', { account: '999999999999', messageId: id });
  await deliver('Send', { account: tenant.account, messageId: id, configurationSet: 'SomeOtherSet' });
  await deliver('Send', { account: tenant.account, messageId: id, configurationSet: null });
  const good = sesEnvelope('Send', { account: tenant.account, messageId: id });
  await system.deliverSesEvent({ ...good, 'detail-type': 'Email Delivered' });
  await system.deliverSesEvent({ ...good, detail: { ...good.detail, mail: { ...good.detail.mail, messageId: '../../x' } } });
  await system.deliverSesEvent({ ...good, account: 'not-an-account' });
  await system.deliverSesEvent({ hello: 'world' });
  expect((await message(tenant.apiKey, id)).status).toBe(404);
  expect(await usage(tenant.apiKey)).toMatchObject({ sent: 0 });
  expect({ unknown: dropped('unknown_account'), set: dropped('wrong_configuration_set'), malformed: dropped('malformed') })
    .toEqual({ unknown: before.unknown + 1, set: before.set + 2, malformed: before.malformed + 4 });
});

test('another tenant\'s message is the same 404 as an unknown one, ours and Resend\'s', async () => {
  const owner = await connectedTenant();
  const other = await connectedTenant();
  const id = messageId();
  await deliver('Send', { account: owner.account, messageId: id });
  expect((await message(owner.apiKey, id)).status).toBe(200);
  const theirs = await message(other.apiKey, id);
  const unknown = await message(other.apiKey, messageId());
  expect(theirs.status).toBe(404);
  expect(theirs.body.error).toBe('message_not_found');
  expect(theirs.body.detail).toBe(String(unknown.body.detail).replace(/message id \S+/, `message id ${id}`)); // no hint of another owner
  expect(unknown.body.error).toBe('message_not_found');
  expect((await resendEmail(other.apiKey, id)).body).toMatchObject({ statusCode: 404, name: 'not_found' });
  expect((await message(other.apiKey, 'bad id!')).status).toBe(404);
});

test('usage: delivery is null without the stack\'s set; rates over the last 30 days against SES\'s thresholds', async () => {
  const manual = await connectedTenant({ configurationSet: false });
  expect(await usage(manual.apiKey)).toBeNull();

  const tenant = await connectedTenant();
  expect(await usage(tenant.apiKey)).toMatchObject({ window_days: 30, sent: 0, bounce_rate: null, complaint_rate: null, state: 'ok', days: expect.any(Array) });
  for (let i = 0; i < 40; i++) await deliver('Send', { account: tenant.account, messageId: messageId() });
  for (let i = 0; i < 37; i++) await deliver('Delivery', { account: tenant.account, messageId: messageId() });
  // One hard bounce counts; the suppression list's and a transient one do not (as SES's bounce rate).
  await deliver('Bounce', { account: tenant.account, messageId: messageId(), bounceType: 'Permanent', bounceSubType: 'General' });
  await deliver('Bounce', { account: tenant.account, messageId: messageId(), bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' });
  await deliver('Bounce', { account: tenant.account, messageId: messageId(), bounceType: 'Transient', bounceSubType: 'MailboxFull' });
  // A reject (SES found a virus) is counted on its day, not in the rates.
  await deliver('Reject', { account: tenant.account, messageId: messageId() });
  const warned = await usage(tenant.apiKey);
  expect(warned).toMatchObject({
    sent: 40, delivered: 37, bounced: 1, complained: 0, bounce_rate: 0.025, complaint_rate: 0, state: 'warning',
    bounce_review_rate: 0.05, complaint_review_rate: 0.001, bounce_warning_rate: 0.025, complaint_warning_rate: 0.0005,
  });
  const days = warned!.days as Array<Record<string, unknown>>;
  expect(days).toHaveLength(30);
  expect(days.at(-1)).toEqual({ date: now().slice(0, 10), sent: 40, delivered: 37, bounced: 1, complained: 0, rejected: 1 });
  await deliver('Complaint', { account: tenant.account, messageId: messageId() });
  expect(await usage(tenant.apiKey)).toMatchObject({ complained: 1, complaint_rate: 0.025, state: 'review_risk' });
  // 31 days later the window has moved past them.
  await system.clock.advance(31 * 86_400_000);
  expect(await usage(tenant.apiKey)).toMatchObject({ sent: 0, bounced: 0, state: 'ok' });
});

test('the notification handed to the webhook outbox: Resend-style, id msg_<event id>, again (same id) for a duplicate', async () => {
  const tenant = await connectedTenant();
  const handed: Array<{ tenantId: string; notification: WebhookNotification }> = [];
  const handler = createDeliveryEventsHandler({ relayTable: system.tables.relay, relayAccountId: '111111111111' }, system.aws, {
    enqueue: async (tenantId, notification) => { handed.push({ tenantId, notification }); },
  });
  const id = messageId();
  const bounce = sesEnvelope('Bounce', { account: tenant.account, messageId: id, to: ['a@example.org'], from: 'Acme <hello@acme.com>', subject: 'Welcome', bounceSubType: 'OnAccountSuppressionList' });
  const run = (event: unknown) => trackedOn(system.clock, () => handler(event, lambdaContext('r', 'delivery-events')));
  await run(bounce);
  await run(bounce);
  await run(sesEnvelope('Send', { account: '999999999999', messageId: id }));
  expect(handed).toEqual([1, 2].map(() => ({
    tenantId: tenant.tenantId,
    notification: {
      id: `msg_${bounce.id}`, type: 'email.suppressed', created_at: bounce.detail.bounce!.timestamp,
      data: { email_id: id, created_at: bounce.detail.mail.timestamp, from: 'Acme <hello@acme.com>', to: ['a@example.org'], subject: 'Welcome', bounce: { type: 'Permanent', subType: 'OnAccountSuppressionList' } },
    },
  })));
});

test('privacy: no address, subject, header, diagnostic code, SMTP response or reject reason reaches a table, a log line or a metric', async () => {
  const canary = (field: string) => `zqx${field}canary9`;
  const tenant = await connectedTenant();
  const id = messageId();
  const options = { account: tenant.account, messageId: id, from: `${canary('fromname')} <${canary('from')}@acme.com>`, to: [`${canary('to')}@example.org`], subject: canary('subject') };
  for (const type of ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'DeliveryDelay', 'Rendering Failure'] as const) await deliver(type, options);
  await deliver('Send', { ...options, account: '999999999999' });
  await system.deliverSesEvent({ ...sesEnvelope('Send', options), version: '1' });
  expect((await message(tenant.apiKey, id)).body.events).toHaveLength(7);
  flushMetrics();
  const stored = JSON.stringify(await scanAll(system.tables.relay));
  const logged = logLines.join('\n');
  expect(logged).toMatch(/"DeliveryEvents"/);
  for (const field of ['fromname', 'from', 'to', 'subject']) {
    expect(stored).not.toContain(canary(field));
    expect(logged).not.toContain(canary(field));
  }
  // What SES writes beside them (diagnostic codes, SMTP responses, reject reasons, header values) stays out too.
  for (const text of ['user unknown', 'Message received for', 'Bad content', 'Unable to connect', 'rendering data', 'MIME-Version']) {
    expect(stored).not.toContain(text);
    expect(logged).not.toContain(text);
  }
});
