/**
 * The one contract between the two accounts: a full tenant snapshot, published by the platform
 * on every change and applied idempotently by the relay (newer version wins, older ones ignored).
 * API keys travel only as SHA-512 hashes with a short visible prefix.
 *
 * Deletion (offboarding) is the last snapshot of a tenant: `status: deleted`, every key revoked, one
 * version above the last. It is ordered with every other change by that version, and nothing follows it.
 */
export const TENANT_EVENT_SOURCE = 'sendfleet.platform';
export const TENANT_SNAPSHOT_DETAIL_TYPE = 'TenantSnapshot';

export type Plan = 'starter' | 'byoc';
/** `deleted`: offboarded for good; the relay removes the tenant's data and keeps only tombstones. */
export type TenantStatus = 'active' | 'suspended' | 'deleted';
export type ApiKeyStatus = 'active' | 'revoked';

export interface ApiKeySnapshot {
  key_id: string;
  key_hash: string;
  prefix: string;
  status: ApiKeyStatus;
  /** ISO-8601 or null for no expiry. */
  expires_at: string | null;
}

export interface TenantLimits {
  /** Send requests per minute per API key. */
  sends_per_minute: number;
  /** Accepted sends per calendar month (UTC); null = not counted (BYOC plan). */
  monthly_sends: number | null;
}

export interface TenantSnapshot {
  tenant_id: string;
  version: number;
  name: string | null;
  plan: Plan;
  status: TenantStatus;
  limits: TenantLimits;
  api_keys: ApiKeySnapshot[];
  updated_at: string;
}

export const planLimits: Record<Plan, TenantLimits> = {
  starter: { sends_per_minute: 60, monthly_sends: 50 },
  byoc: { sends_per_minute: 60, monthly_sends: null },
};

/** The envelope EventBridge delivers to a Lambda target (only the fields we read). */
export interface TenantSnapshotEvent {
  id?: string;
  source: string;
  account?: string;
  time?: string;
  'detail-type': string;
  detail: TenantSnapshot;
}
