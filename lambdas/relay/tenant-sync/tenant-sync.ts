/**
 * Applies a tenant snapshot event from the platform account. A malformed event is refused with an
 * error (so EventBridge retries and then dead-letters it) rather than half-applied. A snapshot with
 * `status: deleted` offboards the tenant: its relay data is removed (see ProjectionStore).
 */
import { logger } from '../../shared/logger';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, tenantSnapshotEventSchema, type TenantSnapshotEvent } from '../../shared/tenant-events';
import type { ApplyResult, ProjectionStore } from '../store/projection-store';

export class InvalidTenantEventError extends Error { override readonly name = 'InvalidTenantEventError'; }

export function createTenantSync(store: ProjectionStore) {
  return async (event: TenantSnapshotEvent): Promise<ApplyResult> => {
    if (event.source !== TENANT_EVENT_SOURCE || event['detail-type'] !== TENANT_SNAPSHOT_DETAIL_TYPE) {
      throw new InvalidTenantEventError(`unexpected event ${event.source}/${event['detail-type']}`);
    }
    const parsed = tenantSnapshotEventSchema.safeParse(event);
    if (!parsed.success) {
      // Field paths only: a value could be a tenant's name.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
      throw new InvalidTenantEventError(`tenant snapshot does not match the contract (${fields})`);
    }
    const snapshot = parsed.data.detail;
    const result = await store.apply(snapshot);
    logger.info('tenant snapshot applied', { event_id: event.id, tenant_id: snapshot.tenant_id, version: snapshot.version, ...result });
    return result;
  };
}
