/**
 * Publishes tenant snapshots. In AWS: EventBridge PutEvents on the platform bus, whose rule forwards
 * to the relay account's bus. Locally: an in-process function receiving the very same envelope.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshot } from '../../shared/tenant-events';

export type SnapshotPublisher = (snapshot: TenantSnapshot) => Promise<void>;

export class PublishFailedError extends Error { override readonly name = 'PublishFailedError'; }

export function eventBridgePublisher(client: EventBridgeClient, busName: string): SnapshotPublisher {
  return async (snapshot) => {
    const result = await client.send(new PutEventsCommand({
      Entries: [{
        EventBusName: busName,
        Source: TENANT_EVENT_SOURCE,
        DetailType: TENANT_SNAPSHOT_DETAIL_TYPE,
        Detail: JSON.stringify(snapshot),
      }],
    }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      throw new PublishFailedError(result.Entries?.[0]?.ErrorCode ?? 'unknown');
    }
  };
}
