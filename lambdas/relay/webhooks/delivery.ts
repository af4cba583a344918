/**
 * The webhook delivery use case: one attempt and what the schedule makes of its outcome. Both
 * outboxes (SQS in AWS, in-process locally) run jobs through it and only carry out its decision —
 * delete, wait `retryAfterMs` and try again, or give up — so the schedule lives here once.
 *
 * An attempt reads the tenant's endpoint now (a deleted endpoint or an unsubscribed type drops the
 * job), checks its URL again (a name may have moved to a private address since registration),
 * signs with this attempt's time and the notification's stable id, and counts only a 2xx answer
 * within ATTEMPT_TIMEOUT_MS as delivered. Logs carry the tenant, the notification id and type, the
 * attempt, the host and the status: never the payload, the path or the query string.
 */
import { dateOf, outgoing, type Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { WebhookEndpointReader } from '../store/webhook-store';
import type { WebhookNotification } from './outbox';
import { ATTEMPT_TIMEOUT_MS, delayAfterFailedAttempt } from './schedule';
import { signedHeaders, webhookBody } from './signing';
import type { WebhookTransport } from './transport';
import { checkWebhookUrl, WebhookUrlRefusedError, type AddressResolver, type WebhookUrlPolicy } from './url-guard';

export interface DeliveryJob {
  tenantId: string;
  notification: WebhookNotification;
  /** 1-based. */
  attempt: number;
}

export type DeliveryDecision =
  | { kind: 'delivered' }
  /** No endpoint any more, or it no longer subscribes to this type: nothing to retry. */
  | { kind: 'dropped'; reason: 'no_endpoint' | 'not_subscribed' }
  | { kind: 'retry'; retryAfterMs: number; failure: string }
  | { kind: 'gave_up'; failure: string };

export interface WebhookDeliveryDeps {
  webhooks: WebhookEndpointReader;
  resolver: AddressResolver;
  transport: WebhookTransport;
  clock: Clock;
  log: Logger;
  urlPolicy?: WebhookUrlPolicy;
}

export function createWebhookDelivery(deps: WebhookDeliveryDeps) {
  const { clock } = deps;

  /** Why the attempt failed, in a few words (logged); undefined when delivered. */
  async function post(url: string, secret: string, notification: WebhookNotification): Promise<string | undefined> {
    let target;
    try {
      target = await checkWebhookUrl(url, deps.resolver, deps.urlPolicy);
    } catch (error) {
      if (error instanceof WebhookUrlRefusedError) return `url refused: ${error.reason}`;
      throw error;
    }
    const body = webhookBody(notification);
    const headers = signedHeaders(secret, notification.id, dateOf(clock), body);
    try {
      const status = await outgoing(clock, () => clock.withTimeout(ATTEMPT_TIMEOUT_MS, (signal) => deps.transport.post(target, headers, body, signal)));
      return status >= 200 && status < 300 ? undefined : `status ${status}`;
    } catch (error) {
      return (error as Error).name === 'AbortError' ? `no answer within ${ATTEMPT_TIMEOUT_MS} ms` : `no answer (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`;
    }
  }

  return {
    async attempt(job: DeliveryJob): Promise<DeliveryDecision> {
      const { tenantId, notification, attempt } = job;
      const log = deps.log.child({ tenant_id: tenantId, webhook_id: notification.id, event_type: notification.type, attempt });
      const endpoint = await deps.webhooks.get(tenantId);
      if (!endpoint) {
        log.info('webhook dropped', { reason: 'no_endpoint' });
        return { kind: 'dropped', reason: 'no_endpoint' };
      }
      if (!endpoint.events.includes(notification.type)) {
        log.info('webhook dropped', { reason: 'not_subscribed' });
        return { kind: 'dropped', reason: 'not_subscribed' };
      }
      const host = safeHost(endpoint.url);
      const failure = await post(endpoint.url, endpoint.signing_secret, notification);
      if (failure === undefined) {
        log.info('webhook delivered', { host });
        return { kind: 'delivered' };
      }
      const retryAfterMs = delayAfterFailedAttempt(attempt);
      if (retryAfterMs === undefined) {
        log.warn('webhook gave up', { host, failure });
        return { kind: 'gave_up', failure };
      }
      log.info('webhook attempt failed', { host, failure, retry_after_ms: retryAfterMs });
      return { kind: 'retry', retryAfterMs, failure };
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;

/** The host only: a path or query string may hold the customer's own secret. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unparsable';
  }
}

/** Whether the tenant's endpoint takes this type now (both outboxes ask before queueing). */
export async function subscribes(webhooks: WebhookEndpointReader, tenantId: string, notification: WebhookNotification): Promise<boolean> {
  const endpoint = await webhooks.get(tenantId);
  return endpoint !== undefined && endpoint.events.includes(notification.type);
}
