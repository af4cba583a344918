/**
 * The benchmark's own setup helpers, outside jest: an operator creating tenants through the
 * platform admin API and a customer onboarding through the relay's HTTP routes, exactly the steps
 * `test/support/system.ts` takes, with plain errors instead of `expect`.
 */
import { ByocConfigStore } from '../lambdas/relay/store/config-store';
import { dynamoDocumentClient } from '../lambdas/shared/clients';
import { SENDFLEET_CONFIGURATION_SET } from '../lambdas/shared/ses-events';
import type { LocalSystem } from '../local/local-system';
import { BYOC_ROLE_NAME } from '../lambdas/relay/byoc/policies';

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

export async function call(baseUrl: string, method: string, path: string, options: { apiKey?: string; body?: unknown } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const response = await fetch(baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

function expectStatus(step: string, response: JsonResponse, ...allowed: number[]): JsonResponse {
  if (!allowed.includes(response.status)) {
    throw new Error(`bench setup: ${step} answered ${response.status} (expected ${allowed.join(' or ')}): ${JSON.stringify(response.body).slice(0, 400)}`);
  }
  return response;
}

export interface BenchTenant {
  tenantId: string;
  apiKey: string;
  keyId: string;
}

export async function createTenant(system: LocalSystem, plan: 'starter' | 'byoc', changes: Record<string, unknown> = {}): Promise<BenchTenant> {
  const created = expectStatus('create tenant', await call(system.platformUrl, 'POST', '/admin/tenants', { body: { plan } }), 201);
  const tenantId = (created.body.tenant as { tenant_id: string }).tenant_id;
  if (Object.keys(changes).length > 0) {
    expectStatus('update tenant', await call(system.platformUrl, 'PATCH', `/admin/tenants/${tenantId}`, { body: changes }), 200);
  }
  const key = expectStatus('issue key', await call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body: {} }), 201);
  return { tenantId, apiKey: key.body.api_key as string, keyId: key.body.key_id as string };
}

/** The customer's onboarding through the relay API: config → role in their account → save → validate → domain → verify. */
export async function onboard(system: LocalSystem, apiKey: string, options: { accountId: string; domain: string; region?: string; maxSendRate?: number; configurationSet?: { tenantId: string } }): Promise<void> {
  const region = options.region ?? 'eu-west-1';
  const relay = (method: string, path: string, body?: unknown) => call(system.relayUrl, method, path, { apiKey, body });
  const config = expectStatus('GET /api/byoc/config', await relay('GET', '/api/byoc/config'), 200);
  // Out of the SES sandbox, with a quota no benchmark reaches; latency runs use a sending rate they
  // cannot reach either (the burst section measures a real 14/s account).
  system.simulator.createAccount({ account_id: options.accountId, regions: { [region]: { max_24_hour_send: 10_000_000, max_send_rate: options.maxSendRate ?? 100_000 } } });
  system.simulator.putRole(options.accountId, BYOC_ROLE_NAME, {
    trust_policy: config.body.trust_policy as never,
    permissions_policy: config.body.permissions_policy as never,
  });
  expectStatus('PUT /api/byoc/config', await relay('PUT', '/api/byoc/config', { role_arn: `arn:aws:iam::${options.accountId}:role/${BYOC_ROLE_NAME}`, region }), 200);
  const validated = expectStatus('POST /api/byoc/validate', await relay('POST', '/api/byoc/validate'), 200);
  if (validated.body.status !== 'validated') throw new Error(`bench setup: validation did not pass: ${JSON.stringify(validated.body).slice(0, 400)}`);
  expectStatus('POST /api/byoc/domains', await relay('POST', '/api/byoc/domains', { domain: options.domain }), 200, 201);
  system.simulator.setIdentityStatus(options.accountId, options.domain, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  expectStatus(`POST /api/byoc/domains/${options.domain}/verify`, await relay('POST', `/api/byoc/domains/${options.domain}/verify`), 200);
  if (options.configurationSet) await withConfigurationSet(system, options.configurationSet.tenantId, options.accountId, region);
}

/**
 * What the one-click stack adds for sends: the SendFleet configuration set in the account (without
 * an event destination, so no delivery events run in this process while sends are measured — in AWS
 * they run in their own function) and its name on the config, so every send names it.
 */
async function withConfigurationSet(system: LocalSystem, tenantId: string, accountId: string, region: string): Promise<void> {
  system.simulator.createConfigurationSet(accountId, region, SENDFLEET_CONFIGURATION_SET);
  const configs = new ByocConfigStore(dynamoDocumentClient(system.aws), system.tables.relay);
  await configs.saveConfigurationSet(tenantId, { accountId, region, configurationSet: SENDFLEET_CONFIGURATION_SET }, new Date(system.clock.now()));
}

/** The naive relay and the floor build their clients the SDK's default way: point those at the system. */
export function useSystemEndpoints(system: LocalSystem): void {
  const { endpoints, credentials, region } = system.aws;
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints?.dynamodb,
    AWS_ENDPOINT_URL_STS: endpoints?.sts,
    AWS_ENDPOINT_URL_SES: endpoints?.ses,
  });
}
