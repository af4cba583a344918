/**
 * Tenant and API-key use cases of the platform account. Every change is followed by publishing
 * the tenant's full snapshot; if publishing fails the change stays stored, the caller gets an
 * error, and `republish` (or any later change) sends the current snapshot again.
 */
import { randomBytes } from 'node:crypto';
import { sha512Hex } from '../../shared/crypto';
import { planLimits, type Plan, type TenantSnapshot, type TenantStatus } from '../../shared/tenant-events';
import type { SnapshotPublisher } from './snapshot-publisher';
import { KeyCountRefusedError, type NewApiKey, type TenantChanges, type TenantStore } from './tenant-store';
import { dateOf, type Clock } from '../../shared/clock';

export const MAX_KEYS_PER_TENANT = 100;
/** Visible part of a key, kept for support ("which key is this?"): `sf_` + 8 characters. */
export const KEY_PREFIX_LENGTH = 11;

export class TooManyKeysError extends Error { override readonly name = 'TooManyKeysError'; }

export interface TenantServiceDeps {
  store: TenantStore;
  publish: SnapshotPublisher;
  clock: Clock;
}

export interface IssuedKey {
  key_id: string;
  api_key: string;
  prefix: string;
  expires_at: string | null;
}

export class TenantService {
  constructor(private readonly deps: TenantServiceDeps) {}

  private now(): Date {
    return dateOf(this.deps.clock);
  }

  async createTenant(input: { plan: Plan; name?: string | null }): Promise<TenantSnapshot> {
    const tenantId = `ten_${randomBytes(10).toString('hex')}`;
    const limits = planLimits[input.plan];
    await this.deps.store.create({
      tenant_id: tenantId, name: input.name ?? null, plan: input.plan,
      sends_per_minute: limits.sends_per_minute, monthly_sends: limits.monthly_sends, now: this.now().toISOString(),
    });
    return this.publishCurrent(tenantId);
  }

  async updateTenant(tenantId: string, input: { plan?: Plan; status?: TenantStatus; sends_per_minute?: number; name?: string | null }): Promise<TenantSnapshot> {
    const changes: TenantChanges = { ...input };
    // A plan change brings the plan's monthly limit with it; the rate limit is kept unless given.
    if (input.plan) changes.monthly_sends = planLimits[input.plan].monthly_sends;
    await this.deps.store.update(tenantId, changes, this.now().toISOString());
    return this.publishCurrent(tenantId);
  }

  /** At most MAX_KEYS_PER_TENANT keys, exactly: the store counts them in the same transaction as the key. */
  async issueKey(tenantId: string, input: { expires_at?: string | null }): Promise<{ key: IssuedKey; tenant: TenantSnapshot }> {
    const apiKey = `sf_${randomBytes(32).toString('base64url')}`;
    const key = {
      key_id: `key_${randomBytes(8).toString('hex')}`,
      key_hash: sha512Hex(apiKey),
      prefix: apiKey.slice(0, KEY_PREFIX_LENGTH),
      status: 'active' as const,
      expires_at: input.expires_at ?? null,
      created_at: this.now().toISOString(),
    };
    await this.addCountedKey(tenantId, key);
    const tenant = await this.publishCurrent(tenantId);
    return { key: { key_id: key.key_id, api_key: apiKey, prefix: key.prefix, expires_at: key.expires_at }, tenant };
  }

  /**
   * The profile refuses when the cap is reached, or (a profile from before keys were counted) when
   * the tenant changed after we read it: read again and retry, a few times.
   */
  private async addCountedKey(tenantId: string, key: NewApiKey): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.store.snapshot(tenantId);
      if (current.api_keys.length >= MAX_KEYS_PER_TENANT) throw new TooManyKeysError(tenantId);
      try {
        await this.deps.store.addKey(tenantId, key, MAX_KEYS_PER_TENANT, { version: current.version, keys: current.api_keys.length });
        return;
      } catch (error) {
        if (!(error instanceof KeyCountRefusedError) || attempt >= 5) throw error;
      }
    }
  }

  async revokeKey(tenantId: string, keyId: string): Promise<TenantSnapshot> {
    await this.deps.store.revokeKey(tenantId, keyId, this.now().toISOString());
    return this.publishCurrent(tenantId);
  }

  getTenant(tenantId: string): Promise<TenantSnapshot> {
    return this.deps.store.snapshot(tenantId);
  }

  /** Reads the latest state (not the one just written) so that a publish always carries everything. */
  async publishCurrent(tenantId: string): Promise<TenantSnapshot> {
    const snapshot = await this.deps.store.snapshot(tenantId);
    await this.deps.publish(snapshot);
    return snapshot;
  }
}

/** What the admin API shows of a tenant: never the key hashes. */
export function presentTenant(snapshot: TenantSnapshot) {
  return {
    tenant_id: snapshot.tenant_id,
    name: snapshot.name,
    plan: snapshot.plan,
    status: snapshot.status,
    limits: snapshot.limits,
    version: snapshot.version,
    updated_at: snapshot.updated_at,
    api_keys: snapshot.api_keys.map(({ key_id, prefix, status, expires_at }) => ({ key_id, prefix, status, expires_at })),
  };
}
