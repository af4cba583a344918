/**
 * The operator-only admin API: thin adapters from HTTP to the tenant use cases.
 * In AWS every method is IAM-authorised (SigV4); it is never reachable with a customer API key.
 */
import type { Clock } from '../../shared/clock';
import { ApiError } from '../../shared/errors';
import { httpApi, type RouteHandler } from '../../shared/http';
import * as z from 'zod/mini';
import { parseInput } from '../../shared/validation';
import { headerText, validUnicode } from '../../shared/text-rules';
import { adminRoutes } from '../api-routes';
import { PublishFailedError } from '../tenants/snapshot-publisher';
import { ApiKeyNotFoundError, KeyCountRefusedError, TenantNotFoundError } from '../tenants/tenant-store';
import { MAX_KEYS_PER_TENANT, TooManyKeysError, presentTenant, type TenantService } from '../tenants/tenant-service';

const plan = z.enum(['starter', 'byoc']);
/** A tenant's name is shown to operators as a label: the header text rules apply (refused, never rewritten). */
const name = z.nullable(z.string().check(z.trim(), z.minLength(1), z.maxLength(200), ...validUnicode, ...headerText));

const createTenantBody = z.strictObject({ plan, name: z.optional(name) });
const updateTenantBody = z.strictObject({
  plan: z.optional(plan),
  status: z.optional(z.enum(['active', 'suspended'])),
  sends_per_minute: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
  name: z.optional(name),
});
const createKeyBody = z.strictObject({
  expires_at: z.optional(z.nullable(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z' }))),
});

const tenantIdParam = z.object({ tenantId: z.string().check(z.regex(/^ten_[0-9a-f]{20}$/, 'must look like ten_ followed by 20 hex characters')) });
const keyIdParam = z.object({ keyId: z.string().check(z.regex(/^key_[0-9a-f]{16}$/, 'must look like key_ followed by 16 hex characters')) });

function tenantId(params: Record<string, string>): string {
  return parseInput(tenantIdParam, params, 'path').tenantId;
}

/** Maps the use cases' named errors to HTTP; anything else reaches the shared mapper. */
async function withDomainErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TenantNotFoundError) throw new ApiError('not_found', `Tenant ${error.message} does not exist. List tenants with the CLI or check the id.`);
    if (error instanceof ApiKeyNotFoundError) throw new ApiError('not_found', `API key ${error.message} does not exist for this tenant.`);
    if (error instanceof KeyCountRefusedError) throw new ApiError('conflict', 'The tenant kept changing while the key was being added; no key was added. Try again.');
    if (error instanceof TooManyKeysError) throw new ApiError('conflict', `A tenant can hold at most ${MAX_KEYS_PER_TENANT} keys (revoked ones included). Contact engineering to archive old keys.`);
    if (error instanceof PublishFailedError) throw new ApiError('upstream_unavailable', 'The change is stored but its event could not be published; run `tenant publish` for this tenant to send it again.');
    throw error;
  }
}

export function createAdminApi(service: TenantService, clock: Clock) {
  const routes: Record<keyof typeof adminRoutes, RouteHandler> = {
    createTenant: async (req) => {
      const body = parseInput(createTenantBody, req.body ?? {});
      const tenant = await withDomainErrors(() => service.createTenant(body));
      req.log.info('tenant created', { tenant_id: tenant.tenant_id, plan: tenant.plan });
      return { status: 201, body: { success: true, tenant: presentTenant(tenant) } };
    },
    getTenant: async (req) => {
      const tenant = await withDomainErrors(() => service.getTenant(tenantId(req.pathParameters)));
      return { status: 200, body: { success: true, tenant: presentTenant(tenant) } };
    },
    updateTenant: async (req) => {
      const id = tenantId(req.pathParameters);
      const body = parseInput(updateTenantBody, req.body ?? {});
      if (Object.keys(body).length === 0) throw new ApiError('invalid_request', 'Nothing to change: send at least one of plan, status, sends_per_minute, name.');
      const tenant = await withDomainErrors(() => service.updateTenant(id, body));
      req.log.info('tenant updated', { tenant_id: id, plan: tenant.plan, status: tenant.status, version: tenant.version });
      return { status: 200, body: { success: true, tenant: presentTenant(tenant) } };
    },
    listKeys: async (req) => {
      const tenant = await withDomainErrors(() => service.getTenant(tenantId(req.pathParameters)));
      return { status: 200, body: { success: true, api_keys: presentTenant(tenant).api_keys } };
    },
    createKey: async (req) => {
      const id = tenantId(req.pathParameters);
      const body = parseInput(createKeyBody, req.body ?? {});
      if (body.expires_at && Date.parse(body.expires_at) <= clock.now()) {
        throw new ApiError('invalid_request', 'expires_at is in the past; give a future date-time or omit it for a key that does not expire.', { issues: [{ path: 'expires_at', message: 'must be in the future' }] });
      }
      const { key } = await withDomainErrors(() => service.issueKey(id, body));
      req.log.info('api key issued', { tenant_id: id, key_id: key.key_id });
      return {
        status: 201,
        body: { success: true, ...key, note: 'Store api_key now: it is shown exactly once and only its hash is kept.' },
      };
    },
    revokeKey: async (req) => {
      const id = tenantId(req.pathParameters);
      const { keyId } = parseInput(keyIdParam, req.pathParameters, 'path');
      const tenant = await withDomainErrors(() => service.revokeKey(id, keyId));
      req.log.info('api key revoked', { tenant_id: id, key_id: keyId });
      return { status: 200, body: { success: true, tenant: presentTenant(tenant) } };
    },
    republish: async (req) => {
      const tenant = await withDomainErrors(() => service.publishCurrent(tenantId(req.pathParameters)));
      return { status: 200, body: { success: true, tenant: presentTenant(tenant) } };
    },
  };
  return httpApi({
    routes: Object.entries(adminRoutes).map(([name, spec]) => ({ ...spec, handle: routes[name as keyof typeof adminRoutes] })),
    maxBodyBytes: 16 * 1024,
  });
}
