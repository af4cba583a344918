/**
 * Tenant and API-key use cases of the platform account. Every change is followed by publishing
 * the tenant's full snapshot; if publishing fails the change stays stored, the caller gets an
 * error, and `republish` (or any later change) sends the current snapshot again. A request that
 * changes nothing (a second suspend, revoke or delete) writes nothing, keeps the version and
 * publishes nothing: it answers the tenant as it is.
 */
import { randomBytes } from 'node:crypto';
import { sha512Hex } from '../../shared/crypto';
import { planLimits, type KeyScope, type Plan, type TenantSnapshot } from '../../shared/tenant-events';
import type { SnapshotPublisher } from './snapshot-publisher';
import { ApiKeyNotFoundError, KeyCountRefusedError, TenantDeletedError, liveKeyCount, type NewApiKey, type RetiredKey, type TenantChanges, type TenantStore, type TenantSummary } from './tenant-store';
import { dateOf, type Clock } from '../../shared/clock';

import { MAX_KEYS_PER_TENANT } from '../../shared/key-options';

export { MAX_KEYS_PER_TENANT };
/** How often a change that met a concurrent one is read and decided again before giving up. */
const COUNTED_WRITE_ATTEMPTS = 5;
/** Visible part of a key, kept for support ("which key is this?"): `sf_` + 8 characters. */
export const KEY_PREFIX_LENGTH = 11;

export class TooManyKeysError extends Error { override readonly name = 'TooManyKeysError'; }
/** A key that is revoked or expired cannot be rotated: there is nothing to overlap with. */
export class KeyNotActiveError extends Error {
  override readonly name = 'KeyNotActiveError';
  constructor(readonly keyId: string, readonly why: 'revoked' | 'expired') { super(keyId); }
}

/** How long a rotated key keeps working by default, beside its replacement. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;

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
  name: string | null;
  scope: KeyScope;
  domains: string[] | null;
  created_at: string;
}

/** What the issuer of a key decides about it; a rotation's new key inherits name, scope and domains. */
export interface KeyOptions {
  expires_at?: string | null;
  name?: string | null;
  /** Default `full_access`. */
  scope?: KeyScope;
  /** `sending_access` only; null or absent: any of the tenant's domains. */
  domains?: string[] | null;
}

export interface TenantPage {
  tenants: TenantSummary[];
  /** The tenant to list after, for the next page; undefined on the last page. */
  last?: string;
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

  async updateTenant(tenantId: string, input: Omit<TenantChanges, 'monthly_sends'>): Promise<TenantSnapshot> {
    const changes: TenantChanges = { ...input };
    // A plan change brings the plan's monthly limit with it; the rate limit is kept unless given.
    if (input.plan) changes.monthly_sends = planLimits[input.plan].monthly_sends;
    const outcome = await this.deps.store.update(tenantId, changes, this.now().toISOString());
    return outcome === 'changed' ? this.publishCurrent(tenantId) : this.getTenant(tenantId);
  }

  /** At most MAX_KEYS_PER_TENANT live keys, exactly: the store counts them in the same transaction as the key. */
  async issueKey(tenantId: string, input: KeyOptions): Promise<{ key: IssuedKey; tenant: TenantSnapshot }> {
    const made = this.newKey(input);
    const { key, apiKey } = await this.addCountedKey(tenantId, () => ({ ...made, retire: undefined }));
    const tenant = await this.publishCurrent(tenantId);
    return { key: issued(key, apiKey), tenant };
  }

  /**
   * Issues a new key and makes the old one expire after `overlap_seconds` (never later than it
   * already would), in one change: the old key keeps working until then, so the customer can swap
   * keys without a failed request.
   */
  async rotateKey(tenantId: string, oldKeyId: string, input: { overlap_seconds?: number; expires_at?: string | null }): Promise<{ key: IssuedKey; replaced: RetiredKey; tenant: TenantSnapshot }> {
    const now = this.now().getTime();
    const overlapEnds = now + (input.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS) * 1000;
    const { key, apiKey, retire: replaced } = await this.addCountedKey(tenantId, (current) => {
      const old = current.api_keys.find((k) => k.key_id === oldKeyId);
      if (!old) throw new ApiKeyNotFoundError(oldKeyId);
      if (old.status !== 'active') throw new KeyNotActiveError(oldKeyId, 'revoked');
      const oldExpiry = old.expires_at === null ? Infinity : Date.parse(old.expires_at);
      if (oldExpiry <= now) throw new KeyNotActiveError(oldKeyId, 'expired');
      // The replacement may do exactly what the old key could.
      const made = this.newKey({ expires_at: input.expires_at ?? null, name: old.name ?? null, scope: old.scope ?? 'full_access', domains: old.domains ?? null });
      return { ...made, retire: { key_id: oldKeyId, expires_at: new Date(Math.min(oldExpiry, overlapEnds)).toISOString() } };
    });
    const tenant = await this.publishCurrent(tenantId);
    return { key: issued(key, apiKey), replaced, tenant };
  }

  private newKey(options: KeyOptions): { key: NewApiKey; apiKey: string } {
    const apiKey = `sf_${randomBytes(32).toString('base64url')}`;
    const scope = options.scope ?? 'full_access';
    const key: NewApiKey = {
      key_id: `key_${randomBytes(8).toString('hex')}`,
      key_hash: sha512Hex(apiKey),
      prefix: apiKey.slice(0, KEY_PREFIX_LENGTH),
      status: 'active',
      expires_at: options.expires_at ?? null,
      created_at: this.now().toISOString(),
      name: options.name ?? null,
      scope,
      domains: scope === 'sending_access' ? options.domains ?? null : null,
    };
    return { key, apiKey };
  }

  /**
   * The profile refuses when the cap is reached, when the tenant is deleted, or (a profile from
   * before keys were counted, a key to retire that changed) when the tenant changed after we read
   * it: read again, decide again (`decide` may throw; it gives the key to add and may name one to
   * retire). Returns the decision that was stored.
   */
  private addCountedKey<R extends RetiredKey | undefined>(tenantId: string, decide: (current: TenantSnapshot) => { key: NewApiKey; apiKey: string; retire: R }): Promise<{ key: NewApiKey; apiKey: string; retire: R }> {
    return this.countedWrite(tenantId, async (current) => {
      if (current.status === 'deleted') throw new TenantDeletedError(tenantId);
      const decision = decide(current);
      const live = liveKeyCount(current);
      if (live >= MAX_KEYS_PER_TENANT) throw new TooManyKeysError(tenantId);
      await this.deps.store.addKey(tenantId, decision.key, MAX_KEYS_PER_TENANT, { version: current.version, keys: live }, decision.retire);
      return decision;
    });
  }

  /** Revokes the key and gives its slot back in the same write. */
  async revokeKey(tenantId: string, keyId: string): Promise<TenantSnapshot> {
    const outcome = await this.countedWrite(tenantId, (current) =>
      this.deps.store.revokeKey(tenantId, keyId, this.now().toISOString(), { version: current.version, keys: liveKeyCount(current) }));
    return outcome === 'changed' ? this.publishCurrent(tenantId) : this.getTenant(tenantId);
  }

  /**
   * A write that changes the live-key count, made against the tenant as just read: when the profile
   * refuses it because the tenant changed meanwhile (KeyCountRefusedError), read again and write
   * again, a few times.
   */
  private async countedWrite<T>(tenantId: string, write: (current: TenantSnapshot) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.store.snapshot(tenantId);
      try {
        return await write(current);
      } catch (error) {
        if (!(error instanceof KeyCountRefusedError) || attempt >= COUNTED_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Offboards the tenant: its last snapshot (status deleted, every key revoked) tells the relay to
   * remove its data. The profile stays as a tombstone, so the tenant's versions keep growing and
   * nothing can bring it back. Deleting again answers the same tenant and publishes nothing.
   */
  async deleteTenant(tenantId: string): Promise<TenantSnapshot> {
    const outcome = await this.deps.store.markDeleted(tenantId, this.now().toISOString());
    return outcome === 'changed' ? this.publishCurrent(tenantId) : this.getTenant(tenantId);
  }

  /** Tenants that are not deleted, a page at a time (see TenantStore.listProfiles). */
  listTenants(limit: number, after?: string): Promise<TenantPage> {
    return this.deps.store.listProfiles(limit, after);
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

const issued = (key: NewApiKey, apiKey: string): IssuedKey => ({
  key_id: key.key_id, api_key: apiKey, prefix: key.prefix, expires_at: key.expires_at,
  name: key.name, scope: key.scope, domains: key.domains, created_at: key.created_at,
});

/** What the admin API shows of a tenant in a list: the profile, no keys. */
export function presentTenantSummary(tenant: TenantSummary) {
  return {
    tenant_id: tenant.tenant_id,
    name: tenant.name,
    plan: tenant.plan,
    status: tenant.status,
    limits: tenant.limits,
    version: tenant.version,
    updated_at: tenant.updated_at,
  };
}

/** What the admin API shows of a tenant: never the key hashes. */
export function presentTenant(snapshot: TenantSnapshot) {
  return {
    ...presentTenantSummary(snapshot),
    api_keys: snapshot.api_keys.map(({ key_id, prefix, status, expires_at, name, scope, domains, created_at }) => ({
      key_id, prefix, status, expires_at, name: name ?? null, scope: scope ?? 'full_access', domains: domains ?? null, created_at: created_at ?? null,
    })),
  };
}
