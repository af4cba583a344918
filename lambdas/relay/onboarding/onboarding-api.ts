/**
 * The BYOC onboarding API of the relay account: config, validation and sending domains.
 * Thin adapters: authenticate, parse, call the use case, present.
 */
import { httpApi, type HttpRequest, type RouteHandler } from '../../shared/http';
import { parseInput, z } from '../../shared/validation';
import { onboardingRoutes } from '../api-routes';
import type { Authenticator, Principal } from '../auth/authenticator';
import type { ByocConfigStore } from '../byoc/config-store';
import type { CustomerSessions } from '../byoc/customer-session';
import { checkRegion, parseRoleArn } from '../byoc/role-arn';
import { presentConfig } from './present';

export interface OnboardingDeps {
  authenticator: Authenticator;
  configs: ByocConfigStore;
  sessions: CustomerSessions;
  relayAccountId: string;
  platformAccountId?: string;
  now?: () => Date;
}

const putConfigBody = z.strictObject({
  role_arn: z.string().check(z.trim(), z.minLength(1), z.maxLength(2048)),
  region: z.string().check(z.trim(), z.minLength(1), z.maxLength(32)),
});

type Routes = Record<keyof typeof onboardingRoutes, RouteHandler>;

export function createOnboardingApi(deps: OnboardingDeps) {
  const now = deps.now ?? (() => new Date());
  const authenticated = (work: (principal: Principal, request: HttpRequest) => Promise<Awaited<ReturnType<RouteHandler>>>): RouteHandler =>
    async (request) => {
      const principal = await deps.authenticator.authenticate(request.headers);
      return work(principal, { ...request, log: request.log.child({ tenant_id: principal.tenantId }) });
    };

  const routes: Partial<Routes> = {
    getConfig: authenticated(async (principal) => {
      const config = await deps.configs.getOrCreate(principal.tenantId, now());
      return { status: 200, body: presentConfig(config, deps.relayAccountId) };
    }),
    putConfig: authenticated(async (principal, request) => {
      const body = parseInput(putConfigBody, request.body);
      parseRoleArn(body.role_arn, { relay: deps.relayAccountId, platform: deps.platformAccountId });
      checkRegion(body.region);
      const config = await deps.configs.saveRole(principal.tenantId, body.role_arn, body.region, now());
      deps.sessions.forgetTenant(principal.tenantId);
      request.log.info('byoc config saved', { region: body.region });
      return { status: 200, body: presentConfig(config, deps.relayAccountId) };
    }),
  };

  return httpApi({
    routes: Object.entries(onboardingRoutes).flatMap(([name, spec]) => {
      const handle = routes[name as keyof Routes];
      return handle ? [{ ...spec, handle }] : [];
    }),
    maxBodyBytes: 16 * 1024,
    configurationErrorCode: 'byoc_not_configured',
  });
}

