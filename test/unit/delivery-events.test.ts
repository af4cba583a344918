/** The delivery-events mapping: parsing the envelope, the timeline entry kept, the status, the counters and the notification. */
import { notificationOf, parseSesEvent, timelineEventOf } from '../../lambdas/relay/delivery-events/parse';
import { counterOf, messageStatus, type TimelineEvent } from '../../lambdas/relay/delivery-events/timeline';
import { deliveryState } from '../../lambdas/relay/usage/delivery-usage';
import type { SesEventType } from '../../lambdas/shared/ses-events';
import { sesEnvelope, type EnvelopeOptions } from '../support/ses-events';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeliveryStore } from '../../lambdas/relay/store/delivery-store';

const base = { account: '123456789012', messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000' };
const parsed = (type: SesEventType, options: Partial<EnvelopeOptions> = {}) => {
  const event = parseSesEvent(sesEnvelope(type, { ...base, ...options }));
  if (!event) throw new Error('not parsed');
  return event;
};

describe('parsing', () => {
  test('AWS\'s example of each event type parses', () => {
    for (const type of ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'DeliveryDelay', 'Rendering Failure'] as const) expect(parsed(type).detail.eventType).toBe(type);
  });

  test.each([
    ['another source', (e: Record<string, unknown>) => ({ ...e, source: 'aws.ec2' })],
    ['a detail-type that is not its eventType\'s', (e: Record<string, unknown>) => ({ ...e, 'detail-type': 'Email Delivered' })],
    ['an account that is not 12 digits', (e: Record<string, unknown>) => ({ ...e, account: '12345' })],
    ['a message id that could not be SES\'s', (e: Record<string, unknown>) => ({ ...e, detail: { ...(e.detail as object), mail: { ...(e.detail as { mail: object }).mail, messageId: 'a/b' } } })],
    ['an unknown eventType', (e: Record<string, unknown>) => ({ ...e, detail: { ...(e.detail as object), eventType: 'Open' } })],
    ['a time that is not a time', (e: Record<string, unknown>) => ({ ...e, time: 'yesterday' })],
    ['not an object', () => 'hello'],
  ])('refuses %s', (_name, change) => {
    expect(parseSesEvent(change(sesEnvelope('Send', base) as unknown as Record<string, unknown>))).toBeUndefined();
  });
});

describe('what is kept of an event', () => {
  test('types, times and SES\'s classification only; a value outside SES\'s vocabulary reads Other', () => {
    expect(timelineEventOf(parsed('Bounce', { at: '2026-12-04T10:00:05.000Z', bounceType: 'Permanent', bounceSubType: 'NoEmail' }))).toEqual({ type: 'bounce', at: '2026-12-04T10:00:05.000Z', bounce_type: 'Permanent', bounce_sub_type: 'NoEmail' });
    expect(timelineEventOf(parsed('Bounce', { bounceSubType: 'you@example.com is gone' })).bounce_sub_type).toBe('Other');
    expect(timelineEventOf(parsed('Complaint', { feedbackType: 'abuse' })).complaint_feedback_type).toBe('abuse');
    expect(timelineEventOf(parsed('DeliveryDelay', { delayType: 'MailboxFull' })).delay_type).toBe('MailboxFull');
    expect(Object.keys(timelineEventOf(parsed('Reject')))).toEqual(['type', 'at']);
    // A send's time is the mail's.
    expect(timelineEventOf(parsed('Send', { sentAt: '2026-12-04T09:59:59.000Z' })).at).toBe('2026-12-04T09:59:59.000Z');
  });

  test('the daily counters: hard bounces only count as bounced (not the suppression list\'s, not transient ones)', () => {
    const counter = (type: SesEventType, o: Partial<EnvelopeOptions> = {}) => counterOf(timelineEventOf(parsed(type, o)));
    expect(counter('Send')).toBe('sent');
    expect(counter('Delivery')).toBe('delivered');
    expect(counter('Complaint')).toBe('complained');
    expect(counter('Bounce', { bounceType: 'Permanent', bounceSubType: 'General' })).toBe('bounced');
    expect(counter('Bounce', { bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' })).toBe('suppressed');
    expect(counter('Bounce', { bounceType: 'Transient', bounceSubType: 'MailboxFull' })).toBe('bounced_transient');
  });
});

describe('the status', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 10, 0, s)).toISOString();
  test('the latest event by time (EventBridge does not keep order); at the same instant the later stage', () => {
    const events: TimelineEvent[] = [{ type: 'delivery', at: at(2) }, { type: 'send', at: at(0) }];
    expect(messageStatus(events)).toEqual({ status: 'delivered', lastEventAt: at(2) });
    expect(messageStatus([...events, { type: 'complaint', at: at(9) }])!.status).toBe('complained');
    expect(messageStatus([{ type: 'delivery', at: at(1) }, { type: 'send', at: at(1) }])!.status).toBe('delivered');
    expect(messageStatus([{ type: 'send', at: at(0) }, { type: 'bounce', at: at(1), bounce_type: 'Permanent', bounce_sub_type: 'OnAccountSuppressionList' }])!.status).toBe('suppressed');
    expect(messageStatus([])).toBeUndefined();
  });

  test('usage state: warning from half of SES\'s review rates, review_risk from them', () => {
    expect(deliveryState(null, null)).toBe('ok');
    expect(deliveryState(0.0249, 0.00049)).toBe('ok');
    expect(deliveryState(0.025, 0)).toBe('warning');
    expect(deliveryState(0, 0.0005)).toBe('warning');
    expect(deliveryState(0.05, 0)).toBe('review_risk');
    expect(deliveryState(0, 0.001)).toBe('review_risk');
  });
});

describe('the webhook notification', () => {
  test.each([
    ['Send', {}, 'email.sent'], ['Delivery', {}, 'email.delivered'], ['DeliveryDelay', {}, 'email.delivery_delayed'],
    ['Bounce', { bounceSubType: 'General' }, 'email.bounced'], ['Bounce', { bounceSubType: 'OnAccountSuppressionList' }, 'email.suppressed'],
    ['Complaint', {}, 'email.complained'], ['Reject', {}, 'email.failed'], ['Rendering Failure', {}, 'email.failed'],
  ] as const)('%s %j → %s, id msg_<event id>', (type, options, webhookType) => {
    const event = parsed(type, options);
    const notification = notificationOf(event, timelineEventOf(event));
    expect(notification).toMatchObject({ id: `msg_${event.id}`, type: webhookType, data: { email_id: base.messageId, to: ['recipient@example.com'], from: 'Sender Name <sender@example.com>', subject: 'Message sent from Amazon SES' } });
  });
});

describe('DeliveryStore.record: concurrent events of one message or one day', () => {
  const conflict = () => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] });
  const input = { tenantId: 't', messageId: 'm', eventId: 'e', createdAt: '2026-12-04T10:00:00.000Z', event: { type: 'delivery', at: '2026-12-04T10:00:01.000Z' } as TimelineEvent, counter: 'delivered' };
  const clock = { now: () => 0, sleep: jest.fn(async () => undefined), withTimeout: async <T>(_ms: number, op: (signal: AbortSignal) => Promise<T>) => op(new AbortController().signal) };

  test('a transaction that met another (TransactionConflict: nothing written) is tried again, and counts once', async () => {
    const send = jest.fn().mockRejectedValueOnce(conflict()).mockRejectedValueOnce(conflict()).mockResolvedValue({});
    const store = new DeliveryStore({ send } as unknown as DynamoDBDocumentClient, 'relay', clock);
    expect(await store.record(input, new Date(0))).toBe('recorded');
    expect(send).toHaveBeenCalledTimes(3);
    expect(clock.sleep).toHaveBeenCalledTimes(2);
  });

  test('a duplicate is not retried; conflicts that persist end in the error', async () => {
    const duplicate = new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] });
    const once = jest.fn().mockRejectedValue(duplicate);
    expect(await new DeliveryStore({ send: once } as unknown as DynamoDBDocumentClient, 'relay', clock).record(input, new Date(0))).toBe('duplicate');
    expect(once).toHaveBeenCalledTimes(1);
    const always = jest.fn().mockRejectedValue(conflict());
    await expect(new DeliveryStore({ send: always } as unknown as DynamoDBDocumentClient, 'relay', clock).record(input, new Date(0))).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(always).toHaveBeenCalledTimes(8);
  });
});
