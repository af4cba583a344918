import type { RouteSpec } from '../shared/routes';

/** The operator-only admin API (IAM-authorised in AWS). Shared by the handler, the CDK stack and local mode. */
export const adminRoutes = {
  listTenants: { method: 'GET', resource: '/admin/tenants' },
  createTenant: { method: 'POST', resource: '/admin/tenants' },
  getTenant: { method: 'GET', resource: '/admin/tenants/{tenantId}' },
  updateTenant: { method: 'PATCH', resource: '/admin/tenants/{tenantId}' },
  deleteTenant: { method: 'DELETE', resource: '/admin/tenants/{tenantId}' },
  listKeys: { method: 'GET', resource: '/admin/tenants/{tenantId}/keys' },
  createKey: { method: 'POST', resource: '/admin/tenants/{tenantId}/keys' },
  revokeKey: { method: 'DELETE', resource: '/admin/tenants/{tenantId}/keys/{keyId}' },
  rotateKey: { method: 'POST', resource: '/admin/tenants/{tenantId}/keys/{keyId}/rotate' },
  republish: { method: 'POST', resource: '/admin/tenants/{tenantId}/publish' },
} as const satisfies Record<string, RouteSpec>;
