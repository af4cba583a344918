import type { RouteSpec } from '../shared/routes';

/**
 * The customer API of the relay account, per function. Shared by the handlers, the CDK stack
 * (which builds the API Gateway resources from it) and local mode, so no path is written twice.
 * `/api/send/` with a trailing slash reaches `/api/send`: API Gateway REST APIs and local mode
 * both ignore one trailing slash.
 *
 * Each route states the API key it admits (`scope`, shared/routes.ts): only the send routes say
 * `sending_access`; every other authenticated route needs a full-access key (the default), and its
 * `purpose` names what a sending-only key is refused ("Use a full-access key to manage domains.").
 */
export const sendRoutes = {
  send: { method: 'POST', resource: '/api/send', scope: 'sending_access' },
  sendBatch: { method: 'POST', resource: '/api/send/batch', scope: 'sending_access' },
  /** Resend-compatible (Authorization: Bearer <SendFleet API key>). */
  resendEmails: { method: 'POST', resource: '/emails', scope: 'sending_access' },
  resendBatch: { method: 'POST', resource: '/emails/batch', scope: 'sending_access' },
  /**
   * The rest of Resend's email and domain operations, as its SDK calls them: SendFleet does not offer
   * them (it keeps no message; domains have their own API), and says so in Resend's shape.
   */
  resendListEmails: { method: 'GET', resource: '/emails', purpose: 'list sent emails' },
  resendCancelEmail: { method: 'POST', resource: '/emails/{id}/cancel', purpose: 'cancel emails' },
  resendListDomains: { method: 'GET', resource: '/domains', purpose: 'manage domains' },
  resendCreateDomain: { method: 'POST', resource: '/domains', purpose: 'manage domains' },
  resendGetDomain: { method: 'GET', resource: '/domains/{id}', purpose: 'manage domains' },
  resendUpdateDomain: { method: 'PATCH', resource: '/domains/{id}', purpose: 'manage domains' },
  resendDeleteDomain: { method: 'DELETE', resource: '/domains/{id}', purpose: 'manage domains' },
  resendVerifyDomain: { method: 'POST', resource: '/domains/{id}/verify', purpose: 'manage domains' },
} as const satisfies Record<string, RouteSpec>;

/**
 * A message's delivery status (the timeline the delivery-events function records), ours and
 * Resend's. `/emails/{id}` lives here whole (one resource, one function): its PATCH is Resend's
 * update, not offered, answered as the send function answers the others.
 */
export const messageRoutes = {
  getMessage: { method: 'GET', resource: '/api/messages/{id}', purpose: 'read delivery status' },
  resendGetEmail: { method: 'GET', resource: '/emails/{id}', purpose: 'read delivery status' },
  resendUpdateEmail: { method: 'PATCH', resource: '/emails/{id}', purpose: 'update emails' },
} as const satisfies Record<string, RouteSpec>;

/** Resources answered in Resend's error shape, whatever the error (the HTTP edge's own included). */
export const RESEND_RESOURCES: ReadonlySet<string> = new Set(
  [...Object.entries(sendRoutes), ...Object.entries(messageRoutes)].filter(([name]) => name.startsWith('resend')).map(([, route]) => route.resource),
);

export const onboardingRoutes = {
  getConfig: { method: 'GET', resource: '/api/byoc/config', purpose: 'read your AWS connection settings' },
  putConfig: { method: 'PUT', resource: '/api/byoc/config', purpose: 'change your AWS connection settings' },
  validate: { method: 'POST', resource: '/api/byoc/validate', purpose: 'validate your AWS connection' },
  rotateExternalId: { method: 'POST', resource: '/api/byoc/external-id/rotate', purpose: 'rotate your ExternalId' },
  listDomains: { method: 'GET', resource: '/api/byoc/domains', purpose: 'manage domains' },
  addDomain: { method: 'POST', resource: '/api/byoc/domains', purpose: 'manage domains' },
  getDomain: { method: 'GET', resource: '/api/byoc/domains/{domain}', purpose: 'manage domains' },
  deleteDomain: { method: 'DELETE', resource: '/api/byoc/domains/{domain}', purpose: 'manage domains' },
  verifyDomain: { method: 'POST', resource: '/api/byoc/domains/{domain}/verify', purpose: 'manage domains' },
  usage: { method: 'GET', resource: '/api/usage', purpose: 'read usage' },
  /** Account health (health/): the last checks' results, and a check now (rate-limited). */
  health: { method: 'GET', resource: '/api/byoc/health', purpose: 'read account health' },
  healthCheck: { method: 'POST', resource: '/api/byoc/health/check', purpose: 'run an account health check' },
} as const satisfies Record<string, RouteSpec>;

/** The tenant's one webhook endpoint (webhooks/webhooks-function.ts). */
export const webhookRoutes = {
  putWebhook: { method: 'PUT', resource: '/api/webhooks', purpose: 'manage webhooks' },
  getWebhook: { method: 'GET', resource: '/api/webhooks', purpose: 'manage webhooks' },
  deleteWebhook: { method: 'DELETE', resource: '/api/webhooks', purpose: 'manage webhooks' },
} as const satisfies Record<string, RouteSpec>;

/**
 * The customer dashboard's static files, same origin as the API (no CORS), and the API's own
 * description: the OpenAPI document and its reference page, built beside the dashboard (openapi/).
 */
export const dashboardRoutes = {
  page: { method: 'GET', resource: '/', scope: 'none' },
  asset: { method: 'GET', resource: '/assets/{file}', scope: 'none' },
  openApiDocument: { method: 'GET', resource: '/api/openapi.json', scope: 'none' },
  apiReference: { method: 'GET', resource: '/docs', scope: 'none' },
} as const satisfies Record<string, RouteSpec>;

/** Self-service API keys (keys/keys-function.ts): full-access keys only; the platform keeps the keys. */
export const keyRoutes = {
  listKeys: { method: 'GET', resource: '/api/keys', purpose: 'manage API keys' },
  createKey: { method: 'POST', resource: '/api/keys', purpose: 'manage API keys' },
  revokeKey: { method: 'DELETE', resource: '/api/keys/{id}', purpose: 'manage API keys' },
} as const satisfies Record<string, RouteSpec>;
