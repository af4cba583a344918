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
import { domainsNeedSendingScope, keyOptionFields } from '../../shared/key-options';
import { ApiKeyNotFoundError, KeyCountRefusedError, TenantDeletedError, TenantNotFoundError } from '../tenants/tenant-store';
import { DEFAULT_ROTATION_OVERLAP_SECONDS, KeyNotActiveError, MAX_KEYS_PER_TENANT, TooManyKeysError, presentTenant, presentTenantSummary, type TenantService } from '../tenants/tenant-service';

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
const expiresAt = z.optional(z.nullable(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z' })));
const createKeyBody = z.strictObject({ expires_at: expiresAt, ...keyOptionFields }).check(domainsNeedSendingScope);
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 24 * 3600;
const rotateKeyBody = z.strictObject({
  overlap_seconds: z.optional(z.int().check(
    z.minimum(0, `must be from 0 to ${MAX_ROTATION_OVERLAP_SECONDS} seconds (30 days); default ${DEFAULT_ROTATION_OVERLAP_SECONDS} (24 h)`),
    z.maximum(MAX_ROTATION_OVERLAP_SECONDS, `must be from 0 to ${MAX_ROTATION_OVERLAP_SECONDS} seconds (30 days); default ${DEFAULT_ROTATION_OVERLAP_SECONDS} (24 h)`),
  )),
  expires_at: expiresAt,
});

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
const listTenantsQuery = z.strictObject({
  limit: z.optional(z.string().check(z.regex(/^(?:[1-9][0-9]?|100)$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}), e.g. limit=20`))),
  cursor: z.optional(z.string()),
});

const tenantIdParam = z.object({ tenantId: z.string().check(z.regex(/^ten_[0-9a-f]{20}$/, 'must look like ten_ followed by 20 hex characters')) });
const keyIdParam = z.object({ keyId: z.string().check(z.regex(/^key_[0-9a-f]{16}$/, 'must look like key_ followed by 16 hex characters')) });

function tenantId(params: Record<string, string>): string {
  return parseInput(tenantIdParam, params, 'path').tenantId;
}

/**
 * The list's cursor: opaque to callers (base64url of the last tenant listed), checked on the way in.
 * Anything but a cursor this API returned is refused with how to go on.
 */
export function encodeCursor(afterTenantId: string): string {
  return Buffer.from(JSON.stringify({ after: afterTenantId })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown }).after;
  } catch { /* refused below */ }
  if (/^[A-Za-z0-9_-]+$/.test(cursor) && tenantIdParam.safeParse({ tenantId: after }).success) return after as string;
  throw new ApiError('invalid_request', 'The query string is invalid: cursor is not one this API returned. Pass next_cursor from the previous page unchanged, or leave cursor out to start from the first page.', {
    issues: [{ path: 'cursor', message: 'must be the next_cursor of a previous page' }],
  });
}

/** A new key's expiry must be in the future (or absent: no expiry). */
function requireFutureExpiry(expires: string | null | undefined, clock: Clock): void {
  if (expires && Date.parse(expires) <= clock.now()) {
    throw new ApiError('invalid_request', 'expires_at is in the past; give a future date-time or omit it for a key that does not expire.', { issues: [{ path: 'expires_at', message: 'must be in the future' }] });
  }
}

/** Maps the use cases' named errors to HTTP; anything else reaches the shared mapper. */
async function withDomainErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TenantNotFoundError) throw new ApiError('not_found', `Tenant ${error.message} does not exist. List tenants with the CLI or check the id.`);
    if (error instanceof TenantDeletedError) throw new ApiError('conflict', `Tenant ${error.message} is deleted (offboarded) and cannot change any more; \`tenant show\` still shows it. Create a new tenant for a returning customer.`);
    if (error instanceof KeyNotActiveError) throw new ApiError('conflict', `API key ${error.keyId} is ${error.why}: there is nothing to rotate. Issue a new key with \`key create\` instead.`);
    if (error instanceof ApiKeyNotFoundError) throw new ApiError('not_found', `API key ${error.message} does not exist for this tenant.`);
    if (error instanceof KeyCountRefusedError) throw new ApiError('conflict', 'The tenant kept changing while the key was being added; no key was added. Try again.');
    if (error instanceof TooManyKeysError) throw new ApiError('conflict', `A tenant can hold at most ${MAX_KEYS_PER_TENANT} keys that are not revoked (expired ones count until revoked). Revoke keys that are no longer used (\`key revoke\`), then issue this one.`);
    if (error instanceof PublishFailedError) throw new ApiError('upstream_unavailable', 'The change is stored but its event could not be published; run `tenant publish` for this tenant to send it again.');
    throw error;
  }
}

export function createAdminApi(service: TenantService, clock: Clock) {
  const routes: Record<keyof typeof adminRoutes, RouteHandler> = {
    listTenants: async (req) => {
      const query = parseInput(listTenantsQuery, req.query, 'query string');
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const page = await service.listTenants(query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit), after);
      return {
        status: 200,
        body: { success: true, tenants: page.tenants.map(presentTenantSummary), next_cursor: page.last === undefined ? null : encodeCursor(page.last) },
      };
    },
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
    deleteTenant: async (req) => {
      const id = tenantId(req.pathParameters);
      const tenant = await withDomainErrors(() => service.deleteTenant(id));
      req.log.info('tenant deleted', { tenant_id: id, version: tenant.version });
      return { status: 200, body: { success: true, tenant: presentTenant(tenant) } };
    },
    listKeys: async (req) => {
      const tenant = await withDomainErrors(() => service.getTenant(tenantId(req.pathParameters)));
      return { status: 200, body: { success: true, api_keys: presentTenant(tenant).api_keys } };
    },
    createKey: async (req) => {
      const id = tenantId(req.pathParameters);
      const body = parseInput(createKeyBody, req.body ?? {});
      requireFutureExpiry(body.expires_at, clock);
      const { key } = await withDomainErrors(() => service.issueKey(id, body));
      // The key's name is the customer's label: not logged; its scope is not private.
      req.log.info('api key issued', { tenant_id: id, key_id: key.key_id, scope: key.scope, domains: key.domains?.length ?? null });
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
    rotateKey: async (req) => {
      const id = tenantId(req.pathParameters);
      const { keyId } = parseInput(keyIdParam, req.pathParameters, 'path');
      const body = parseInput(rotateKeyBody, req.body ?? {});
      requireFutureExpiry(body.expires_at, clock);
      const { key, replaced } = await withDomainErrors(() => service.rotateKey(id, keyId, body));
      req.log.info('api key rotated', { tenant_id: id, key_id: key.key_id, replaced_key_id: keyId });
      return {
        status: 201,
        body: { success: true, ...key, replaced, note: `Store api_key now: it is shown exactly once and only its hash is kept. ${keyId} keeps working until ${replaced.expires_at}.` },
      };
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
