/** The health queue in AWS: SQS, ten messages per SendMessageBatch, entries SQS refused sent again. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientSettings, type AwsWiring } from '../../shared/clients';
import type { HealthCheckMessage, HealthQueue } from './health-run';

const MAX_BATCH_ENTRIES = 10;
const MAX_ATTEMPTS = 3;

export class QueueWriteError extends Error { override readonly name = 'QueueWriteError'; }

export class SqsHealthQueue implements HealthQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async enqueue(messages: HealthCheckMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += MAX_BATCH_ENTRIES) {
      let entries = messages.slice(i, i + MAX_BATCH_ENTRIES).map((message, n) => ({ Id: String(n), MessageBody: JSON.stringify(message) }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const { Failed } = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((Failed ?? []).map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length > 0 && attempt >= MAX_ATTEMPTS) throw new QueueWriteError(`${entries.length} health check messages not queued after ${attempt} attempts`);
      }
    }
  }
}

/** The queue at `queueUrl`, with its own SQS client. */
export const sqsHealthQueue = (aws: AwsWiring, queueUrl: string): HealthQueue => new SqsHealthQueue(new SQSClient(clientSettings(aws, undefined)), queueUrl);

/** Parses a queue message body; undefined for anything that is not one of ours (dropped, not retried). */
export function parseHealthMessage(body: string): HealthCheckMessage | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<HealthCheckMessage>;
    if (!Array.isArray(parsed.tenants) || !parsed.tenants.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 128)) return undefined;
    const reason = parsed.reason === 'manual' || parsed.reason === 'send_failure' ? parsed.reason : 'schedule';
    return { tenants: parsed.tenants.slice(0, 100), reason };
  } catch {
    return undefined;
  }
}
