/** AWS's webhook outbox and the delivery function's SQS adapter (the queue itself is CDK's: test/infra). */
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogger } from '../../lambdas/shared/logger';
import type { WebhookEndpoint } from '../../lambdas/relay/store/webhook-store';
import type { DeliveryDecision, WebhookDelivery } from '../../lambdas/relay/webhooks/delivery';
import { createSqsDeliveryHandler } from '../../lambdas/relay/webhooks/delivery-function';
import type { WebhookNotification } from '../../lambdas/relay/webhooks/outbox';
import { createSqsWebhookOutbox } from '../../lambdas/relay/webhooks/sqs-outbox';

const sqsMock = mockClient(SQSClient);
beforeEach(() => sqsMock.reset());

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111111111111/webhooks';
const notification = (type: WebhookNotification['type'], id = 'msg_1'): WebhookNotification => ({ id, type, created_at: '2026-12-04T10:00:00.000Z', data: { email_id: 'm-1', to: ['a@example.org'] } });
const endpoint: WebhookEndpoint = { url: 'https://hooks.example.com/', events: ['email.bounced'], signing_secret: 'whsec_x', created_at: '', updated_at: '' };

test('the outbox queues one message per subscribed notification, and nothing for other types or without an endpoint', async () => {
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'q-1' });
  const sqs = new SQSClient({ region: 'eu-west-1' });
  const outbox = createSqsWebhookOutbox({ sqs, queueUrl: QUEUE, webhooks: { get: async (tenant) => (tenant === 't-1' ? endpoint : undefined) } });
  await outbox.enqueue('t-1', notification('email.bounced'));
  await outbox.enqueue('t-1', notification('email.delivered', 'msg_2'));
  await outbox.enqueue('t-2', notification('email.bounced', 'msg_3'));
  const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
  expect(sent).toEqual([{ QueueUrl: QUEUE, MessageBody: JSON.stringify({ tenant_id: 't-1', notification: notification('email.bounced') }) }]);
});

describe('the delivery function', () => {
  const record = (id: string, receiveCount: number, body = JSON.stringify({ tenant_id: 't-1', notification: notification('email.bounced', `msg_${id}`) })): SQSRecord => ({
    messageId: id, receiptHandle: `rh-${id}`, body, attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'eu-west-1',
  });
  const handlerDeciding = (decide: (attempt: number, id: string) => DeliveryDecision | Error) => {
    const attempts: Array<[string, number]> = [];
    const delivery: WebhookDelivery = {
      attempt: async ({ notification: n, attempt }) => {
        attempts.push([n.id, attempt]);
        const decision = decide(attempt, n.id);
        if (decision instanceof Error) throw decision;
        return decision;
      },
    };
    return { attempts, handle: createSqsDeliveryHandler({ delivery, sqs: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE, log: createLogger() }) };
  };

  test('delivered and dropped are done; a retry is hidden for the schedule\'s delay; given up is failed at once (→ DLQ); the receive count is the attempt', async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    const { attempts, handle } = handlerDeciding((attempt, id) => ({
      msg_a: { kind: 'delivered' } as const,
      msg_b: { kind: 'dropped', reason: 'not_subscribed' } as const,
      msg_c: { kind: 'retry', retryAfterMs: 300_000, failure: 'status 500' } as const,
      msg_d: { kind: 'retry', retryAfterMs: 36_000_000, failure: 'status 500' } as const,
      msg_e: { kind: 'gave_up', failure: 'status 500' } as const,
    }[id] ?? new Error(`unexpected ${id} ${attempt}`)));
    const event: SQSEvent = { Records: [record('a', 1), record('b', 1), record('c', 3), record('d', 7), record('e', 8)] };
    const response = await handle(event);
    expect(attempts).toEqual([['msg_a', 1], ['msg_b', 1], ['msg_c', 3], ['msg_d', 7], ['msg_e', 8]]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['c', 'd', 'e']);
    const visibility = Object.fromEntries(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]));
    expect(visibility).toEqual({ 'rh-c': 300, 'rh-d': 36_000, 'rh-e': 0 });
  });

  test('our own failure (the table, SQS) leaves the message to come back; an unreadable body is dropped', async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(new Error('sqs down'));
    const { handle } = handlerDeciding((_attempt, id) => (id === 'msg_f' ? new Error('table down') : { kind: 'retry', retryAfterMs: 5_000, failure: 'status 503' }));
    const response = await handle({ Records: [record('f', 1), record('g', 1), record('h', 1, '{not json')] });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['f', 'g']);
  });
});
