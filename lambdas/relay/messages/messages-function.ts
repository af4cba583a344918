/** The message status function's composition root: clients and stores created once per cold start. */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { Authenticator } from '../auth/authenticator';
import type { RelayConfig } from '../relay-config';
import { DeliveryStore } from '../store/delivery-store';
import { ProjectionStore } from '../store/projection-store';
import { createMessageApi } from './message-routes';

export function createMessagesHandler(config: RelayConfig, aws: AwsWiring) {
  const db = dynamoDocumentClient(aws);
  return createMessageApi({
    authenticator: new Authenticator(new ProjectionStore(db, config.relayTable), aws.clock, { ttlMs: config.authCacheTtlMs }),
    deliveries: new DeliveryStore(db, config.relayTable),
  });
}
