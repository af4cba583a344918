/**
 * What a key's scope lets it do, decided from the key alone (its item carries scope and domains,
 * so neither check reads anything):
 * - a route admits a `sending_access` key only when its table says `sending_access` (api-routes.ts);
 * - a `sending_access` key with a domain list sends only with a `from` on one of those domains,
 *   exactly (a subdomain is another domain: `mail.acme.com` is not `acme.com`), in any case.
 * Details name domains (not private) and what a route is for, never an address or a display name.
 */
import { ApiError } from '../../shared/errors';
import { refusal, type Refusal } from '../../shared/refusal';
import { requiredScope, type RouteSpec } from '../../shared/routes';
import type { KeyScope } from '../../shared/tenant-events';

export interface KeyPowers {
  scope: KeyScope;
  /** `sending_access` only: the domains `from` may use; null: any. */
  domains: string[] | null;
}

/** Whether a key of `scope` may call `route` (full access admits every route, a sending key the send routes). */
export function admits(scope: KeyScope, route: Pick<RouteSpec, 'scope'>): boolean {
  const needed = requiredScope(route);
  return scope === 'full_access' || needed !== 'full_access';
}

/** Throws 403 insufficient_scope when the key may not call the route. */
export function requireScope(key: KeyPowers, route: Pick<RouteSpec, 'scope' | 'purpose'>): void {
  if (admits(key.scope, route)) return;
  throw new ApiError('insufficient_scope', `This API key can only send email. Use a full-access key to ${route.purpose ?? 'use this part of the API'}.`);
}

/** The refusal of a message whose `from` domain the key may not use; undefined when it may. */
export function fromDomainRefusal(key: KeyPowers, fromDomain: string): Refusal | undefined {
  if (key.scope !== 'sending_access' || key.domains === null) return undefined;
  const domain = fromDomain.toLowerCase();
  if (key.domains.some((allowed) => allowed.toLowerCase() === domain)) return undefined;
  if (key.domains.length === 0) {
    return refusal('from_domain_not_allowed', `This API key may not send from any domain (its domain list is empty), so not from ${domain}. Use a key allowed to send from ${domain}.`);
  }
  const allowed = key.domains.length === 1 ? key.domains[0]! : `one of ${key.domains.join(', ')}`;
  return refusal('from_domain_not_allowed', `This API key may send only from ${allowed}, not from ${domain} (subdomains count as other domains). Send from an address on ${key.domains.length === 1 ? 'that domain' : 'one of those domains'}, or use a key allowed to send from ${domain}.`);
}
