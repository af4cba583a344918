/**
 * BYOC onboarding end to end, as a customer does it: HTTP → onboarding handler → DynamoDB Local →
 * real STS/SES SDK clients → the customer-account simulator. The customer's role is created from
 * the trust and permissions policies the API returns, never from the test's own copy.
 */
import { BYOC_PERMISSIONS, BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import type { PolicyDocument } from '../../sim/simulator';
import { call, createTenant, startTestSystem, type JsonResponse, type TestSystem, afterIamPropagation } from '../support/system';

let system: TestSystem;
let nextAccount = 400_000_000_000;
/** Every 5xx answered in this file; only the ones a test provokes on purpose are allowed. */
const unexpected5xx: string[] = [];

beforeAll(async () => {
  // The production propagation window: on virtual time its retries cost nothing.
  system = await startTestSystem('onboarding');
});
afterAll(() => system?.stop());
beforeEach(() => system.simulator.clearFaults());

interface ApiOptions { body?: unknown; rawBody?: string; expect5xx?: boolean }

async function api(apiKey: string, method: string, path: string, options: ApiOptions = {}): Promise<JsonResponse> {
  const response = await call(system.relayUrl, method, path, { apiKey, ...(options.body === undefined ? {} : { body: options.body }), ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }) });
  if (response.status >= 500 && !options.expect5xx) unexpected5xx.push(`${method} ${path} → ${response.status} ${String(response.body.error)}`);
  return response;
}

const roleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`;

interface Customer {
  apiKey: string;
  tenantId: string;
  accountId: string;
  config: Record<string, unknown>;
}

/** A BYOC tenant and its AWS account; the role is made from what GET /api/byoc/config returns, unless changed. */
async function customer(options: {
  trust?: (policy: PolicyDocument) => PolicyDocument;
  permissions?: (policy: PolicyDocument) => PolicyDocument;
  role?: boolean;
  /** eu-west-1's settings (the region these customers choose); other regions stay in the sandbox. */
  account?: { sending_enabled?: boolean; max_24_hour_send?: number };
  save?: boolean;
} = {}): Promise<Customer> {
  const { apiKey, tenantId } = await createTenant(system, 'byoc');
  const accountId = String(nextAccount++);
  const config = await api(apiKey, 'GET', '/api/byoc/config');
  expect(config.status).toBe(200);
  system.simulator.createAccount({ account_id: accountId, regions: { 'eu-west-1': { max_24_hour_send: 50_000, ...options.account } } });
  if (options.role !== false) {
    const trust = config.body.trust_policy as PolicyDocument;
    const permissions = config.body.permissions_policy as PolicyDocument;
    system.simulator.putRole(accountId, BYOC_ROLE_NAME, {
      trust_policy: options.trust ? options.trust(trust) : trust,
      permissions_policy: options.permissions ? options.permissions(permissions) : permissions,
    });
  }
  if (options.save !== false) {
    const saved = await api(apiKey, 'PUT', '/api/byoc/config', { body: { role_arn: roleArn(accountId), region: 'eu-west-1' } });
    expect(saved.status).toBe(200);
  }
  return { apiKey, tenantId, accountId, config: config.body };
}

async function validated(options: Parameters<typeof customer>[0] = {}): Promise<Customer> {
  const c = await customer(options);
  expect((await api(c.apiKey, 'POST', '/api/byoc/validate')).status).toBe(200);
  return c;
}

const withoutAction = (action: string) => (policy: PolicyDocument): PolicyDocument => ({
  ...policy,
  Statement: [{ Effect: 'Allow', Action: BYOC_PERMISSIONS.filter((a) => a !== action), Resource: '*' }],
});
const withExternalId = (externalId: string) => (policy: PolicyDocument): PolicyDocument => JSON.parse(JSON.stringify(policy).replace(/"sts:ExternalId":"[0-9a-f]{48}"/, `"sts:ExternalId":"${externalId}"`)) as PolicyDocument;
const identityExists = (accountId: string, domain: string): boolean => {
  try {
    system.simulator.setIdentityStatus(accountId, domain, { mail_from: 'Pending' });
    return true;
  } catch {
    return false;
  }
};
type DnsRecord = { id: string; type: string; name: string; value: string; priority?: number; exchange?: string; status: string };
const records = (response: JsonResponse) => response.body.records as DnsRecord[];
const statusesOf = (response: JsonResponse) => Object.fromEntries(records(response).map((r) => [r.id, r.status]));

describe('the whole journey', () => {
  test('config → role from the returned policies → validate → domain → DNS → verify → send → delete', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = '333333333333';

    // 1. GET config: a stable ExternalId and everything needed to create the role
    const first = await api(apiKey, 'GET', '/api/byoc/config');
    const second = await api(apiKey, 'GET', '/api/byoc/config');
    expect(first.status).toBe(200);
    const externalId = first.body.external_id as string;
    expect(externalId).toMatch(/^[0-9a-f]{48}$/);
    expect(second.body.external_id).toBe(externalId);
    expect(first.body).toMatchObject({ success: true, status: 'unconfigured', role_arn: null, role_name: BYOC_ROLE_NAME, relay_account_id: '111111111111' });
    expect(first.body.trust_policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } }],
    });
    const permissions = first.body.permissions_policy as { Statement: Array<{ Effect: string; Action: string[]; Resource: string }> };
    expect(permissions.Statement).toHaveLength(1);
    expect(permissions.Statement[0]?.Effect).toBe('Allow');
    expect([...(permissions.Statement[0]?.Action ?? [])].sort()).toEqual([
      'ses:DeleteIdentity', 'ses:GetAccountSendingEnabled', 'ses:GetIdentityDkimAttributes', 'ses:GetIdentityMailFromDomainAttributes',
      'ses:GetIdentityVerificationAttributes', 'ses:GetSendQuota', 'ses:SendEmail', 'ses:SendRawEmail', 'ses:SetIdentityMailFromDomain',
      'ses:VerifyDomainDkim', 'ses:VerifyDomainIdentity',
    ]);
    // The template takes the ExternalId as a parameter (the same one the quick-create link fills in).
    expect(first.body.cloudformation_template).toMatchObject({
      Parameters: { ExternalId: { Type: 'String' } },
      Resources: { SendFleetByocRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: BYOC_ROLE_NAME } } },
    });
    expect(first.body.previous_external_id).toBeNull();

    // 2. the customer creates the role from exactly what was returned, then saves it
    system.simulator.createAccount({ account_id: accountId, regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
    system.simulator.putRole(accountId, BYOC_ROLE_NAME, { trust_policy: first.body.trust_policy as PolicyDocument, permissions_policy: first.body.permissions_policy as PolicyDocument });
    const saved = await api(apiKey, 'PUT', '/api/byoc/config', { body: { role_arn: roleArn(accountId), region: 'eu-west-1' } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ status: 'pending_validation', external_id: externalId, region: 'eu-west-1' });

    // 3. validate
    const validation = await api(apiKey, 'POST', '/api/byoc/validate');
    expect(validation.status).toBe(200);
    expect(validation.body).toMatchObject({ success: true, status: 'validated' });
    expect(validation.body.checks).toEqual([
      { name: 'assume_role', ok: true, status: 'passed', code: null, detail: expect.any(String) },
      { name: 'sending_enabled', ok: true, status: 'passed', code: null, detail: expect.any(String) },
      { name: 'production_access', ok: true, status: 'passed', code: null, detail: expect.stringContaining('50000') },
    ]);
    const afterValidation = await api(apiKey, 'GET', '/api/byoc/config');
    expect(afterValidation.body).toMatchObject({ status: 'validated', validated_at: expect.any(String), checks: validation.body.checks });

    // 4. add the domain (normalised), records Pending; adding it again is idempotent
    const added = await api(apiKey, 'POST', '/api/byoc/domains', { body: { domain: ' Acme.COM. ' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ success: true, domain: 'acme.com', region: 'eu-west-1', status: 'pending', can_send: false });
    const table = records(added);
    expect(table.map((r) => [r.id, r.type, r.status])).toEqual([
      ['ownership', 'TXT', 'Pending'], ['dkim1', 'CNAME', 'Pending'], ['dkim2', 'CNAME', 'Pending'], ['dkim3', 'CNAME', 'Pending'],
      ['mail_from_mx', 'MX', 'Pending'], ['mail_from_spf', 'TXT', 'Pending'], ['dmarc', 'TXT', 'NotChecked'],
    ]);
    expect(table[0]).toMatchObject({ name: '_amazonses.acme.com', value: expect.stringMatching(/.{20,}/) });
    for (const dkim of table.slice(1, 4)) {
      const token = dkim.name.split('.')[0];
      expect(dkim.name).toBe(`${token}._domainkey.acme.com`);
      expect(dkim.value).toBe(`${token}.dkim.amazonses.com`);
    }
    expect(table.slice(4).map((r) => [r.name, r.value, r.priority, r.exchange])).toEqual([
      ['send.acme.com', '10 feedback-smtp.eu-west-1.amazonses.com', 10, 'feedback-smtp.eu-west-1.amazonses.com'],
      ['send.acme.com', 'v=spf1 include:amazonses.com ~all', undefined, undefined], ['_dmarc.acme.com', 'v=DMARC1; p=none;', undefined, undefined],
    ]);
    // only the MX record has a priority, apart from its host
    expect(table.filter((r) => 'priority' in r).map((r) => r.id)).toEqual(['mail_from_mx']);
    expect(identityExists(accountId, 'acme.com')).toBe(true);
    const verifyCalls = system.simulator.calls()['ses:VerifyDomainIdentity'];
    const again = await api(apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'acme.com' } });
    expect(again.status).toBe(200);
    expect(records(again)).toEqual(table);
    expect(system.simulator.calls()['ses:VerifyDomainIdentity']).toBe(verifyCalls);

    const listed = await api(apiKey, 'GET', '/api/byoc/domains');
    expect(listed.body).toMatchObject({ success: true, domains: [{ domain: 'acme.com', region: 'eu-west-1', status: 'pending', can_send: false }] });

    // 5. DNS propagates (the simulator flips SES's statuses); verify DKIM only, then everything
    system.simulator.setIdentityStatus(accountId, 'acme.com', { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
    system.simulator.resetCalls();
    const dkimOnly = await api(apiKey, 'POST', '/api/byoc/domains/acme.com/verify', { body: { record: 'dkim' } });
    expect(dkimOnly.status).toBe(200);
    expect(statusesOf(dkimOnly)).toMatchObject({ ownership: 'Pending', dkim1: 'Success', dkim3: 'Success', mail_from_mx: 'Pending' });
    expect(dkimOnly.body).toMatchObject({ status: 'pending', can_send: false });
    expect(system.simulator.calls()).toEqual({ 'ses:GetIdentityDkimAttributes': 1 });

    const all = await api(apiKey, 'POST', '/api/byoc/domains/acme.com/verify');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ status: 'verified', can_send: true, checked_at: expect.any(String) });

    const shown = await api(apiKey, 'GET', '/api/byoc/domains/ACME.com');
    expect(shown.status).toBe(200);
    expect(statusesOf(shown)).toEqual({
      ownership: 'Success', dkim1: 'Success', dkim2: 'Success', dkim3: 'Success', mail_from_mx: 'Success', mail_from_spf: 'Success', dmarc: 'NotChecked',
    });
    expect(shown.body).toMatchObject({ can_send: true, statuses: { ownership: 'Success', dkim: 'Success', mail_from: 'Success' } });

    // 6. the send path trusts what onboarding stored
    const sent = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to: 'someone@example.com', from_email: 'hello@acme.com', subject: 'Hi', message: 'Hello' } });
    expect(sent.status).toBe(200);

    // 7. delete: the SES identity goes first, then the domain
    const deleted = await api(apiKey, 'DELETE', '/api/byoc/domains/acme.com');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, domain: 'acme.com', deleted: true });
    expect(identityExists(accountId, 'acme.com')).toBe(false);
    expect((await api(apiKey, 'GET', '/api/byoc/domains/acme.com')).status).toBe(404);
    expect((await api(apiKey, 'GET', '/api/byoc/domains')).body.domains).toEqual([]);
  });

  test('an IDN is stored as punycode and found by its Unicode name in the path', async () => {
    const c = await validated();
    const added = await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'Bücher.de' } });
    expect(added.status).toBe(201);
    expect(added.body.domain).toBe('xn--bcher-kva.de');
    expect(records(added)[0]?.name).toBe('_amazonses.xn--bcher-kva.de');
    expect(identityExists(c.accountId, 'xn--bcher-kva.de')).toBe(true);
    expect((await api(c.apiKey, 'GET', `/api/byoc/domains/${encodeURIComponent('bücher.de')}`)).body.domain).toBe('xn--bcher-kva.de');
    expect((await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'xn--bcher-kva.de' } })).status).toBe(200);
  });
});

describe('validate: every failure, with its code and fix', () => {
  const validate = (c: Customer, options: ApiOptions = {}) => api(c.apiKey, 'POST', '/api/byoc/validate', options);

  test.each([
    ['the trust policy names another ExternalId', { trust: withExternalId('f'.repeat(48)) }],
    ['the trust policy names another principal account', { trust: (p: PolicyDocument) => JSON.parse(JSON.stringify(p).replace('111111111111', '999999999999')) as PolicyDocument }],
    ['the role does not exist', { role: false }],
  ])('%s → 422 could_not_assume_role, SES checks not run, config invalid', async (_name, options) => {
    const c = await customer(options);
    const response = await validate(c);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ success: false, status: 'invalid', error: 'could_not_assume_role' });
    expect(response.body.detail).toMatch(/arn:aws:iam::111111111111:root/);
    expect(response.body.detail).toMatch(/ExternalId/);
    expect(response.body.detail).toMatch(/15 s/);
    expect((response.body.checks as Array<{ ok: boolean; detail: string }>).map((check) => check.ok)).toEqual([false, false, false]);
    expect((response.body.checks as Array<{ status: string; code: string | null }>).map(({ status, code }) => [status, code]))
      .toEqual([['failed', 'could_not_assume_role'], ['not_run', null], ['not_run', null]]);
    expect((response.body.checks as Array<{ detail: string }>)[2]?.detail).toMatch(/^not run/);
    expect((await api(c.apiKey, 'GET', '/api/byoc/config')).body).toMatchObject({ status: 'invalid', validated_at: null });
  });

  test('sending disabled → 422 sending_disabled with how to re-enable', async () => {
    const response = await validate(await customer({ account: { sending_enabled: false } }));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'sending_disabled', status: 'invalid' });
    expect(response.body.detail).toMatch(/update-account-sending-enabled --enabled --region eu-west-1/);
  });

  test('SES sandbox (200 per day) → 422 ses_sandbox with the production-access link', async () => {
    const response = await validate(await customer({ account: { max_24_hour_send: 200 } }));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'ses_sandbox' });
    expect(response.body.detail).toContain('https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html');
  });

  test('a permissions policy without ses:GetSendQuota → 422 missing_permission naming it', async () => {
    const response = await validate(await customer({ permissions: withoutAction('ses:GetSendQuota') }));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: 'missing_permission' });
    expect(response.body.detail).toMatch(/ses:GetSendQuota/);
    expect(response.body.detail).toMatch(/permissions_policy from GET \/api\/byoc\/config/);
    expect((response.body.checks as Array<{ name: string; ok: boolean }>).map((check) => check.ok)).toEqual([true, true, false]);
  });

  test('confused deputy: tenant A saving tenant B\'s role cannot use it (B\'s role trusts only B\'s ExternalId)', async () => {
    const b = await validated();
    const a = await customer({ role: false, save: false });
    expect((await api(a.apiKey, 'PUT', '/api/byoc/config', { body: { role_arn: roleArn(b.accountId), region: 'eu-west-1' } })).status).toBe(200);
    const response = await validate(a);
    expect(response.status).toBe(422);
    expect(response.body.error).toBe('could_not_assume_role');
    expect((await api(a.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'stolen.com' } })).body.error).toBe('byoc_not_validated');
    expect((await validate(b)).status).toBe(200);
  });

  test('every run really assumes the role: a trust-policy change is seen at once', async () => {
    const c = await validated();
    const assumed = system.simulator.calls()['sts:AssumeRole'] ?? 0;
    expect((await validate(c)).status).toBe(200);
    expect(system.simulator.calls()['sts:AssumeRole']).toBe(assumed + 1);
    const trust = withExternalId('0'.repeat(48))(c.config.trust_policy as PolicyDocument);
    system.simulator.putRole(c.accountId, BYOC_ROLE_NAME, { trust_policy: trust, permissions_policy: c.config.permissions_policy as PolicyDocument });
    await afterIamPropagation(system);
    expect((await validate(c)).body.error).toBe('could_not_assume_role');
  });

  test('SES throttling a check is retried within the request: validation still passes', async () => {
    const c = await validated();
    system.simulator.addFault({ action: 'ses:GetSendQuota', error: 'Throttling', count: 3 });
    const response = await validate(c);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, status: 'validated' });
  });

  test('SES failing (5xx) past its retries → 502 ses_unavailable, and the stored result stays as it was', async () => {
    const c = await validated();
    system.simulator.addFault({ action: 'ses:GetSendQuota', error: 'ServiceUnavailable', count: 10 });
    const response = await validate(c, { expect5xx: true });
    system.simulator.clearFaults();
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ success: false, error: 'ses_unavailable', detail: expect.stringMatching(/[Rr]etry/) });
    expect((await api(c.apiKey, 'GET', '/api/byoc/config')).body.status).toBe('validated');
  });

  test('no role saved yet → 400 invalid_request telling to PUT the config first', async () => {
    const c = await customer({ save: false });
    const response = await validate(c);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request', detail: expect.stringMatching(/PUT \/api\/byoc\/config with role_arn and region first/) });
  });
});

describe('PUT /api/byoc/config refusals → 400 invalid_request', () => {
  test.each([
    ['an ARN with a path', { role_arn: 'arn:aws:iam::123456789012:role/path/SendFleet-BYOC-Role', region: 'eu-west-1' }, 'role_arn', /path/],
    ['another role name', { role_arn: 'arn:aws:iam::123456789012:role/Admin', region: 'eu-west-1' }, 'role_arn', /SendFleet-BYOC-Role/],
    ['another partition', { role_arn: 'arn:aws-cn:iam::123456789012:role/SendFleet-BYOC-Role', region: 'eu-west-1' }, 'role_arn', /partition/],
    ['the relay\'s own account', { role_arn: roleArn('111111111111'), region: 'eu-west-1' }, 'role_arn', /your own AWS account/],
    ['the platform account', { role_arn: roleArn('222222222222'), region: 'eu-west-1' }, 'role_arn', /your own AWS account/],
    ['garbage', { role_arn: 'not an arn', region: 'eu-west-1' }, 'role_arn', /not an IAM role ARN/],
    ['an unknown region', { role_arn: roleArn('123456789012'), region: 'xx-east-9' }, 'region', /region/],
    ['a number for the region', { role_arn: roleArn('123456789012'), region: 1 }, 'region', /region/],
    ['an unknown field', { role_arn: roleArn('123456789012'), region: 'eu-west-1', external_id: 'mine' }, '(body)', /unknown field/],
  ])('%s', async (_name, body, path, detail) => {
    const c = await customer({ role: false, save: false });
    const response = await api(c.apiKey, 'PUT', '/api/byoc/config', { body });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'invalid_request', detail: expect.stringMatching(detail) });
    expect((response.body.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });
});

describe('domains: refusals and failures', () => {
  let c: Customer;
  beforeAll(async () => {
    c = await validated();
  });

  test('before validation → 403 byoc_not_validated', async () => {
    const fresh = await customer();
    const response = await api(fresh.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'acme.com' } });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'byoc_not_validated', detail: expect.stringMatching(/POST \/api\/byoc\/validate/) });
  });

  test.each([
    ['a subdomain', 'subdomain_not_allowed', 'mail.acme.com', /Use acme\.com instead/],
    ['a subdomain under a two-level suffix', 'subdomain_not_allowed', 'www.acme.co.uk', /Use acme\.co\.uk instead/],
    ['a public suffix', 'invalid_domain', 'co.uk', /public suffix/],
    ['a TLD', 'invalid_domain', 'com', /two labels|public suffix/],
    ['an IP address', 'invalid_domain', '192.0.2.1', /IP address|not a valid domain/],
    ['localhost', 'invalid_domain', 'localhost', /two labels/],
    ['a reserved name', 'invalid_domain', 'acme.test', /public top-level domain/],
    ['a URL', 'invalid_domain', 'https://acme.com/', /characters/],
    ['an empty string', 'invalid_domain', '', /empty/],
    ['a 64-character label', 'invalid_domain', `${'a'.repeat(64)}.com`, /63/],
  ])('%s → 422 %s', async (_name, code, domain, detail) => {
    const response = await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ success: false, error: code, detail: expect.stringMatching(detail) });
  });

  test.each([
    ['malformed JSON', { rawBody: '{"domain":' }, undefined],
    ['a number', { body: { domain: 42 } }, 'domain'],
    ['no domain', { body: {} }, 'domain'],
    ['an unknown field', { body: { domain: 'acme.com', region: 'us-east-1' } }, '(body)'],
    ['an array body', { body: ['acme.com'] }, '(body)'],
  ])('add with %s → 400 invalid_request', async (_name, options, path) => {
    const response = await api(c.apiKey, 'POST', '/api/byoc/domains', options);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    if (path) expect((response.body.issues as Array<{ path: string }>).map((i) => i.path)).toContain(path);
  });

  test('verify with an unknown record kind or a wrong type → 400 with issues', async () => {
    await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'kinds.com' } });
    for (const body of [{ record: 'spf' }, { record: null }, 'dkim', { record: 'dkim', extra: 1 }]) {
      const response = await api(c.apiKey, 'POST', '/api/byoc/domains/kinds.com/verify', { body });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual(expect.any(Array));
    }
  });

  test('unknown domain → 404 not_found on get, verify and delete', async () => {
    for (const [method, path] of [['GET', '/api/byoc/domains/unknown.com'], ['POST', '/api/byoc/domains/unknown.com/verify'], ['DELETE', '/api/byoc/domains/unknown.com']] as const) {
      const response = await api(c.apiKey, method, path);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ success: false, error: 'not_found' });
    }
  });

  test('another tenant\'s domain is not visible', async () => {
    await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'mine-only.com' } });
    const other = await validated();
    expect((await api(other.apiKey, 'GET', '/api/byoc/domains/mine-only.com')).status).toBe(404);
    expect((await api(other.apiKey, 'GET', '/api/byoc/domains')).body.domains).toEqual([]);
  });

  test.each([
    ['NUL', '%00'], ['an empty label', 'a..b'], ['an encoded slash', 'a%2Fb'], ['broken percent-encoding', '%E0%A4%A'],
    ['3000 characters', 'x'.repeat(3000)], ['markup', '%3Cscript%3E'], ['a subdomain', 'mail.acme.com'], ['a trailing space', 'acme.com%20'], ['a wildcard', '*'],
  ])('hostile path value (%s) → 4xx with the error shape', async (_name, value) => {
    const response = await api(c.apiKey, 'GET', `/api/byoc/domains/${value}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toMatchObject({ success: false, error: expect.any(String), detail: expect.any(String) });
    expect(String(response.body.detail)).not.toContain('<script>');
  });

  test('a role missing ses:SetIdentityMailFromDomain → 422 missing_permission naming it; fixed, the retry succeeds', async () => {
    const limited = await validated({ permissions: withoutAction('ses:SetIdentityMailFromDomain') });
    const refused = await api(limited.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'partial.com' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'missing_permission', detail: expect.stringMatching(/ses:SetIdentityMailFromDomain/) });
    expect((await api(limited.apiKey, 'GET', '/api/byoc/domains')).body.domains).toEqual([]);
    system.simulator.putRole(limited.accountId, BYOC_ROLE_NAME, { trust_policy: limited.config.trust_policy as PolicyDocument, permissions_policy: limited.config.permissions_policy as PolicyDocument });
    await afterIamPropagation(system);
    expect((await api(limited.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'partial.com' } })).status).toBe(201);
  });

  test('DeleteIdentity denied → 422 missing_permission and the domain is kept', async () => {
    const limited = await validated({ permissions: withoutAction('ses:DeleteIdentity') });
    expect((await api(limited.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'sticky.com' } })).status).toBe(201);
    const refused = await api(limited.apiKey, 'DELETE', '/api/byoc/domains/sticky.com');
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'missing_permission', detail: expect.stringMatching(/ses:DeleteIdentity.*not deleted/s) });
    expect((await api(limited.apiKey, 'GET', '/api/byoc/domains/sticky.com')).status).toBe(200);
    expect(identityExists(limited.accountId, 'sticky.com')).toBe(true);
  });

  test('the role deleted after validation → 403 could_not_assume_role on verify, with the fix', async () => {
    const gone = await validated();
    expect((await api(gone.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'orphan.com' } })).status).toBe(201);
    system.simulator.deleteRole(gone.accountId, BYOC_ROLE_NAME);
    await afterIamPropagation(system);
    // SES refuses the cached session (its role is gone); the fresh AssumeRole that follows is refused by STS
    const response = await api(gone.apiKey, 'POST', '/api/byoc/domains/orphan.com/verify');
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'could_not_assume_role', detail: expect.stringMatching(/SendFleet-BYOC-Role/) });
  });

  test('SES failing (5xx) while adding → 502 ses_unavailable, nothing stored, a retry works', async () => {
    system.simulator.addFault({ action: 'ses:VerifyDomainIdentity', error: 'ServiceUnavailable', count: 10 });
    const failed = await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'flaky.com' }, expect5xx: true });
    system.simulator.clearFaults();
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: 'ses_unavailable', detail: expect.stringMatching(/[Rr]etry/) });
    expect((await api(c.apiKey, 'GET', '/api/byoc/domains/flaky.com')).status).toBe(404);
    expect((await api(c.apiKey, 'POST', '/api/byoc/domains', { body: { domain: 'flaky.com' } })).status).toBe(201);
  });
});

test('no request in this file got an unexpected 5xx', () => {
  expect(unexpected5xx).toEqual([]);
});
