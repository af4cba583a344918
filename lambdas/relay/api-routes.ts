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
} as const satisfies Record<string, RouteSpec>;
