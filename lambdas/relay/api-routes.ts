import type { RouteSpec } from '../shared/routes';

/**
 * The customer API of the relay account, per function. Shared by the handlers, the CDK stack
 * (which builds the API Gateway resources from it) and local mode, so no path is written twice.
 * `/api/send/` with a trailing slash reaches `/api/send`: API Gateway REST APIs and local mode
 * both ignore one trailing slash.
 */
export const sendRoutes = {
  send: { method: 'POST', resource: '/api/send' },
  sendBatch: { method: 'POST', resource: '/api/send/batch' },
  /** Resend-compatible (Authorization: Bearer <SendFleet API key>). */
  resendEmails: { method: 'POST', resource: '/emails' },
  resendBatch: { method: 'POST', resource: '/emails/batch' },
  /**
   * The rest of Resend's email and domain operations, as its SDK calls them: SendFleet does not offer
   * them (it keeps no message; domains have their own API), and says so in Resend's shape.
   */
  resendListEmails: { method: 'GET', resource: '/emails' },
  resendCancelEmail: { method: 'POST', resource: '/emails/{id}/cancel' },
  resendListDomains: { method: 'GET', resource: '/domains' },
  resendCreateDomain: { method: 'POST', resource: '/domains' },
  resendGetDomain: { method: 'GET', resource: '/domains/{id}' },
  resendUpdateDomain: { method: 'PATCH', resource: '/domains/{id}' },
  resendDeleteDomain: { method: 'DELETE', resource: '/domains/{id}' },
  resendVerifyDomain: { method: 'POST', resource: '/domains/{id}/verify' },
} as const satisfies Record<string, RouteSpec>;

/**
 * A message's delivery status (the timeline the delivery-events function records), ours and
 * Resend's. `/emails/{id}` lives here whole (one resource, one function): its PATCH is Resend's
 * update, not offered, answered as the send function answers the others.
 */
export const messageRoutes = {
  getMessage: { method: 'GET', resource: '/api/messages/{id}' },
  resendGetEmail: { method: 'GET', resource: '/emails/{id}' },
  resendUpdateEmail: { method: 'PATCH', resource: '/emails/{id}' },
} as const satisfies Record<string, RouteSpec>;

/** Resources answered in Resend's error shape, whatever the error (the HTTP edge's own included). */
export const RESEND_RESOURCES: ReadonlySet<string> = new Set(
  [...Object.entries(sendRoutes), ...Object.entries(messageRoutes)].filter(([name]) => name.startsWith('resend')).map(([, route]) => route.resource),
);

export const onboardingRoutes = {
  getConfig: { method: 'GET', resource: '/api/byoc/config' },
  putConfig: { method: 'PUT', resource: '/api/byoc/config' },
  validate: { method: 'POST', resource: '/api/byoc/validate' },
  rotateExternalId: { method: 'POST', resource: '/api/byoc/external-id/rotate' },
  listDomains: { method: 'GET', resource: '/api/byoc/domains' },
  addDomain: { method: 'POST', resource: '/api/byoc/domains' },
  getDomain: { method: 'GET', resource: '/api/byoc/domains/{domain}' },
  deleteDomain: { method: 'DELETE', resource: '/api/byoc/domains/{domain}' },
  verifyDomain: { method: 'POST', resource: '/api/byoc/domains/{domain}/verify' },
  usage: { method: 'GET', resource: '/api/usage' },
  /** Account health (health/): the last checks' results, and a check now (rate-limited). */
  health: { method: 'GET', resource: '/api/byoc/health' },
  healthCheck: { method: 'POST', resource: '/api/byoc/health/check' },
} as const satisfies Record<string, RouteSpec>;

/** The tenant's one webhook endpoint (webhooks/webhooks-function.ts). */
export const webhookRoutes = {
  putWebhook: { method: 'PUT', resource: '/api/webhooks' },
  getWebhook: { method: 'GET', resource: '/api/webhooks' },
  deleteWebhook: { method: 'DELETE', resource: '/api/webhooks' },
} as const satisfies Record<string, RouteSpec>;

/**
 * The customer dashboard's static files, same origin as the API (no CORS), and the API's own
 * description: the OpenAPI document and its reference page, built beside the dashboard (openapi/).
 */
export const dashboardRoutes = {
  page: { method: 'GET', resource: '/' },
  asset: { method: 'GET', resource: '/assets/{file}' },
  openApiDocument: { method: 'GET', resource: '/api/openapi.json' },
  apiReference: { method: 'GET', resource: '/docs' },
} as const satisfies Record<string, RouteSpec>;

/** Self-service API keys (keys/keys-function.ts): full-access keys only; the platform keeps the keys. */
export const keyRoutes = {
  listKeys: { method: 'GET', resource: '/api/keys' },
  createKey: { method: 'POST', resource: '/api/keys' },
  revokeKey: { method: 'DELETE', resource: '/api/keys/{id}' },
} as const satisfies Record<string, RouteSpec>;
