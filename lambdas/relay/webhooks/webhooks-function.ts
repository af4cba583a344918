/** The webhook endpoint API's composition root: clients and stores created once per cold start. */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { Authenticator } from '../auth/authenticator';
import type { RelayConfig } from '../relay-config';
import { ProjectionStore } from '../store/projection-store';
import { WebhookStore } from '../store/webhook-store';
import { systemResolver, type AddressResolver } from './url-guard';
import { createWebhooksApi } from './webhooks-api';

export function createWebhooksHandler(config: RelayConfig, aws: AwsWiring, resolver: AddressResolver = systemResolver) {
  const db = dynamoDocumentClient(aws);
  return createWebhooksApi({
    authenticator: new Authenticator(new ProjectionStore(db, config.relayTable), aws.clock, { ttlMs: config.authCacheTtlMs }),
    webhooks: new WebhookStore(db, config.relayTable),
    resolver,
    urlPolicy: { allowLoopbackHttp: config.webhookLoopbackHttp === true },
    clock: aws.clock,
  });
}
