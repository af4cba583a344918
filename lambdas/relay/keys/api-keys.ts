/**
 * Self-service API keys, the relay's use case: list, create and revoke a tenant's keys through the
 * KeyRegistry (the platform stays the system of record), then apply the snapshot the platform
 * answers to the relay's projection with the same version-ordered, idempotent write the tenant sync
 * uses, so a new key works on the very next request and a revoked one stops (other warm functions
 * within their authentication cache's bound, AUTH_CACHE_TTL_MS). The key making a request cannot
 * revoke itself. (Only full-access keys reach here: the authenticator checks the routes' scope.)
 */
import type { Clock } from '../../shared/clock';
import { logger, type Logger } from '../../shared/logger';
import type { CustomerKeysRefusal, CustomerKeysResult, IssuedKeyAnswer } from '../../shared/customer-keys';
import { MAX_KEYS_PER_TENANT } from '../../shared/key-options';
import { refusal, RefusedError, type Refusal } from '../../shared/refusal';
import type { ApiKeySnapshot, KeyScope, TenantSnapshot } from '../../shared/tenant-events';
import type { Principal } from '../auth/authenticator';
import { covers } from '../byoc/domain-cover';
import type { DomainStore } from '../store/domain-store';
import type { ProjectionStore } from '../store/projection-store';
import type { KeyRegistry } from './key-registry';

/** The latest expiry a new key may have, from now. */
export const MAX_KEY_LIFETIME_DAYS = 365;

export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface KeyView {
  id: string;
  name: string | null;
  prefix: string;
  scope: KeyScope;
  domains: string[] | null;
  status: KeyStatus;
  created_at: string | null;
  expires_at: string | null;
  /** The key making this request. */
  current: boolean;
}

export interface CreatedKey {
  id: string;
  /** The secret: answered once, never stored by the relay. */
  key: string;
  name: string | null;
  prefix: string;
  scope: KeyScope;
  domains: string[] | null;
  created_at: string;
  expires_at: string | null;
}

export interface NewKeyInput {
  name: string;
  scope?: KeyScope;
  /** Sending keys only (the request schema refuses them otherwise); null or absent: any domain. */
  domains?: string[] | null;
  expires_at?: string;
}

export interface ApiKeysDeps {
  registry: KeyRegistry;
  projection: Pick<ProjectionStore, 'apply'>;
  domains: Pick<DomainStore, 'list'>;
  clock: Clock;
  /** Drops a revoked key from this container's authentication cache (by its hash). */
  forgetKey: (keyHash: string) => void;
  log?: Pick<Logger, 'warn'>;
}

const PLATFORM_REFUSALS: Record<CustomerKeysRefusal, Refusal | undefined> = {
  key_limit_reached: refusal('key_limit_reached', `Your account has ${MAX_KEYS_PER_TENANT} API keys that are not revoked, the most it can hold (expired keys count until they are revoked). Revoke keys you no longer use, then create this one.`),
  key_not_found: refusal('key_not_found', 'No API key of your account has this id. List your keys to see their ids.'),
  tenant_not_found: refusal('invalid_api_key', 'This account no longer exists at SendFleet, so its API keys no longer work. Contact SendFleet support.'),
  tenant_deleted: refusal('invalid_api_key', 'This account was closed, so its API keys no longer work. Contact SendFleet support.'),
  // Our own request broke the contract: nothing the customer can fix (answered as internal_error).
  invalid_request: undefined,
};

function statusOf(key: ApiKeySnapshot, now: number): KeyStatus {
  if (key.status === 'revoked') return 'revoked';
  return key.expires_at !== null && Date.parse(key.expires_at) <= now ? 'expired' : 'active';
}

export class ApiKeys {
  constructor(private readonly deps: ApiKeysDeps) {}

  async list(principal: Principal): Promise<KeyView[]> {
    const tenant = this.snapshotOf(await this.deps.registry.list(principal.tenantId)).tenant;
    const now = this.deps.clock.now();
    return tenant.api_keys
      .map((key): KeyView => ({
        id: key.key_id, name: key.name ?? null, prefix: key.prefix, scope: key.scope ?? 'full_access', domains: key.domains ?? null,
        status: statusOf(key, now), created_at: key.created_at ?? null, expires_at: key.expires_at, current: key.key_id === principal.keyId,
      }))
      // Newest first; keys from before creation times were kept go last.
      .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
  }

  async create(principal: Principal, input: NewKeyInput): Promise<CreatedKey> {
    const scope = input.scope ?? 'full_access';
    await this.checkDomainsAdded(principal.tenantId, input.domains ?? null);
    this.checkExpiry(input.expires_at);
    const result = this.snapshotOf(await this.deps.registry.create(principal.tenantId, {
      name: input.name, scope, domains: input.domains ?? null, expires_at: input.expires_at ?? null,
    }));
    const key: IssuedKeyAnswer | undefined = result.key;
    if (!key) throw new Error('the platform answered a create without its key');
    // The key is stored: whatever happens here, the customer gets its secret (it is never shown
    // again). If our own apply fails, the platform's event applies the same snapshot moments later.
    await this.applyToProjection(result.tenant).catch((error: unknown) => {
      (this.deps.log ?? logger).warn('new key not applied to the projection; the tenant event will apply it', {
        tenant_id: principal.tenantId, key_id: key.key_id, error_name: error instanceof Error ? error.name : typeof error,
      });
    });
    return { id: key.key_id, key: key.api_key, name: key.name, prefix: key.prefix, scope: key.scope, domains: key.domains, created_at: key.created_at, expires_at: key.expires_at };
  }

  async revoke(principal: Principal, keyId: string): Promise<{ id: string; status: 'revoked' }> {
    if (keyId === principal.keyId) {
      throw new RefusedError(refusal('key_in_use', 'This is the API key making the request: revoking it would sign you out. Sign in with another full-access key to revoke this one.'));
    }
    const { tenant } = this.snapshotOf(await this.deps.registry.revoke(principal.tenantId, keyId));
    await this.applyToProjection(tenant);
    const revoked = tenant.api_keys.find((key) => key.key_id === keyId);
    if (revoked) this.deps.forgetKey(revoked.key_hash);
    return { id: keyId, status: 'revoked' };
  }

  /** The platform's answer, or its refusal in our words. */
  private snapshotOf(result: CustomerKeysResult): Extract<CustomerKeysResult, { ok: true }> {
    if (result.ok) return result;
    const refused = PLATFORM_REFUSALS[result.refusal];
    if (!refused) throw new Error(`the platform refused the relay's request as ${result.refusal}`);
    throw new RefusedError(refused);
  }

  /** The same write the tenant sync makes (newer versions only): the event that follows finds it applied. */
  private async applyToProjection(tenant: TenantSnapshot): Promise<void> {
    // A deleted tenant's snapshot also empties its partition: that is the tenant sync's job alone.
    if (tenant.status !== 'deleted') await this.deps.projection.apply(tenant);
  }

  /**
   * A sending key may be limited only to domains the account added, or subdomains of them (an added
   * `acme.com` sends from `mail.acme.com` too, and a key may be limited to just that subdomain).
   */
  private async checkDomainsAdded(tenantId: string, domains: string[] | null): Promise<void> {
    if (domains === null) return;
    const added = (await this.deps.domains.list(tenantId, true)).map((record) => record.domain);
    const unknown = domains.filter((domain) => !added.some((root) => covers(root, domain)));
    if (unknown.length > 0) {
      const yours = added.length > 0 ? `Your domains are: ${[...added].sort().join(', ')}.` : 'You have not added any domain yet.';
      throw new RefusedError(refusal('domain_not_added', `domains names ${unknown.length} domain(s) your account has not added (${unknown.join(', ')}). A sending key can be limited only to domains you added or their subdomains, in lower case. ${yours}`));
    }
  }

  private checkExpiry(expiresAt: string | undefined): void {
    if (expiresAt === undefined) return;
    const at = Date.parse(expiresAt);
    const now = this.deps.clock.now();
    if (at <= now) {
      throw new RefusedError(refusal('invalid_request', 'expires_at is in the past; give a future date-time, or leave it out for a key that does not expire.', { issues: [{ path: 'expires_at', message: 'must be in the future' }] }));
    }
    if (at > now + MAX_KEY_LIFETIME_DAYS * 24 * 3600 * 1000) {
      throw new RefusedError(refusal('invalid_request', `expires_at is more than ${MAX_KEY_LIFETIME_DAYS} days ahead; give a date-time within a year, or leave it out for a key that does not expire.`, { issues: [{ path: 'expires_at', message: `must be within ${MAX_KEY_LIFETIME_DAYS} days` }] }));
    }
  }
}
