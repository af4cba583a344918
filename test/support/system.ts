/**
 * The whole local system for integration tests, on the shared DynamoDB Local, with helpers that act
 * as an operator (platform admin API), a customer (relay API) and the customer's AWS account
 * (simulator). One virtual clock runs the relay's handlers and the simulator: tests advance it
 * (a minute boundary, a session's expiry, a month's end) and never wait for the wall clock. Pacing
 * and throttling stay on, with the production timeouts and budgets: on virtual time they cost
 * nothing. Caches are off by default so each test sees its changes at once; tests about caching
 * turn them on.
 */
import type { RelayConfig } from '../../lambdas/relay/relay-config';
import { startLocalSystem, type LocalSystem } from '../../local/local-system';
import { VirtualClock, type VirtualClockOptions } from '../../local/virtual-clock';
import { DEFAULT_IAM_PROPAGATION_MS } from '../../sim/account-settings';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { CUSTOMER_STACK_NAME } from '../../lambdas/relay/byoc/customer-template';
import type { StackView } from '../../sim/simulator';
import { checkAgainstContract, isCustomerApi, registerCustomerApi } from './contract';
import { dynamoEndpoint, uniquePrefix } from './dynamo';

export interface TestSystem extends LocalSystem {
  clock: VirtualClock;
}

export async function startTestSystem(name: string, settings: Partial<RelayConfig> = {}, clockOptions: VirtualClockOptions = {}): Promise<TestSystem> {
  const clock = new VirtualClock(clockOptions);
  const system = await startLocalSystem({
    dynamoEndpoint: dynamoEndpoint(),
    tablePrefix: uniquePrefix(name),
    clock,
    // The simulator enforces SES's MaxSendRate and its ~1 req/s identity and quota limit, as AWS does.
    relaySettings: { authCacheTtlMs: 0, sendContextTtlMs: 0, ...settings },
  });
  // Every answer of this system's customer API that call() receives is held to the OpenAPI document.
  registerCustomerApi(system.relayUrl);
  return { ...system, clock };
}

/** Lets IAM apply the latest role change, as a customer waits after editing a role in AWS. */
export const afterIamPropagation = (system: TestSystem): Promise<void> => system.clock.advance(DEFAULT_IAM_PROPAGATION_MS);

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(baseUrl: string, method: string, path: string, options: { apiKey?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  if (isCustomerApi(baseUrl)) checkAgainstContract({ method, path, status: response.status, headers: response.headers, text });
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function createTenant(system: LocalSystem, plan: 'starter' | 'byoc', changes: Record<string, unknown> = {}): Promise<{ tenantId: string; apiKey: string; keyId: string }> {
  const created = await call(system.platformUrl, 'POST', '/admin/tenants', { body: { plan } });
  expect(created.status).toBe(201);
  const tenantId = (created.body.tenant as { tenant_id: string }).tenant_id;
  if (Object.keys(changes).length > 0) {
    expect((await call(system.platformUrl, 'PATCH', `/admin/tenants/${tenantId}`, { body: changes })).status).toBe(200);
  }
  const key = await call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body: {} });
  expect(key.status).toBe(201);
  return { tenantId, apiKey: key.body.api_key as string, keyId: key.body.key_id as string };
}

export interface OnboardOptions {
  accountId: string;
  domain: string;
  region?: string;
  /** Stop before the domain's statuses are flipped to Success. */
  verify?: boolean;
  maxSend?: number;
}

/** A customer's whole onboarding, done as the README tells them: role from the returned policies, validate, domain, verify. */
export async function onboard(system: LocalSystem, apiKey: string, options: OnboardOptions): Promise<void> {
  const region = options.region ?? 'eu-west-1';
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
  expect(config.status).toBe(200);
  // Production access in the region the customer onboards in; every other region stays in the sandbox, as in SES.
  system.simulator.createAccount({ account_id: options.accountId, regions: { [region]: { max_24_hour_send: options.maxSend ?? 50_000 } } });
  system.simulator.putRole(options.accountId, BYOC_ROLE_NAME, {
    trust_policy: config.body.trust_policy as never,
    permissions_policy: config.body.permissions_policy as never,
  });
  const saved = await call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey, body: { role_arn: `arn:aws:iam::${options.accountId}:role/${BYOC_ROLE_NAME}`, region } });
  expect(saved.status).toBe(200);
  const validated = await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey });
  expect(validated.body).toMatchObject({ success: true, status: 'validated' });
  const added = await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain: options.domain } });
  expect([200, 201]).toContain(added.status);
  if (options.verify === false) return;
  system.simulator.setIdentityStatus(options.accountId, options.domain, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  const verified = await call(system.relayUrl, 'POST', `/api/byoc/domains/${options.domain}/verify`, { apiKey });
  expect(verified.status).toBe(200);
}

/**
 * The customer's one click: the config's `launch_stack_url` opened in their AWS account's
 * (simulated) CloudFormation and Create stack pressed — or, with `update`, the existing stack
 * updated with it (after an ExternalId rotation). Resolves once the stack has settled.
 */
export async function launchStack(system: LocalSystem, apiKey: string, accountId: string, { update = false } = {}): Promise<StackView> {
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
  expect(config.body.launch_stack_url).toEqual(expect.any(String));
  const stacks = `/_sim/accounts/${accountId}/cloudformation/stacks`;
  const started = update
    ? await call(system.simUrl, 'PUT', `${stacks}/${CUSTOMER_STACK_NAME}`, { body: { quick_create_url: config.body.launch_stack_url } })
    : await call(system.simUrl, 'POST', stacks, { body: { quick_create_url: config.body.launch_stack_url } });
  expect(started.status).toBe(update ? 200 : 201);
  return system.simulator.stackSettled(accountId, CUSTOMER_STACK_NAME);
}
