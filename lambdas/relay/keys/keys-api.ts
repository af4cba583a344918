/**
 * The self-service keys API: `GET/POST /api/keys`, `DELETE /api/keys/{id}`. Thin adapters:
 * authenticate (full-access keys only, as the route table says), parse (strict: unknown fields
 * refused), call the use case, present. The secret of a new key is in the create answer only.
 */
import * as z from 'zod/mini';
import { httpApi, type RouteHandler } from '../../shared/http';
import { refusal } from '../../shared/refusal';
import { domainsNeedSendingScope, keyNameText, keyOptionFields } from '../../shared/key-options';
import { parseInput } from '../../shared/validation';
import { keyRoutes } from '../api-routes';
import type { Authenticator } from '../auth/authenticator';
import type { ApiKeys } from './api-keys';
import { PlatformUnavailableError } from './key-registry';
import { authenticatedRoutes } from '../auth/authenticated-route';

/**
 * The admin API's key options (shared/key-options.ts), with a name required: people pick keys by
 * name in lists. `domains` (sending keys only) must also be domains the account added (the use case).
 */
export const createKeyBody = z.strictObject({
  ...keyOptionFields,
  name: keyNameText,
  expires_at: z.optional(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z' })),
}).check(domainsNeedSendingScope);

const keyIdParam = z.object({ id: z.string().check(z.regex(/^key_[0-9a-f]{16}$/, 'must look like key_ followed by 16 hex characters, as listed')) });

export interface KeysApiDeps {
  authenticator: Authenticator;
  keys: ApiKeys;
}

type Routes = Record<keyof typeof keyRoutes, RouteHandler>;

export function createKeysApi(deps: KeysApiDeps) {
  const authenticated = authenticatedRoutes(deps.authenticator, (error, request) => {
    if (!(error instanceof PlatformUnavailableError)) return undefined;
    request.log.error('platform unavailable for keys', { error_name: error.name, reason: error.message });
    // A list changes nothing; a create or revoke whose answer was lost may have been made.
    const outcome = request.route.method === 'GET' ? 'Nothing was changed; retry in a few seconds.'
      : 'The change may or may not have been made: list your keys in a few seconds to see (revoke a new key whose secret you did not get).';
    return refusal('upstream_unavailable', `SendFleet could not complete this with the service that keeps API keys. ${outcome}`, { retryAfterSeconds: 5 });
  });

  const routes: Routes = {
    listKeys: authenticated(async (principal) => ({ status: 200, body: { success: true, keys: await deps.keys.list(principal) } })),
    createKey: authenticated(async (principal, request) => {
      const body = parseInput(createKeyBody, request.body);
      const created = await deps.keys.create(principal, body);
      request.log.info('api key created', { key_id: created.id, scope: created.scope });
      return { status: 201, body: { success: true, ...created } };
    }),
    revokeKey: authenticated(async (principal, request) => {
      const { id } = parseInput(keyIdParam, request.pathParameters, 'path');
      const revoked = await deps.keys.revoke(principal, id);
      request.log.info('api key revoked', { key_id: id });
      return { status: 200, body: { success: true, ...revoked } };
    }),
  };

  return httpApi({
    routes: (Object.keys(keyRoutes) as Array<keyof Routes>).map((name) => ({ ...keyRoutes[name], handle: routes[name] })),
    maxBodyBytes: 8 * 1024,
    configurationErrorCode: 'byoc_not_configured',
  });
}
