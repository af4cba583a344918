/**
 * The webhook endpoint API: `PUT/GET/DELETE /api/webhooks`, one endpoint per tenant. Thin adapters:
 * authenticate, parse, call the store, present. The signing secret is answered once, when the
 * endpoint is created; an update keeps it.
 */
import * as z from 'zod/mini';
import { ApiError } from '../../shared/errors';
import { httpApi, type RouteHandler } from '../../shared/http';
import { parseInput } from '../../shared/validation';
import { dateOf, type Clock } from '../../shared/clock';
import { webhookRoutes } from '../api-routes';
import type { Authenticator } from '../auth/authenticator';
import type { WebhookEndpoint, WebhookStore } from '../store/webhook-store';
import { WEBHOOK_EVENT_TYPES } from './outbox';
import { newSigningSecret } from './signing';
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH, WebhookUrlRefusedError, type AddressResolver, type WebhookUrlPolicy } from './url-guard';
import { authenticatedRoutes } from '../auth/authenticated-route';

export interface WebhooksApiDeps {
  authenticator: Authenticator;
  webhooks: WebhookStore;
  resolver: AddressResolver;
  urlPolicy?: WebhookUrlPolicy;
  clock: Clock;
}

/** The URL's rules (https, public host) are the guard's: it answers with the reason. */
const putWebhookBody = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(MAX_WEBHOOK_URL_LENGTH)),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).check(z.minLength(1), z.maxLength(WEBHOOK_EVENT_TYPES.length)),
});

/** For the OpenAPI document (openapi/, build time only). */
export { putWebhookBody };

export const presentWebhook = ({ url, events, created_at, updated_at }: WebhookEndpoint) => ({ url, events, created_at, updated_at });

type Routes = Record<keyof typeof webhookRoutes, RouteHandler>;

export function createWebhooksApi(deps: WebhooksApiDeps) {
  const authenticated = authenticatedRoutes(deps.authenticator);

  const routes: Routes = {
    putWebhook: authenticated(async (principal, request) => {
      const body = parseInput(putWebhookBody, request.body);
      if (new Set(body.events).size !== body.events.length) {
        throw new ApiError('invalid_request', 'events lists a type twice: list each event type once.', { issues: [{ path: 'events', message: 'each type once' }] });
      }
      try {
        await checkWebhookUrl(body.url, deps.resolver, deps.urlPolicy);
      } catch (error) {
        if (!(error instanceof WebhookUrlRefusedError)) throw error;
        throw new ApiError('invalid_request', `The webhook url ${error.reason}. Give an https URL of a public host that answers 2xx to a POST.`, { issues: [{ path: 'url', message: error.reason }] });
      }
      const { endpoint, created } = await deps.webhooks.save(principal.tenantId, body.url, body.events, dateOf(deps.clock), newSigningSecret());
      request.log.info(created ? 'webhook created' : 'webhook updated', { events: body.events.length });
      return { status: 200, body: { success: true, webhook: presentWebhook(endpoint), ...(created ? { signing_secret: endpoint.signing_secret } : {}) } };
    }),
    getWebhook: authenticated(async (principal) => {
      const endpoint = await deps.webhooks.get(principal.tenantId);
      return { status: 200, body: { success: true, webhook: endpoint ? presentWebhook(endpoint) : null } };
    }),
    deleteWebhook: authenticated(async (principal, request) => {
      await deps.webhooks.delete(principal.tenantId);
      request.log.info('webhook deleted');
      return { status: 200, body: { success: true } };
    }),
  };

  return httpApi({
    routes: (Object.keys(webhookRoutes) as Array<keyof Routes>).map((name) => ({ ...webhookRoutes[name], handle: routes[name] })),
    maxBodyBytes: 8 * 1024,
    configurationErrorCode: 'byoc_not_configured',
  });
}
