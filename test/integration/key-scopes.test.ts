/**
 * Key scopes on the whole local system: a sending key on every route of the relay's route tables
 * (refused on each one that is not a send route, so a route added later is covered without a word
 * here; admitted on each send route), a full-access key and a key from before scopes everywhere,
 * a sending key limited to domains on each send route, and the operator's key create with a name,
 * a scope and domains (validated, shown by the CLI).
 */
import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { output } from '../../cli/admin';
import * as relayRoutes from '../../lambdas/relay/api-routes';
import { ProjectionStore } from '../../lambdas/relay/store/projection-store';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { createTenantSync } from '../../lambdas/relay/tenant-sync/tenant-sync';
import { dynamoDocumentClient } from '../../lambdas/shared/clients';
import { sha512Hex } from '../../lambdas/shared/crypto';
import { requiredScope, type RouteSpec } from '../../lambdas/shared/routes';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';
import { testWiring } from '../support/dynamo';
import { call, createTenant, onboard, startTestSystem, type JsonResponse, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

type Answer = Record<string, any>;
let system: TestSystem;
let tenant: { tenantId: string; apiKey: string; keyId: string };
/** Keys of `tenant`: sending to any of its domains, and sending from acme.com only. */
let sendingKey: string;
let limitedKey: string;

const routes: RouteSpec[] = Object.values(relayRoutes).flatMap((table) => (table instanceof Set ? [] : Object.values(table as Record<string, RouteSpec>)));
const fullAccessRoutes = routes.filter((route) => requiredScope(route) === 'full_access');
const sendingRoutes = routes.filter((route) => requiredScope(route) === 'sending_access');
const isResend = (route: RouteSpec) => relayRoutes.RESEND_RESOURCES.has(route.resource);
const name = (route: RouteSpec) => `${route.method} ${route.resource}`;

/** A concrete path for a route: parameters name nothing of the tenant's (no call below may change its domains or messages). */
const pathOf = (route: RouteSpec) => route.resource.replace('{domain}', 'not-a-domain-of-ours.com').replace('{id}', 'msg-unknown').replace('{file}', 'none.js');

/** The route called with `apiKey` where the route takes it (X-API-Key, or Bearer on Resend's routes). */
const callRoute = (route: RouteSpec, apiKey: string, body?: unknown): Promise<JsonResponse> =>
  call(system.relayUrl, route.method, pathOf(route), isResend(route) ? { headers: { authorization: `Bearer ${apiKey}` }, body } : { apiKey, body });

const issueKey = async (tenantId: string, body: Record<string, unknown>) => {
  const issued = await call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body });
  expect(issued.status).toBe(201);
  return issued.body as Answer;
};

const mail = (from: string) => ({ to: 'customer@example.com', from_email: from, from_name: 'Acme Sales', subject: 'Hi', message: 'Hello' });
const resendMail = (from: string) => ({ from: `Acme Sales <${from}>`, to: 'customer@example.com', subject: 'Hi', text: 'Hello' });
/** A body each send route accepts, by route: a send route added without one fails the test that uses it. */
const SEND_BODIES: Record<string, (from: string) => unknown> = {
  'POST /api/send': mail,
  'POST /api/send/batch': (from) => ({ messages: [mail(from)] }),
  'POST /emails': resendMail,
  'POST /emails/batch': (from) => [resendMail(from)],
};

beforeAll(async () => {
  system = await startTestSystem('key-scopes');
  tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '515151515151', domain: 'acme.com' });
  // A second verified domain the tenant may send from: a key limited to acme.com is refused there by its own limit only.
  expect((await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey: tenant.apiKey, body: { domain: 'acme.org' } })).status).toBe(201);
  system.simulator.setIdentityStatus('515151515151', 'acme.org', { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  expect((await call(system.relayUrl, 'POST', '/api/byoc/domains/acme.org/verify', { apiKey: tenant.apiKey })).status).toBe(200);
  sendingKey = (await issueKey(tenant.tenantId, { scope: 'sending_access', name: 'web app' })).api_key;
  limitedKey = (await issueKey(tenant.tenantId, { scope: 'sending_access', domains: ['acme.com'] })).api_key;
});
afterAll(() => system?.stop());

test('a sending key is refused on every route that is not a send route, and changes nothing there', async () => {
  expect(fullAccessRoutes.length).toBeGreaterThan(20);
  const answers: string[] = [];
  for (const route of fullAccessRoutes) {
    const response = await callRoute(route, sendingKey, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
    answers.push(`${name(route)} ${response.status} ${String(isResend(route) ? response.body.name : response.body.error)}`);
    const detail = String(isResend(route) ? response.body.message : response.body.detail);
    expect(`${name(route)} ${detail}`).toBe(`${name(route)} This API key can only send email. Use a full-access key to ${route.purpose}.`);
  }
  // Resend answers a sending-only key on any other endpoint with 401 restricted_api_key; ours is 403 insufficient_scope.
  expect(answers).toEqual(fullAccessRoutes.map((route) => `${name(route)} ${isResend(route) ? '401 restricted_api_key' : '403 insufficient_scope'}`));
  // Nothing a refused call would have done was done: the domains and the config are as they were.
  const domains = await call(system.relayUrl, 'GET', '/api/byoc/domains', { apiKey: tenant.apiKey });
  expect((domains.body.domains as Answer[]).map((d) => d.domain).sort()).toEqual(['acme.com', 'acme.org']);
});

test('a sending key is admitted on every send route, from any of the tenant\'s domains', async () => {
  expect(sendingRoutes.map(name).sort()).toEqual(Object.keys(SEND_BODIES).sort());
  for (const route of sendingRoutes) {
    for (const from of ['hello@acme.com', 'hello@acme.org']) {
      const response = await callRoute(route, sendingKey, SEND_BODIES[name(route)]!(from));
      expect(`${name(route)} ${from} ${response.status}`).toBe(`${name(route)} ${from} 200`);
      if (route.resource === '/api/send/batch') expect(response.body.results).toEqual([expect.objectContaining({ success: true })]);
      if (route.resource === '/emails/batch') expect(response.body).toEqual({ data: [{ id: expect.any(String) }] });
    }
  }
});

describe('a sending key limited to acme.com', () => {
  test('POST /api/send: acme.com is sent; acme.org is refused with 403 naming the domains only, before it is counted', async () => {
    expect((await callRoute(relayRoutes.sendRoutes.send, limitedKey, mail('hello@acme.com'))).status).toBe(200);
    // Case is not a difference in a domain.
    expect((await callRoute(relayRoutes.sendRoutes.send, limitedKey, mail('hello@ACME.com'))).status).toBe(200);
    const refused = await callRoute(relayRoutes.sendRoutes.send, limitedKey, mail('hello@acme.org'));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      success: false, error: 'from_domain_not_allowed',
      detail: 'This API key may send only from acme.com, not from acme.org (subdomains count as other domains). Send from an address on that domain, or use a key allowed to send from acme.org.',
    });
    // Not counted against the key's minute: the answer carries no window.
    expect(refused.headers.get('ratelimit')).toBeNull();
    expect(JSON.stringify(refused.body)).not.toMatch(/hello@|Acme Sales/);
  });

  test('POST /api/send/batch: each message is judged on its own', async () => {
    const response = await callRoute(relayRoutes.sendRoutes.sendBatch, limitedKey, { messages: [mail('a@acme.com'), mail('b@acme.org'), mail('c@mail.acme.com')] });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { index: 0, success: true, message_id: expect.any(String) },
      { index: 1, success: false, error: 'from_domain_not_allowed', detail: expect.stringContaining('only from acme.com, not from acme.org') },
      // A subdomain of an allowed domain is another domain.
      { index: 2, success: false, error: 'from_domain_not_allowed', detail: expect.stringContaining('not from mail.acme.com') },
    ]);
  });

  test('POST /emails and /emails/batch answer in Resend\'s shape', async () => {
    expect((await callRoute(relayRoutes.sendRoutes.resendEmails, limitedKey, resendMail('hello@acme.com'))).status).toBe(200);
    const refused = await callRoute(relayRoutes.sendRoutes.resendEmails, limitedKey, resendMail('hello@acme.org'));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ statusCode: 403, name: 'invalid_from_address', message: expect.stringContaining('may send only from acme.com, not from acme.org') });
    const batch = await callRoute(relayRoutes.sendRoutes.resendBatch, limitedKey, [resendMail('a@acme.com'), resendMail('b@acme.org')]);
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({ data: [{ id: expect.any(String) }], errors: [{ index: 1, message: expect.stringMatching(/^from_domain_not_allowed: This API key may send only from acme\.com/) }] });
  });
});

describe('the operator issues keys with a name, a scope and domains', () => {
  test('the answer and the CLI\'s key list show them', async () => {
    const issued = await issueKey(tenant.tenantId, { name: 'billing', scope: 'sending_access', domains: ['acme.com', 'mail.acme.com'] });
    expect(issued).toMatchObject({ name: 'billing', scope: 'sending_access', domains: ['acme.com', 'mail.acme.com'], created_at: expect.any(String) });
    const listed = await call(system.platformUrl, 'GET', `/admin/tenants/${tenant.tenantId}/keys`);
    expect(listed.body.api_keys).toContainEqual(expect.objectContaining({ key_id: issued.key_id, name: 'billing', scope: 'sending_access', domains: ['acme.com', 'mail.acme.com'] }));
    expect(listed.body.api_keys).toContainEqual(expect.objectContaining({ key_id: tenant.keyId, scope: 'full_access', domains: null }));
    const printed = output(['key', 'list', '--tenant', tenant.tenantId], listed.status, listed.body).text;
    expect(printed).toMatch(new RegExp(`${issued.key_id}\\s+\\S+\\s+active\\s+sending_access \\(acme\\.com, mail\\.acme\\.com\\)\\s+billing\\s+never`));
    expect(printed).toMatch(new RegExp(`${tenant.keyId}\\s+\\S+\\s+active\\s+full_access\\s+-\\s+never`));
  });

  test.each([
    [{ domains: ['acme.com'] }, 'domains', 'only for a sending key'],
    [{ scope: 'full_access', domains: ['acme.com'] }, 'domains', 'only for a sending key'],
    [{ scope: 'read_only' }, 'scope', 'must be one of: "full_access", "sending_access"'],
    [{ scope: 'sending_access', domains: ['Acme.com'] }, 'domains.0', 'in lower case'],
    [{ scope: 'sending_access', domains: ['acme.com.'] }, 'domains.0', 'no trailing dot'],
    [{ scope: 'sending_access', domains: ['localhost'] }, 'domains.0', 'such as acme.com'],
    [{ scope: 'sending_access', domains: [] }, 'domains', '1 to 20 domains'],
    [{ scope: 'sending_access', domains: Array.from({ length: 21 }, (_, i) => `d${i}.com`) }, 'domains', 'at most 20 domains'],
    [{ scope: 'sending_access', domains: ['acme.com', 'acme.com'] }, 'domains', 'lists a domain twice'],
    [{ name: '' }, 'name', '1 to 50 characters'],
    [{ name: 'x'.repeat(51) }, 'name', '1 to 50 characters'],
    [{ name: 'web\napp' }, 'name', 'single line without control characters'],
    [{ name: ' web' }, 'name', 'must not start or end with spaces'],
  ])('%j is refused with 400 on %s', async (body, path, message) => {
    const response = await call(system.platformUrl, 'POST', `/admin/tenants/${tenant.tenantId}/keys`, { body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', issues: [{ path, message: expect.stringContaining(message) }] });
  });
});

test('a full-access key and keys from before scopes pass on every route', async () => {
  // A tenant whose snapshot carries keys as the platform published them before scopes: no name, scope, domains or created_at.
  const legacy = await createTenant(system, 'byoc');
  const [fromOldSnapshot, fromOldItem] = [0, 1].map(() => `sf_${randomBytes(32).toString('base64url')}`) as [string, string];
  const db = dynamoDocumentClient(testWiring(system.clock));
  await createTenantSync(new ProjectionStore(db, system.tables.relay))({
    id: 'evt-legacy', source: TENANT_EVENT_SOURCE, 'detail-type': TENANT_SNAPSHOT_DETAIL_TYPE,
    detail: {
      tenant_id: legacy.tenantId, version: 100, name: null, plan: 'byoc', status: 'active', limits: { sends_per_minute: 60, monthly_sends: null }, updated_at: new Date(system.clock.now()).toISOString(),
      api_keys: [fromOldSnapshot, fromOldItem].map((apiKey, i) => ({ key_id: `key_00000000000000a${i}`, key_hash: sha512Hex(apiKey), prefix: apiKey.slice(0, 11), status: 'active' as const, expires_at: null })),
    },
  });
  // …and a key item as the relay projected it before scopes (neither scope nor domains on it).
  await db.send(new UpdateCommand({ TableName: system.tables.relay, Key: relayKeys.apiKey(sha512Hex(fromOldItem)), UpdateExpression: 'REMOVE #scope, domains', ExpressionAttributeNames: { '#scope': 'scope' } }));
  await onboard(system, fromOldSnapshot, { accountId: '525252525252', domain: 'legacy.dev' });
  for (const [apiKey, from] of [[tenant.apiKey, 'hello@acme.org'], [fromOldSnapshot, 'hello@legacy.dev'], [fromOldItem, 'hello@legacy.dev']] as const) {
    for (const route of sendingRoutes) {
      const response = await callRoute(route, apiKey, SEND_BODIES[name(route)]!(from));
      expect(`${name(route)} ${response.status}`).toBe(`${name(route)} 200`);
    }
    for (const route of fullAccessRoutes) {
      const response = await callRoute(route, apiKey, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      // Each route answers its own way (a 404 for an unknown domain or message, a 400 for an empty body): never about the key.
      expect(`${name(route)} ${response.status}`).not.toMatch(/ (401|403)$/);
    }
  }
});
