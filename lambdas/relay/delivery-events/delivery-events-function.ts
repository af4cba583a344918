/**
 * The delivery-events function's composition root: EventBridge (the relay's delivery-events bus)
 * in, timelines and counts out, notifications to the webhook outbox given. One log line and one
 * metric per event: ids, types and outcomes only, never the event (it holds addresses and subjects).
 */
import middy from '@middy/core';
import { dateOf } from '../../shared/clock';
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { createLogger, emitMetric } from '../../shared/logger';
import { observability } from '../../shared/powertools';
import type { RelayConfig } from '../relay-config';
import { ByocConfigStore } from '../store/config-store';
import { DeliveryStore } from '../store/delivery-store';
import type { WebhookOutbox } from '../webhooks/outbox';
import { ingestSesEvent, type IngestDeps } from './ingest';

const log = createLogger({ component: 'delivery-events' });

export function deliveryEventsHandler(deps: IngestDeps) {
  return async (event: unknown): Promise<void> => {
    const result = await ingestSesEvent(deps, event);
    const eventId = typeof (event as { id?: unknown })?.id === 'string' ? String((event as { id: string }).id).slice(0, 128) : undefined;
    if (result.outcome === 'dropped') {
      log.warn('delivery event dropped', { reason: result.reason, event_id: eventId });
      emitMetric('DeliveryEventsDropped', { reason: result.reason });
      return;
    }
    log.info('delivery event', { outcome: result.outcome, tenant_id: result.tenantId, event_type: result.eventType, event_id: eventId });
    emitMetric('DeliveryEvents', { outcome: result.outcome, event_type: result.eventType });
  };
}

/** The handler of one relay: its table, its clock, and where notifications go (the webhook outbox: SQS in AWS, in-process locally). */
export function createDeliveryEventsHandler(config: RelayConfig, aws: AwsWiring, outbox: WebhookOutbox) {
  const db = dynamoDocumentClient(aws);
  return middy(deliveryEventsHandler({
    configs: new ByocConfigStore(db, config.relayTable),
    deliveries: new DeliveryStore(db, config.relayTable, aws.clock),
    outbox,
    now: () => dateOf(aws.clock),
  })).use(observability());
}
