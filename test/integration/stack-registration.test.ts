/**
 * The registration function against the test system, without the simulator's CloudFormation:
 * the test publishes CloudFormation's custom resource requests the way SNS delivers them, and
 * serves the ResponseURL itself. The customer's role is put into the simulated account as the
 * stack would create it. Also: an ExternalId rotation with a send between every step.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { BYOC_ROLE_NAME, permissionsPolicy } from '../../lambdas/relay/byoc/policies';
import { createRegistrationHandler } from '../../lambdas/relay/registration/registration-function';
import { NOT_ACCEPTED_REASON } from '../../lambdas/relay/registration/register-stack';
import type { CustomResourceResponse, SnsEvent } from '../../lambdas/relay/registration/custom-resource';
import { setLogSink } from '../../lambdas/shared/logger';
import { LOCAL_ACCOUNTS } from '../../local/local-identity';
import { trackedOn } from '../../local/virtual-clock';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { SENDFLEET_CONFIGURATION_SET } from '../../lambdas/shared/ses-events';
import { scanAll } from '../support/dynamo';
import { afterIamPropagation, call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

const REGION = 'eu-west-1';
const TOPIC = `arn:aws:sns:${REGION}:${LOCAL_ACCOUNTS.relay}:sendfleet-test-byoc-registration`;

let system: TestSystem;
let register: (event: SnsEvent) => Promise<void>;
let responses: http.Server;
let prefix: string;
/** Every answer PUT to the test's ResponseURLs: path, content type, body. */
const answers: Array<{ path: string; contentType: string | undefined; body: CustomResourceResponse }> = [];
let logLines: string[] = [];
let restoreLogs: () => void;

beforeAll(async () => {
  responses = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      answers.push({ path: request.url ?? '', contentType: request.headers['content-type'], body: JSON.parse(body) as CustomResourceResponse });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
  prefix = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/cfn/responses/`;
  system = await startTestSystem('stack-registration');
  register = createRegistrationHandler({
    relayTable: system.tables.relay,
    relayAccountId: LOCAL_ACCOUNTS.relay,
    platformAccountId: LOCAL_ACCOUNTS.platform,
    registrationResponseUrlPrefix: prefix,
  }, system.aws);
});
afterAll(async () => {
  await system?.stop();
  await new Promise((resolve) => responses?.close(resolve));
});
beforeEach(() => {
  answers.length = 0;
  logLines = [];
  restoreLogs = setLogSink((line) => logLines.push(line));
});
afterEach(() => restoreLogs());

let accounts = 0;
/** A customer account (production access in REGION, unless `sandbox`) whose role trusts the given ExternalIds, as the stack creates it. */
function customerAccount(externalIds: string[], options: { sandbox?: boolean; iamPropagationMs?: number } = {}): string {
  const accountId = `4444000${String(++accounts).padStart(5, '0')}`;
  system.simulator.createAccount({ account_id: accountId, regions: { [REGION]: { max_24_hour_send: options.sandbox ? 200 : 50_000 } }, ...(options.iamPropagationMs ? { iam_propagation_ms: options.iamPropagationMs } : {}) });
  trustRole(accountId, externalIds);
  return accountId;
}

function trustRole(accountId: string, externalIds: string[]): void {
  system.simulator.putRole(accountId, BYOC_ROLE_NAME, {
    trust_policy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${LOCAL_ACCOUNTS.relay}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalIds.length === 1 ? externalIds[0]! : externalIds } } }],
    } as never,
    permissions_policy: permissionsPolicy() as never,
  });
}

interface Publish {
  type: 'Create' | 'Update' | 'Delete';
  externalId: string;
  accountId: string;
  /** The stack's account when it differs from the role's. */
  stackAccount?: string;
  physicalResourceId?: string;
  responseUrl?: string;
  /** Default: the token the tenant's launch_stack_url carries for this ExternalId; null sends none. */
  token?: string | null;
  /** An Update's OldResourceProperties (default: none). */
  old?: { externalId: string; accountId: string; token?: string | null; configurationSet?: string };
  /** The ConfigurationSetName property (a template with delivery events); default none. */
  configurationSet?: string;
}

/** The registration token each ExternalId's launch_stack_url carried (what the customer's stack holds). */
const tokens = new Map<string, string>();
function learnToken(config: Record<string, unknown>): string {
  const token = new URL(String(config.launch_stack_url)).searchParams.get('param_RegistrationToken')!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  tokens.set(config.external_id as string, token);
  return token;
}
const propertiesOf = (externalId: string, accountId: string, stackAccount: string, token: string | null | undefined) => ({
  ServiceToken: TOPIC, ExternalId: externalId, RoleArn: `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`, Region: REGION, AccountId: stackAccount,
  ...(token === null ? {} : { RegistrationToken: token ?? tokens.get(externalId) ?? 'x'.repeat(43) }),
});

/** Publishes a custom resource request as SNS delivers it, and returns the answer PUT to its ResponseURL (undefined if none). */
async function publish(p: Publish): Promise<CustomResourceResponse | undefined> {
  const requestId = randomUUID();
  const stackAccount = p.stackAccount ?? p.accountId;
  const message = {
    RequestType: p.type,
    ServiceToken: TOPIC,
    ResponseURL: p.responseUrl ?? `${prefix}${requestId}?X-Amz-Signature=secret-signature`,
    StackId: `arn:aws:cloudformation:${REGION}:${stackAccount}:stack/SendFleet-BYOC/${randomUUID()}`,
    RequestId: requestId,
    LogicalResourceId: 'SendFleetRegistration',
    ResourceType: 'Custom::SendFleetRegistration',
    ...(p.physicalResourceId ? { PhysicalResourceId: p.physicalResourceId } : {}),
    ResourceProperties: { ...propertiesOf(p.externalId, p.accountId, stackAccount, p.token), ...(p.configurationSet === undefined ? {} : { ConfigurationSetName: p.configurationSet }) },
    ...(p.old ? { OldResourceProperties: { ...propertiesOf(p.old.externalId, p.old.accountId, p.old.accountId, p.old.token), ...(p.old.configurationSet === undefined ? {} : { ConfigurationSetName: p.old.configurationSet }) } } : {}),
  };
  const before = answers.length;
  // Tracked work, as the local HTTP adapter runs a handler: the virtual clock moves only when it waits.
  await trackedOn(system.clock, () => register({ Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', TopicArn: TOPIC, Message: JSON.stringify(message), MessageId: randomUUID() } }] }));
  const answer = answers.slice(before).find((a) => a.path.includes(requestId));
  if (answer) {
    expect(answer.contentType).toBe('');
    expect(answer.body).toMatchObject({ RequestId: requestId, StackId: message.StackId, LogicalResourceId: 'SendFleetRegistration' });
  }
  return answer?.body;
}

async function newTenant() {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
  const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey: tenant.apiKey });
  return { ...tenant, externalId: config.body.external_id as string, token: learnToken(config.body) };
}
const configOf = async (apiKey: string) => (await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey })).body;
const send = (apiKey: string) => call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to: 'customer@example.com', from_email: 'hello@acme.com', subject: 'Hi', message: 'Hello' } });

test('Create: the role is saved and validated (after IAM propagation), SUCCESS; nothing secret is logged', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId]);
  const answer = await publish({ type: 'Create', externalId: tenant.externalId, accountId });
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `sendfleet-registration-${accountId}-${REGION}` });
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'validated', role_arn: `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`, region: REGION });
  const logs = logLines.join('\n');
  expect(logs).toMatch(/registration answered/);
  expect(logs).not.toContain(tenant.externalId);
  expect(logs).not.toContain('secret-signature');
});

test('Create in a sandbox account: FAILED with the validation\'s own words, config invalid', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId], { sandbox: true });
  const answer = await publish({ type: 'Create', externalId: tenant.externalId, accountId });
  expect(answer?.Status).toBe('FAILED');
  expect(answer?.Reason).toMatch(/is in the SES sandbox/);
  expect(answer?.PhysicalResourceId).toMatch(/^sendfleet-registration-failed-/);
  expect((await configOf(tenant.apiKey)).status).toBe('invalid');
  // CloudFormation's rollback then deletes the failed resource: that changes nothing.
  expect(await publish({ type: 'Delete', externalId: tenant.externalId, accountId, physicalResourceId: answer!.PhysicalResourceId })).toMatchObject({ Status: 'SUCCESS' });
  expect((await configOf(tenant.apiKey)).status).toBe('invalid');
});

test('an unknown, a replaced and a malformed ExternalId read the same, and change nothing', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId]);
  const unknown = await publish({ type: 'Create', externalId: 'f'.repeat(48), accountId });
  const malformed = await publish({ type: 'Create', externalId: 'not-an-external-id', accountId });
  const rotated = await call(system.relayUrl, 'POST', '/api/byoc/external-id/rotate', { apiKey: tenant.apiKey });
  expect(rotated.status).toBe(200);
  // Never validated: a rotation keeps no previous ExternalId, so the old one is simply gone.
  expect(rotated.body.previous_external_id).toBeNull();
  const replaced = await publish({ type: 'Create', externalId: tenant.externalId, accountId });
  for (const answer of [unknown, malformed, replaced]) expect(answer).toMatchObject({ Status: 'FAILED', Reason: unknown!.Reason });
  expect(unknown!.Reason).toMatch(/launch_stack_url/);
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'unconfigured', role_arn: null });
});

test('a role in another account than the stack\'s: FAILED, nothing saved', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId]);
  const answer = await publish({ type: 'Create', externalId: tenant.externalId, accountId, stackAccount: '555555555555' });
  expect(answer).toMatchObject({ Status: 'FAILED' });
  expect(answer?.Reason).toMatch(/not in the stack's own account 555555555555/);
  expect((await configOf(tenant.apiKey)).role_arn).toBeNull();
});

test('a ResponseURL that is not CloudFormation\'s is never called, and nothing is done', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId]);
  let called = 0;
  const other = http.createServer((_request, response) => { called++; response.writeHead(200).end(); });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const port = (other.address() as AddressInfo).port;
    for (const responseUrl of [`http://127.0.0.1:${port}/cfn/responses/x`, `https://attacker.example/cfn/responses/x`, 'not a url']) {
      expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId, responseUrl })).toBeUndefined();
    }
    expect(called).toBe(0);
    expect(answers).toEqual([]);
    expect((await configOf(tenant.apiKey)).role_arn).toBeNull();
    expect(logLines.join('\n')).toMatch(/response_url_refused/);
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
});

test('Delete: the config is disconnected, sends answer 403 byoc_disconnected; launching again reconnects', async () => {
  const tenant = await newTenant();
  await onboard(system, tenant.apiKey, { accountId: '444411110001', domain: 'acme.com', region: REGION });
  expect((await send(tenant.apiKey)).status).toBe(200);
  const deleted = await publish({ type: 'Delete', externalId: tenant.externalId, accountId: '444411110001', physicalResourceId: `sendfleet-registration-444411110001-${REGION}` });
  expect(deleted).toMatchObject({ Status: 'SUCCESS' });
  expect((await configOf(tenant.apiKey)).status).toBe('disconnected');
  const refused = await send(tenant.apiKey);
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ error: 'byoc_disconnected', detail: expect.stringMatching(/Launch the stack again/) });
  expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId: '444411110001' })).toMatchObject({ Status: 'SUCCESS' });
  expect((await send(tenant.apiKey)).status).toBe(200);
});

test('rotation: sends keep working at every step, the previous ExternalId is dropped once the new one validates', async () => {
  const tenant = await newTenant();
  const accountId = '444411110002';
  await onboard(system, tenant.apiKey, { accountId, domain: 'acme.com', region: REGION });
  const old = tenant.externalId;
  expect((await send(tenant.apiKey)).status).toBe(200);

  // 1. Rotate: the role still trusts only the old ExternalId; sends fall back to it.
  const rotated = await call(system.relayUrl, 'POST', '/api/byoc/external-id/rotate', { apiKey: tenant.apiKey });
  expect(rotated.body).toMatchObject({ previous_external_id: old, status: 'validated' });
  const next = rotated.body.external_id as string;
  expect(next).not.toBe(old);
  expect(learnToken(rotated.body)).not.toBe(tenant.token);
  expect(rotated.body.launch_stack_url === null || String(rotated.body.launch_stack_url).includes(`param_PreviousExternalId=${old}`)).toBe(true);
  expect((rotated.body.trust_policy as { Statement: Array<{ Condition: unknown }> }).Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': [next, old] } });
  expect((await send(tenant.apiKey)).status).toBe(200);

  // 2. The stack update puts both into the trust policy.
  trustRole(accountId, [next, old]);
  expect((await send(tenant.apiKey)).status).toBe(200);

  // 3. Its registration Update validates with the new one: the previous is dropped.
  expect(await publish({ type: 'Update', externalId: next, accountId, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}` })).toMatchObject({ Status: 'SUCCESS' });
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'validated', external_id: next, previous_external_id: null });
  expect((await send(tenant.apiKey)).status).toBe(200);

  // 4. The old ExternalId leaves the trust policy; and it no longer finds the tenant.
  trustRole(accountId, [next]);
  expect((await send(tenant.apiKey)).status).toBe(200);
  expect(await publish({ type: 'Create', externalId: old, accountId })).toMatchObject({ Status: 'FAILED' });
  expect((await send(tenant.apiKey)).status).toBe(200);
});

test('the ExternalId alone proves nothing: without the tenant\'s registration token a Create, Update or Delete is refused in the same words and changes nothing', async () => {
  const tenant = await newTenant();
  const accountId = '444411110003';
  await onboard(system, tenant.apiKey, { accountId, domain: 'acme.com', region: REGION });
  const before = await configOf(tenant.apiKey);
  // A forger knows the ExternalId (trust policy, CloudTrail, the link) and owns another account whose role trusts it.
  const forger = customerAccount([tenant.externalId]);
  const unknown = await publish({ type: 'Create', externalId: 'f'.repeat(48), accountId: forger });
  for (const token of [null, 'A'.repeat(43), `${tenant.token}x`]) {
    for (const type of ['Create', 'Update'] as const) {
      const answer = await publish({ type, externalId: tenant.externalId, accountId: forger, token, ...(type === 'Update' ? { physicalResourceId: `sendfleet-registration-${forger}-${REGION}` } : {}) });
      expect(answer).toMatchObject({ Status: 'FAILED', Reason: unknown!.Reason });
    }
    expect(await publish({ type: 'Delete', externalId: tenant.externalId, accountId, token, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}` })).toMatchObject({ Status: 'SUCCESS', Reason: 'Nothing registered with SendFleet to remove.' });
  }
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'validated', role_arn: before.role_arn, region: REGION, validated_at: before.validated_at });
  expect((await send(tenant.apiKey)).status).toBe(200);
  expect(logLines.join('\n')).not.toContain(tenant.token);
});

test('a failing candidate leaves a validated config as it was: validated on A, a stack on sandboxed B fails, sends still go through A', async () => {
  const tenant = await newTenant();
  const accountA = '444411110004';
  await onboard(system, tenant.apiKey, { accountId: accountA, domain: 'acme.com', region: REGION });
  const sandboxed = customerAccount([tenant.externalId], { sandbox: true });
  const answer = await publish({ type: 'Create', externalId: tenant.externalId, accountId: sandboxed });
  expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/is in the SES sandbox/) });
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'validated', role_arn: `arn:aws:iam::${accountA}:role/${BYOC_ROLE_NAME}`, region: REGION });
  expect((await send(tenant.apiKey)).status).toBe(200);
  // A passing candidate in another account is saved together with its result.
  const accountC = customerAccount([tenant.externalId]);
  expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId: accountC })).toMatchObject({ Status: 'SUCCESS' });
  expect(await configOf(tenant.apiKey)).toMatchObject({ status: 'validated', role_arn: `arn:aws:iam::${accountC}:role/${BYOC_ROLE_NAME}` });
});

test('an Update that changes none of the registration\'s properties answers SUCCESS without validating (a failed stack update can roll back)', async () => {
  const tenant = await newTenant();
  const accountId = customerAccount([tenant.externalId]);
  expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId })).toMatchObject({ Status: 'SUCCESS' });
  // The role no longer trusts the ExternalId: a validation now would fail.
  trustRole(accountId, ['e'.repeat(48)]);
  await afterIamPropagation(system);
  const physicalResourceId = `sendfleet-registration-${accountId}-${REGION}`;
  expect(await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId, old: { externalId: tenant.externalId, accountId } })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalResourceId });
  expect((await configOf(tenant.apiKey)).status).toBe('validated');
  // Changed properties (here: no old ones) validate, and fail.
  expect(await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId })).toMatchObject({ Status: 'FAILED' });
});

test('a Delete still carrying the ExternalId a finished rotation retired disconnects, with its token only', async () => {
  const tenant = await newTenant();
  const accountId = '444411110005';
  await onboard(system, tenant.apiKey, { accountId, domain: 'acme.com', region: REGION });
  const rotated = await call(system.relayUrl, 'POST', '/api/byoc/external-id/rotate', { apiKey: tenant.apiKey });
  learnToken(rotated.body);
  // The trust is updated by hand and validated: the stack itself still carries the old ExternalId and token.
  trustRole(accountId, [rotated.body.external_id as string, tenant.externalId]);
  await afterIamPropagation(system);
  expect((await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey })).body).toMatchObject({ status: 'validated' });
  expect((await configOf(tenant.apiKey)).previous_external_id).toBeNull();
  const physicalResourceId = `sendfleet-registration-${accountId}-${REGION}`;
  // Create and Update with the retired ExternalId are refused; a Delete without its token changes nothing.
  expect(await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId })).toMatchObject({ Status: 'FAILED', Reason: NOT_ACCEPTED_REASON });
  expect(await publish({ type: 'Delete', externalId: tenant.externalId, accountId, physicalResourceId, token: 'A'.repeat(43) })).toMatchObject({ Status: 'SUCCESS', Reason: 'Nothing registered with SendFleet to remove.' });
  expect((await configOf(tenant.apiKey)).status).toBe('validated');
  expect(await publish({ type: 'Delete', externalId: tenant.externalId, accountId, physicalResourceId })).toMatchObject({ Status: 'SUCCESS' });
  expect((await configOf(tenant.apiKey)).status).toBe('disconnected');
});

test('registration waits out a slower IAM propagation than the API does (its own 40 s window)', async () => {
  const tenant = await newTenant();
  // 25 s: past the API's 12 s window, inside the registration's 40 s.
  const accountId = customerAccount([tenant.externalId], { iamPropagationMs: 25_000 });
  expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId })).toMatchObject({ Status: 'SUCCESS' });
  expect((await configOf(tenant.apiKey)).status).toBe('validated');
});

describe('the configuration set of a template with delivery events', () => {
  const item = async (key: { PK: string; SK: string }) => (await scanAll(system.tables.relay)).find((i) => i.PK === key.PK && i.SK === key.SK);

  test('Create with ConfigurationSetName: saved on the config, the account maps to the tenant; Delete removes the mapping', async () => {
    const tenant = await newTenant();
    const accountId = customerAccount([tenant.externalId]);
    await afterIamPropagation(system);
    expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId, configurationSet: SENDFLEET_CONFIGURATION_SET })).toMatchObject({ Status: 'SUCCESS' });
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ status: 'validated', configuration_set: SENDFLEET_CONFIGURATION_SET });
    // The customer sees it too (sends name it; delivery events come from it).
    expect((await configOf(tenant.apiKey)).configuration_set).toBe(SENDFLEET_CONFIGURATION_SET);
    expect(await item(relayKeys.eventSource(accountId))).toMatchObject({ tenant_id: tenant.tenantId, account_id: accountId, configuration_set: SENDFLEET_CONFIGURATION_SET, region: REGION });

    expect(await publish({ type: 'Delete', externalId: tenant.externalId, accountId, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}`, configurationSet: SENDFLEET_CONFIGURATION_SET })).toMatchObject({ Status: 'SUCCESS' });
    expect(await item(relayKeys.eventSource(accountId))).toBeUndefined();
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ status: 'disconnected', configuration_set: null });
    expect((await configOf(tenant.apiKey)).configuration_set).toBeNull();
  });

  test('any other ConfigurationSetName is refused before the tenant is looked up, and nothing is saved', async () => {
    const tenant = await newTenant();
    const accountId = customerAccount([tenant.externalId]);
    await afterIamPropagation(system);
    const answer = await publish({ type: 'Create', externalId: tenant.externalId, accountId, configurationSet: 'SomeOtherSet' });
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/ConfigurationSetName property must be .*SendFleet-BYOC-Events/) });
    expect(await item(relayKeys.eventSource(accountId))).toBeUndefined();
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ status: 'unconfigured' });
  });

  test('an older template (no set) and a role saved by hand leave configuration_set null, and an Update dropping the set removes the mapping', async () => {
    const tenant = await newTenant();
    const accountId = customerAccount([tenant.externalId]);
    await afterIamPropagation(system);
    expect(await publish({ type: 'Create', externalId: tenant.externalId, accountId })).toMatchObject({ Status: 'SUCCESS' });
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ status: 'validated', configuration_set: null });
    expect(await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}`, configurationSet: SENDFLEET_CONFIGURATION_SET, old: { externalId: tenant.externalId, accountId } })).toMatchObject({ Status: 'SUCCESS' });
    expect(await item(relayKeys.eventSource(accountId))).toMatchObject({ tenant_id: tenant.tenantId });
    expect(await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}`, old: { externalId: tenant.externalId, accountId, configurationSet: SENDFLEET_CONFIGURATION_SET } })).toMatchObject({ Status: 'SUCCESS' });
    expect(await item(relayKeys.eventSource(accountId))).toBeUndefined();
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ configuration_set: null });
    // A role saved by hand is not the stack's: no set.
    await publish({ type: 'Update', externalId: tenant.externalId, accountId, physicalResourceId: `sendfleet-registration-${accountId}-${REGION}`, configurationSet: SENDFLEET_CONFIGURATION_SET, old: { externalId: tenant.externalId, accountId } });
    expect(await item(relayKeys.eventSource(accountId))).toMatchObject({ tenant_id: tenant.tenantId });
    expect((await call(system.relayUrl, 'PUT', '/api/byoc/config', { apiKey: tenant.apiKey, body: { role_arn: `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`, region: REGION } })).status).toBe(200);
    expect(await item(relayKeys.byocConfig(tenant.tenantId))).toMatchObject({ configuration_set: null });
    // ... and its account's events no longer map to the tenant.
    expect(await item(relayKeys.eventSource(accountId))).toBeUndefined();
  });
});
