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
} as const satisfies Record<string, RouteSpec>;

export const onboardingRoutes = {
  getConfig: { method: 'GET', resource: '/api/byoc/config' },
  putConfig: { method: 'PUT', resource: '/api/byoc/config' },
  validate: { method: 'POST', resource: '/api/byoc/validate' },
  listDomains: { method: 'GET', resource: '/api/byoc/domains' },
  addDomain: { method: 'POST', resource: '/api/byoc/domains' },
  getDomain: { method: 'GET', resource: '/api/byoc/domains/{domain}' },
  deleteDomain: { method: 'DELETE', resource: '/api/byoc/domains/{domain}' },
  verifyDomain: { method: 'POST', resource: '/api/byoc/domains/{domain}/verify' },
  usage: { method: 'GET', resource: '/api/usage' },
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
