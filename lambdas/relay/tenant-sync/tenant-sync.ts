/**
 * Applies a tenant snapshot event from the platform account. A malformed event is refused with an
 * error (so EventBridge retries and then dead-letters it) rather than half-applied. A snapshot with
 * `status: deleted` offboards the tenant: its relay data is removed (see ProjectionStore).
 */
import { logger } from '../../shared/logger';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshotEvent } from '../../shared/tenant-events';
import * as z from 'zod/mini';
import { parseInput } from '../../shared/validation';
import type { ApplyResult, ProjectionStore } from '../store/projection-store';

const snapshotSchema = z.object({
  tenant_id: z.string().check(z.regex(/^ten_[0-9a-f]{20}$/)),
  version: z.int().check(z.minimum(1)),
  name: z.nullable(z.string()),
  plan: z.enum(['starter', 'byoc']),
  status: z.enum(['active', 'suspended', 'deleted']),
  limits: z.object({ sends_per_minute: z.int().check(z.minimum(1)), monthly_sends: z.nullable(z.int().check(z.minimum(0))) }),
  api_keys: z.array(z.object({
    key_id: z.string().check(z.minLength(1)),
    key_hash: z.string().check(z.regex(/^[0-9a-f]{128}$/)),
    prefix: z.string(),
    status: z.enum(['active', 'revoked']),
    expires_at: z.nullable(z.string()),
  })),
  updated_at: z.string(),
});

export class InvalidTenantEventError extends Error { override readonly name = 'InvalidTenantEventError'; }

export function createTenantSync(store: ProjectionStore) {
  return async (event: TenantSnapshotEvent): Promise<ApplyResult> => {
    if (event.source !== TENANT_EVENT_SOURCE || event['detail-type'] !== TENANT_SNAPSHOT_DETAIL_TYPE) {
      throw new InvalidTenantEventError(`unexpected event ${event.source}/${event['detail-type']}`);
    }
    let snapshot;
    try {
      snapshot = parseInput(snapshotSchema, event.detail, 'tenant snapshot');
    } catch {
      throw new InvalidTenantEventError('tenant snapshot does not match the contract');
    }
    const result = await store.apply(snapshot);
    logger.info('tenant snapshot applied', { event_id: event.id, tenant_id: snapshot.tenant_id, version: snapshot.version, ...result });
    return result;
  };
}
