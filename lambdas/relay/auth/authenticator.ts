/**
 * Customer authentication: `X-API-Key` → SHA-512 → one GetItem of the key's projection. The key
 * itself is never stored or logged. Positive lookups are cached (shared/refreshing-cache.ts): a
 * cached key is served while it is younger than `ttlMs` (default 5 s, counted from the start of the
 * read behind it) — the bound on how long a revocation, suspension or plan change takes to reach a
 * warm function after the event is applied. From half that age the first request to see the entry
 * reloads it in the background (one reload per key), so warm requests never wait for a reload; past
 * `ttlMs` a request waits for it. Expiry dates are checked on every request, cached or not. Unknown
 * and revoked keys are not cached (concurrent lookups of one share a read).
 */
import { constantTimeEqual, sha512Hex } from '../../shared/crypto';
import { ApiError } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { RouteSpec } from '../../shared/routes';
import type { KeyScope } from '../../shared/tenant-events';
import { RefreshingCache } from '../../shared/refreshing-cache';
import type { ApiKeyRecord, ProjectionStore, TenantProfile } from '../store/projection-store';
import { requireScope } from './scopes';

export interface Principal {
  tenantId: string;
  keyId: string;
  profile: TenantProfile;
  keyExpiresAt: string | null;
  /** What the key may do (keys from before scopes: `full_access`). */
  scope: KeyScope;
  /** `sending_access` keys only: the domains their `from` may use; null: any. */
  domains: string[] | null;
}

/** `sf_` + 43 base64url characters (32 random bytes); anything else cannot be a key we issued. */
const API_KEY_FORMAT = /^sf_[A-Za-z0-9_-]{43}$/;

export const AUTH_CACHE_TTL_MS = 5_000;

const unknownKey = () =>
  new ApiError('invalid_api_key', 'The API key is not valid. Check the X-API-Key header carries the whole key as issued (it starts with sf_), or ask your SendFleet operator for a new key.');

export class Authenticator {
  private readonly cache: RefreshingCache<Principal>;

  constructor(
    private readonly store: Pick<ProjectionStore, 'getApiKey'>,
    private readonly clock: Clock,
    options: { ttlMs?: number } = {},
  ) {
    this.cache = new RefreshingCache<Principal>(clock, { maxAgeMs: options.ttlMs ?? AUTH_CACHE_TTL_MS, maxEntries: 10_000 });
  }

  /**
   * Resolves the tenant behind the key for a call of `route`, or throws 401 invalid_api_key /
   * 403 tenant_suspended / 403 insufficient_scope (the key's scope does not admit the route): every
   * authenticated route passes here with its own table entry, so no handler checks scope itself.
   */
  async authenticate(headers: Record<string, string>, route: Pick<RouteSpec, 'scope' | 'purpose'>): Promise<Principal> {
    const apiKey = headers['x-api-key']?.trim();
    if (!apiKey) {
      throw new ApiError('invalid_api_key', 'Missing API key. Send it in the X-API-Key header.');
    }
    if (!API_KEY_FORMAT.test(apiKey)) throw unknownKey();
    const keyHash = sha512Hex(apiKey);
    const principal = await this.cache.get(keyHash, () => this.load(keyHash));
    const now = this.clock.now();
    if (principal.keyExpiresAt && Date.parse(principal.keyExpiresAt) <= now) {
      throw new ApiError('invalid_api_key', `The API key expired at ${principal.keyExpiresAt}. Ask your SendFleet operator for a new key.`);
    }
    if (principal.profile.status !== 'active') {
      throw new ApiError('tenant_suspended', 'This account is suspended. Contact SendFleet support to reactivate it.');
    }
    requireScope(principal, route);
    return principal;
  }

  /** Drops a key from this container's cache (a revocation made here): its next use reads the projection. */
  forget(keyHash: string): void {
    this.cache.delete(keyHash);
  }

  private async load(keyHash: string): Promise<Principal> {
    const record: ApiKeyRecord | undefined = await this.store.getApiKey(keyHash);
    // The lookup is by hash; the comparison of what came back is constant-time all the same.
    if (!record || !constantTimeEqual(record.key_hash, keyHash)) throw unknownKey();
    if (record.status !== 'active') {
      throw new ApiError('invalid_api_key', 'This API key has been revoked. Use another key or ask your SendFleet operator for a new one.');
    }
    // The key item carries its tenant's profile (same snapshot): one read authenticates.
    if (!record.tenant) throw unknownKey();
    return {
      tenantId: record.tenant_id, keyId: record.key_id, profile: record.tenant, keyExpiresAt: record.expires_at,
      scope: record.scope ?? 'full_access', domains: record.domains ?? null,
    };
  }
}
