/**
 * The BYOC onboarding API of the relay account: config, validation and sending domains.
 * Thin adapters: authenticate, parse, call the use case, present.
 */
import { httpApi, type HttpRequest, type RouteHandler } from '../../shared/http';
import { ApiError } from '../../shared/errors';
import * as z from 'zod/mini';
import { parseInput } from '../../shared/validation';
import { onboardingRoutes } from '../api-routes';
import type { Authenticator } from '../auth/authenticator';
import type { ByocConfigStore } from '../store/config-store';
import { rootDomain, rootDomainFromPath } from '../byoc/domain-name';
import type { DomainStore } from '../store/domain-store';
import { checkRegion, parseRoleArn } from '../byoc/role-arn';
import type { CustomerAccounts } from '../customer-account/customer-account';
import type { CustomerSessions } from '../customer-account/sessions';
import type { MonthlyUsageReader } from '../usage/monthly-usage';
import type { DeliveryUsageReader } from '../usage/delivery-usage';
import { domainSummary, presentDomain } from './domain-records';
import { RECORD_KINDS, SendingDomains } from './domains';
import { presentConfig, presentValidation } from './present';
import { validateByoc } from './validate-byoc';
import { dateOf, type Clock } from '../../shared/clock';
import { ConfigChangedError } from '../store/config-store';
import type { HealthStore } from '../store/health-store';
import type { HealthQueue } from '../health/health-run';
import { presentHealth, readHealth, requestHealthCheck } from '../health/health-api';
import { authenticatedRoutes } from '../auth/authenticated-route';

export interface OnboardingDeps {
  authenticator: Authenticator;
  configs: ByocConfigStore;
  domains: DomainStore;
  accounts: CustomerAccounts;
  /** Only to forget a tenant's cached sessions when its role changes. */
  sessions: Pick<CustomerSessions, 'forgetTenant'>;
  usage: MonthlyUsageReader;
  health: HealthStore;
  /** Where POST /api/byoc/health/check puts its request (the health consumer's queue). */
  healthQueue: HealthQueue;
  delivery: Pick<DeliveryUsageReader, 'read'>;
  relayAccountId: string;
  platformAccountId?: string;
  /** The one-click path's settings (relay-config.ts); without a template URL, launch_stack_url is null. */
  registrationTopicArn?: string;
  deliveryEventsBusArn?: string;
  customerTemplateUrl?: string;
  quickCreateBaseUrl?: string;
  registrationRegions?: string[];
  /** How long validate keeps retrying IAM refusals (see validate-byoc.ts). */
  propagationWindowMs?: number;
  clock: Clock;
}

const putConfigBody = z.strictObject({
  role_arn: z.string().check(z.trim(), z.minLength(1), z.maxLength(2048)),
  region: z.string().check(z.trim(), z.minLength(1), z.maxLength(32)),
});

/** Only the type here: the domain rules (byoc/domain-name.ts) answer 422 with what to fix. */
const addDomainBody = z.strictObject({ domain: z.string() });

/** No body (or `{}`) checks every record kind. */
const verifyDomainBody = z.optional(z.strictObject({
  record: z.optional(z.enum(['ownership', 'dkim', 'mail_from'])),
}));

/** The request bodies' schemas, for the OpenAPI document (openapi/, build time only). */
export { putConfigBody, addDomainBody, verifyDomainBody };

type Routes = Record<keyof typeof onboardingRoutes, RouteHandler>;

export function createOnboardingApi(deps: OnboardingDeps) {
  const now = () => dateOf(deps.clock);
  const authenticated = authenticatedRoutes(deps.authenticator);
  const presentation = { relayAccountId: deps.relayAccountId, registrationTopicArn: deps.registrationTopicArn, deliveryEventsBusArn: deps.deliveryEventsBusArn, customerTemplateUrl: deps.customerTemplateUrl, quickCreateBaseUrl: deps.quickCreateBaseUrl, registrationRegions: deps.registrationRegions };

  const { accounts } = deps;
  const domains = new SendingDomains({ configs: deps.configs, domains: deps.domains, accounts, relayAccountId: deps.relayAccountId, clock: deps.clock });
  const healthDeps = { configs: deps.configs, health: deps.health, queue: deps.healthQueue, clock: deps.clock };
  const pathDomain = (request: HttpRequest) => rootDomainFromPath(request.pathParameters.domain ?? '');

  const routes: Routes = {
    getConfig: authenticated(async (principal) => {
      const config = await deps.configs.getOrCreate(principal.tenantId, now());
      return { status: 200, body: presentConfig(config, presentation) };
    }),
    rotateExternalId: authenticated(async (principal, request) => {
      let config;
      try {
        config = await deps.configs.rotateExternalId(principal.tenantId, now());
      } catch (error) {
        if (error instanceof ConfigChangedError) throw new ApiError('conflict', 'Your BYOC config changed while the ExternalId was being rotated; nothing was changed. Run POST /api/byoc/external-id/rotate again.');
        throw error;
      }
      request.log.info('external id rotated', { rotation_overlap: config.previous_external_id !== null });
      return { status: 200, body: presentConfig(config, presentation) };
    }),
    putConfig: authenticated(async (principal, request) => {
      const body = parseInput(putConfigBody, request.body);
      parseRoleArn(body.role_arn, { relay: deps.relayAccountId, platform: deps.platformAccountId });
      checkRegion(body.region);
      const before = await deps.configs.get(principal.tenantId, true);
      const config = await deps.configs.saveRole(principal.tenantId, body.role_arn, body.region, now());
      // A role saved by hand sends without the stack's configuration set: the stack's account no
      // longer maps its delivery events to this tenant (a stack Update maps it again).
      if (before?.configuration_set && before.role_arn) await deps.configs.removeEventSource(principal.tenantId, parseRoleArn(before.role_arn, { relay: deps.relayAccountId }).accountId);
      deps.sessions.forgetTenant(principal.tenantId);
      request.log.info('byoc config saved', { region: body.region });
      return { status: 200, body: presentConfig(config, presentation) };
    }),
    validate: authenticated(async (principal, request) => {
      const result = await validateByoc({ configs: deps.configs, accounts, relayAccountId: deps.relayAccountId, clock: deps.clock, propagationWindowMs: deps.propagationWindowMs }, principal.tenantId);
      request.log.info('byoc validated', { status: result.config.status, error_code: result.failure?.code });
      return presentValidation(result);
    }),
    listDomains: authenticated(async (principal) => {
      const records = await domains.list(principal.tenantId);
      return { status: 200, body: { success: true, domains: records.map(domainSummary) } };
    }),
    addDomain: authenticated(async (principal, request) => {
      const domain = rootDomain(parseInput(addDomainBody, request.body).domain);
      const { record, created } = await domains.add(principal.tenantId, domain);
      if (created) request.log.info('domain added', { domain, region: record.region });
      return { status: created ? 201 : 200, body: presentDomain(record) };
    }),
    getDomain: authenticated(async (principal, request) => {
      return { status: 200, body: presentDomain(await domains.get(principal.tenantId, pathDomain(request))) };
    }),
    verifyDomain: authenticated(async (principal, request) => {
      const domain = pathDomain(request);
      const body = parseInput(verifyDomainBody, request.body);
      const record = await domains.verify(principal.tenantId, domain, body?.record ? [body.record] : RECORD_KINDS);
      request.log.info('domain verified', { domain, ownership: record.ownership_status, dkim: record.dkim_status, mail_from: record.mail_from_status });
      return { status: 200, body: presentDomain(record) };
    }),
    deleteDomain: authenticated(async (principal, request) => {
      const domain = pathDomain(request);
      await domains.remove(principal.tenantId, domain);
      request.log.info('domain deleted', { domain });
      return { status: 200, body: { success: true, domain, deleted: true } };
    }),
    health: authenticated(async (principal) => {
      return { status: 200, body: presentHealth(await readHealth(healthDeps, principal.tenantId)) };
    }),
    healthCheck: authenticated(async (principal, request) => {
      const { requested_at } = await requestHealthCheck(healthDeps, principal.tenantId);
      request.log.info('health check requested');
      return { status: 202, body: { success: true, queued: true, requested_at } };
    }),
    usage: authenticated(async (principal) => {
      const at = now();
      const [monthly, { delivery, refusals }] = await Promise.all([deps.usage.read(principal.profile, at), deps.delivery.read(principal.tenantId, at)]);
      return { status: 200, body: { success: true, ...monthly, delivery, refusals } };
    }),
  };

  return httpApi({
    routes: (Object.keys(onboardingRoutes) as Array<keyof Routes>).map((name) => ({ ...onboardingRoutes[name], handle: routes[name] })),
    maxBodyBytes: 16 * 1024,
    configurationErrorCode: 'byoc_not_configured',
  });
}

