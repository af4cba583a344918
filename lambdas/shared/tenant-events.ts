/**
 * The one contract between the two accounts: a full tenant snapshot, published by the platform
 * on every change and applied idempotently by the relay (newer version wins, older ones ignored).
 * API keys travel only as SHA-512 hashes with a short visible prefix.
 *
 * Deletion (offboarding) is the last snapshot of a tenant: `status: deleted`, every key revoked, one
 * version above the last. It is ordered with every other change by that version, and nothing follows it.
 *
 * One zod schema per shape; the types are inferred from them, so what the relay accepts and what the
 * platform publishes cannot drift apart.
 */
import * as z from 'zod/mini';

export const TENANT_EVENT_SOURCE = 'sendfleet.platform';
export const TENANT_SNAPSHOT_DETAIL_TYPE = 'TenantSnapshot';

/** Tenant ids as the platform mints them. */
const TENANT_ID = /^ten_[0-9a-f]{20}$/;
/** A SHA-512 hash in lower-case hex. */
const KEY_HASH = /^[0-9a-f]{128}$/;

export const planSchema = z.enum(['starter', 'byoc']);
/** `deleted`: offboarded for good; the relay removes the tenant's data and keeps only tombstones. */
export const tenantStatusSchema = z.enum(['active', 'suspended', 'deleted']);
export const apiKeyStatusSchema = z.enum(['active', 'revoked']);
/**
 * What a key may do: `full_access` every route; `sending_access` the send routes only, and when
 * `domains` is a list, only `from` addresses on those domains. Keys from before scopes count as
 * `full_access` (the fields are optional so that older snapshots still parse).
 */
export const keyScopeSchema = z.enum(['full_access', 'sending_access']);

export const apiKeySnapshotSchema = z.object({
  key_id: z.string().check(z.minLength(1)),
  key_hash: z.string().check(z.regex(KEY_HASH)),
  prefix: z.string(),
  status: apiKeyStatusSchema,
  /** ISO-8601 or null for no expiry. */
  expires_at: z.nullable(z.string()),
  /** The customer's label for the key ("production web"); never a secret. */
  name: z.optional(z.nullable(z.string())),
  /** Absent: `full_access` (keys issued before scopes). */
  scope: z.optional(keyScopeSchema),
  /** `sending_access` only: the sending domains this key may use in `from`; null or absent: any. */
  domains: z.optional(z.nullable(z.array(z.string()))),
  /** ISO-8601; absent on keys issued before it was published. */
  created_at: z.optional(z.string()),
});

export const tenantLimitsSchema = z.object({
  /** Send requests per minute per API key. */
  sends_per_minute: z.int().check(z.minimum(1)),
  /** Accepted sends per calendar month (UTC); null = not counted (BYOC plan). */
  monthly_sends: z.nullable(z.int().check(z.minimum(0))),
});

export const tenantSnapshotSchema = z.object({
  tenant_id: z.string().check(z.regex(TENANT_ID)),
  version: z.int().check(z.minimum(1)),
  name: z.nullable(z.string()),
  plan: planSchema,
  status: tenantStatusSchema,
  limits: tenantLimitsSchema,
  api_keys: z.array(apiKeySnapshotSchema),
  updated_at: z.string(),
});

/**
 * The envelope EventBridge delivers to a Lambda target (only the fields we read; the others are
 * dropped). Source and detail type are any string here: the relay's rule routes by them, and the
 * sync refuses another pair with its own error.
 */
export const tenantSnapshotEventSchema = z.object({
  id: z.optional(z.string()),
  source: z.string(),
  account: z.optional(z.string()),
  time: z.optional(z.string()),
  'detail-type': z.string(),
  detail: tenantSnapshotSchema,
});

export type Plan = z.infer<typeof planSchema>;
export type TenantStatus = z.infer<typeof tenantStatusSchema>;
export type ApiKeyStatus = z.infer<typeof apiKeyStatusSchema>;
export type KeyScope = z.infer<typeof keyScopeSchema>;
export type ApiKeySnapshot = z.infer<typeof apiKeySnapshotSchema>;
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
export type TenantSnapshot = z.infer<typeof tenantSnapshotSchema>;
export type TenantSnapshotEvent = z.infer<typeof tenantSnapshotEventSchema>;

export const planLimits: Record<Plan, TenantLimits> = {
  starter: { sends_per_minute: 60, monthly_sends: 50 },
  byoc: { sends_per_minute: 60, monthly_sends: null },
};
