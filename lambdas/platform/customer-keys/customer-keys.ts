/**
 * The platform's side of self-service keys: the relay's keys function invokes this (cross-account,
 * synchronously) with a zod-validated request and gets the tenant's snapshot back, and for a create
 * the issued key with its secret. The same TenantService as the admin API decides, stores and
 * publishes, so the platform stays the system of record and every change still travels as a
 * snapshot event. Refusals are answers (`ok: false`), never thrown: the relay maps each code.
 */
import { customerKeysRequestSchema, type CustomerKeysRefusal, type CustomerKeysResult } from '../../shared/customer-keys';
import { logger } from '../../shared/logger';
import type { SnapshotPublisher } from '../tenants/snapshot-publisher';
import { TooManyKeysError, type TenantService } from '../tenants/tenant-service';
import { ApiKeyNotFoundError, TenantDeletedError, TenantNotFoundError } from '../tenants/tenant-store';

/**
 * This function's publisher: a snapshot that could not be published is logged, not thrown. The relay
 * applies the snapshot of the answer itself, so the key works (or stops) at once either way, and the
 * next change of the tenant (or `tenant publish`) carries it to the bus. Thrown, it would cost the
 * customer the secret of a key that is stored (an answer without it) and leave an orphan to revoke.
 */
export function publishedOrLogged(publish: SnapshotPublisher): SnapshotPublisher {
  return async (snapshot) => {
    try {
      await publish(snapshot);
    } catch (error) {
      logger.error('tenant snapshot not published; the relay applied it from the answer', {
        tenant_id: snapshot.tenant_id, version: snapshot.version, error_name: error instanceof Error ? error.name : typeof error,
      });
    }
  };
}

/** The use cases' named refusals; anything else is a failure (the relay answers upstream_unavailable). */
function refusalOf(error: unknown): CustomerKeysRefusal | undefined {
  if (error instanceof TooManyKeysError) return 'key_limit_reached';
  if (error instanceof ApiKeyNotFoundError) return 'key_not_found';
  if (error instanceof TenantNotFoundError) return 'tenant_not_found';
  if (error instanceof TenantDeletedError) return 'tenant_deleted';
  return undefined;
}

export function createCustomerKeys(service: TenantService) {
  return async (input: unknown): Promise<CustomerKeysResult> => {
    const parsed = customerKeysRequestSchema.safeParse(input);
    if (!parsed.success) {
      // Field paths only: a value could be a key's name.
      logger.warn('customer keys request refused', { fields: [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ') });
      return { ok: false, refusal: 'invalid_request' };
    }
    const request = parsed.data;
    try {
      switch (request.operation) {
        case 'list':
          return { ok: true, tenant: await service.getTenant(request.tenant_id) };
        case 'create': {
          const { key, tenant } = await service.issueKey(request.tenant_id, { name: request.name, scope: request.scope, domains: request.domains, expires_at: request.expires_at });
          logger.info('api key issued (self-service)', { tenant_id: request.tenant_id, key_id: key.key_id, scope: key.scope });
          return { ok: true, tenant, key };
        }
        case 'revoke': {
          const tenant = await service.revokeKey(request.tenant_id, request.key_id);
          logger.info('api key revoked (self-service)', { tenant_id: request.tenant_id, key_id: request.key_id });
          return { ok: true, tenant };
        }
      }
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === undefined) throw error;
      return { ok: false, refusal };
    }
  };
}
