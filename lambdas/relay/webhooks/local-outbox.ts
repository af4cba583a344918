/**
 * Local mode's webhook outbox: an in-process queue on the Clock port. Each queued notification
 * runs through the delivery use case and, on failure, sleeps the schedule's delay on the clock, so a
 * test on a virtual clock crosses a day of retries without waiting. Nothing is written anywhere:
 * the queue is memory, gone with the process (local mode only; AWS uses sqs-outbox.ts).
 */
import type { Clock } from '../../shared/clock';
import type { WebhookEndpointReader } from '../store/webhook-store';
import { subscribes, type WebhookDelivery } from './delivery';
import type { WebhookNotification, WebhookOutbox } from './outbox';

export interface LocalWebhookOutboxOptions {
  webhooks: WebhookEndpointReader;
  delivery: WebhookDelivery;
  clock: Clock;
  /** Runs each job as the test bed's own work (local/virtual-clock.ts `trackedOn`), so time stands still while it is busy. */
  track?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface LocalWebhookOutbox extends WebhookOutbox {
  /** Resolves when every queued notification was delivered, dropped or given up. */
  drained(): Promise<void>;
  /** Stops waiting retries (the system stops; nothing is persisted locally). */
  close(): void;
}

export function createLocalWebhookOutbox(options: LocalWebhookOutboxOptions): LocalWebhookOutbox {
  const track = options.track ?? ((work) => work());
  const pending = new Set<Promise<void>>();
  const closing = new AbortController();

  async function run(tenantId: string, notification: WebhookNotification): Promise<void> {
    for (let attempt = 1; !closing.signal.aborted; attempt++) {
      const decision = await options.delivery.attempt({ tenantId, notification, attempt });
      if (decision.kind !== 'retry') return;
      await options.clock.sleep(decision.retryAfterMs, closing.signal);
    }
  }

  return {
    async enqueue(tenantId, notification) {
      if (!(await track(() => subscribes(options.webhooks, tenantId, notification)))) return;
      const job = track(() => run(tenantId, notification)).catch(() => undefined).finally(() => pending.delete(job));
      pending.add(job);
    },
    async drained() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      closing.abort();
    },
  };
}
