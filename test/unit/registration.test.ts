/**
 * The registration's pure rules: which ResponseURL may be answered, the launch link, and the
 * registration use case's order of checks (nothing that depends on a tenant before the lookup).
 */
import { launchStackUrl } from '../../lambdas/relay/byoc/launch-stack';
import { isAllowedResponseUrl } from '../../lambdas/relay/registration/response-url';
import { parseRequest, responseBody } from '../../lambdas/relay/registration/custom-resource';
import { NOT_ACCEPTED_REASON, registerStack, type RegistrationDeps } from '../../lambdas/relay/registration/register-stack';
import type { ByocConfig } from '../../lambdas/relay/store/config-store';
import { recordingClock } from '../support/recording-clock';
import { presentConfig } from '../../lambdas/relay/onboarding/present';
import { templatePublisher } from '../../lambdas/relay/template-publisher/publish-template';

describe('ResponseURL allow-rule', () => {
  const signed = '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc';
  test.each([
    `https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/arn%3Aaws%3Acloudformation/x${signed}`,
    `https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x${signed}`,
    `https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/x${signed}`,
    `https://s3.eu-west-1.amazonaws.com/cloudformation-custom-resource-response-euwest1/x${signed}`,
  ])('CloudFormation\'s bucket in the stack\'s region: %s', (url) => {
    expect(isAllowedResponseUrl(url, 'eu-west-1')).toBe(true);
  });
  test.each([
    ['http, not https', 'http://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x'],
    ['another region\'s bucket', 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x'],
    ['another bucket on S3', 'https://attacker-bucket.s3.eu-west-1.amazonaws.com/x'],
    ['another bucket path-style', 'https://s3.eu-west-1.amazonaws.com/attacker-bucket/x'],
    ['a look-alike host', 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com.attacker.example/x'],
    ['user info', 'https://user@cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x'],
    ['another port', 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com:8443/x'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['loopback without local mode', 'http://127.0.0.1:9000/_sim/cloudformation/responses/1'],
    ['not a URL', 'cloudformation'],
  ])('refused: %s', (_why, url) => {
    expect(isAllowedResponseUrl(url, 'eu-west-1')).toBe(false);
  });
  test('local mode: only the configured prefix', () => {
    const localPrefix = 'http://127.0.0.1:9000/_sim/cloudformation/responses/';
    expect(isAllowedResponseUrl(`${localPrefix}abc?X-Amz-Signature=1`, 'eu-west-1', { localPrefix })).toBe(true);
    expect(isAllowedResponseUrl('http://127.0.0.1:9001/_sim/cloudformation/responses/abc', 'eu-west-1', { localPrefix })).toBe(false);
    expect(isAllowedResponseUrl(`https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x`, 'eu-west-1', { localPrefix })).toBe(false);
  });
});

describe('the answer body', () => {
  const request = parseRequest(JSON.stringify({
    RequestType: 'Create', ResponseURL: 'https://x', StackId: `arn:aws:cloudformation:eu-west-1:111111111111:stack/SendFleet-BYOC/${'a'.repeat(900)}`,
    RequestId: 'r'.repeat(256), LogicalResourceId: 'L'.repeat(256),
  }))!.request;
  test.each([['ASCII', 'x'], ['two-byte', 'é'], ['four-byte', '😀'], ['escaped', '"']])('is at most 4096 bytes of UTF-8, whatever the reason\'s characters (%s)', (_kind, character) => {
    const body = responseBody(request, { status: 'FAILED', reason: character.repeat(3000), physicalResourceId: 'p'.repeat(1024) });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(4096);
    expect(JSON.parse(body)).toMatchObject({ Status: 'FAILED', RequestId: request.RequestId, PhysicalResourceId: 'p'.repeat(1024), Reason: expect.stringMatching(/^.{100,}/u) });
  });
  test('a short reason is kept whole', () => {
    expect(JSON.parse(responseBody(request, { status: 'SUCCESS', reason: 'ok', physicalResourceId: 'p' })).Reason).toBe('ok');
  });
});

describe('launch_stack_url', () => {
  const templateUrl = 'https://bucket.s3.eu-west-1.amazonaws.com/sendfleet-byoc/customer-template.json';
  test('the console\'s quick-create page in us-east-1 until a region is chosen, parameters after the fragment', () => {
    const url = launchStackUrl({ templateUrl, region: null, externalId: 'a'.repeat(48) });
    expect(url.startsWith('https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?')).toBe(true);
    const query = new URLSearchParams(url.split('#/stacks/quickcreate?')[1]);
    expect(Object.fromEntries(query)).toEqual({ templateURL: templateUrl, stackName: 'SendFleet-BYOC', param_ExternalId: 'a'.repeat(48) });
  });
  test('the tenant\'s region, and both ExternalIds during a rotation; a local base takes them in its query', () => {
    const url = new URL(launchStackUrl({ templateUrl, quickCreateBaseUrl: 'http://127.0.0.1:9000/_sim/cloudformation/quickcreate', region: 'eu-west-1', externalId: 'b'.repeat(48), previousExternalId: 'a'.repeat(48) }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ region: 'eu-west-1', templateURL: templateUrl, stackName: 'SendFleet-BYOC', param_ExternalId: 'b'.repeat(48), param_PreviousExternalId: 'a'.repeat(48) });
  });
});

describe('registerStack: the order of its checks', () => {
  const ACCOUNT = '123456789012';
  const externalId = 'c'.repeat(48);
  let lookups: string[];
  const config: ByocConfig = { tenant_id: 't1', external_id: externalId, role_arn: null, region: null, status: 'unconfigured', validated_at: null, checks: null, revision: 1, updated_at: '' };
  const deps = (): RegistrationDeps => ({
    configs: {
      findByExternalId: async (id: string) => { lookups.push(id); return id === externalId ? config : undefined; },
      saveRole: async () => { throw new Error('must not save'); },
      markDisconnected: async () => { throw new Error('must not disconnect'); },
      get: async () => config,
      saveValidation: async () => { throw new Error('must not validate'); },
    } as never,
    accounts: { open: () => { throw new Error('must not open an account'); } },
    sessions: { forgetTenant: () => undefined },
    relayAccountId: '111111111111',
    clock: recordingClock(0),
  });
  const request = (properties: Record<string, string>, stackAccount = ACCOUNT) => parseRequest(JSON.stringify({
    RequestType: 'Create', ResponseURL: 'https://x', StackId: `arn:aws:cloudformation:eu-west-1:${stackAccount}:stack/SendFleet-BYOC/abc-123`,
    RequestId: 'r1', LogicalResourceId: 'SendFleetRegistration',
    ResourceProperties: { ExternalId: externalId, RoleArn: `arn:aws:iam::${ACCOUNT}:role/SendFleet-BYOC-Role`, Region: 'eu-west-1', AccountId: ACCOUNT, ...properties },
  }))!;
  beforeEach(() => { lookups = []; });

  test.each([
    ['a role in another account', {}, '999999999999', /not in the stack's own account/],
    ['a role with another name', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` }, ACCOUNT, /named exactly SendFleet-BYOC-Role/],
    ['a role in the relay account', { RoleArn: 'arn:aws:iam::111111111111:role/SendFleet-BYOC-Role', AccountId: '111111111111' }, '111111111111', /SendFleet account/],
    ['a Region that is not the stack\'s', { Region: 'us-east-1' }, ACCOUNT, /not the stack's region/],
  ])('%s: FAILED before any ExternalId lookup (the answer cannot depend on whether it exists)', async (_why, properties, stackAccount, reason) => {
    const answer = await registerStack(deps(), request(properties, stackAccount));
    expect(answer).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(reason), physicalResourceId: 'sendfleet-registration-failed-r1' });
    expect(lookups).toEqual([]);
  });

  test('a malformed ExternalId is never looked up, and reads as an unknown one', async () => {
    const malformed = await registerStack(deps(), request({ ExternalId: 'x' }));
    expect(lookups).toEqual([]);
    const unknown = await registerStack(deps(), request({ ExternalId: 'd'.repeat(48) }));
    expect(lookups).toEqual(['d'.repeat(48)]);
    expect(malformed).toEqual(unknown);
    expect(unknown).toMatchObject({ status: 'FAILED', reason: NOT_ACCEPTED_REASON });
  });

  test('a message that is not a custom resource request has no one to answer', () => {
    expect(parseRequest('not json')).toBeUndefined();
    expect(parseRequest(JSON.stringify({ RequestType: 'Create' }))).toBeUndefined();
    expect(parseRequest(JSON.stringify({ RequestType: 'Explode', ResponseURL: 'x', StackId: 'x', RequestId: 'x', LogicalResourceId: 'x' }))).toBeUndefined();
  });
});

describe('the one-click link in the config', () => {
  const config: ByocConfig = { tenant_id: 't1', external_id: 'e'.repeat(48), previous_external_id: null, role_arn: null, region: 'eu-central-1', status: 'unconfigured', validated_at: null, checks: null, revision: 1, updated_at: '' };
  const settings = { relayAccountId: '111111111111', customerTemplateUrl: 'https://b.s3.eu-west-1.amazonaws.com/t.json' };
  test('a region without a registration topic gets no link, and the reason points to the manual steps', () => {
    const presented = presentConfig(config, { ...settings, registrationRegions: ['eu-west-1', 'us-east-1'] });
    expect(presented.launch_stack_url).toBeNull();
    expect(presented.launch_stack_unavailable_reason).toMatch(/not offered in eu-central-1.*manual steps/);
  });
  test('a launch region gets the link; no template hosted, no link', () => {
    expect(presentConfig(config, { ...settings, registrationRegions: ['eu-central-1'] })).toMatchObject({ launch_stack_unavailable_reason: null, launch_stack_url: expect.stringContaining('region=eu-central-1') });
    expect(presentConfig(config, { relayAccountId: '111111111111' })).toMatchObject({ launch_stack_url: null, launch_stack_unavailable_reason: expect.stringMatching(/manual steps/) });
  });
});

describe('the template publisher (the relay stack\'s own custom resource)', () => {
  const template = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09' });
  const event = (type: 'Create' | 'Update' | 'Delete', templateBase64 = Buffer.from(template).toString('base64')) => ({
    RequestType: type, ResponseURL: 'https://cfn.example/r', StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Relay/1', RequestId: 'r', LogicalResourceId: 'Template',
    ResourceProperties: { Bucket: 'bucket', Key: 'sendfleet-byoc/customer-template.json', TemplateBase64: templateBase64 },
  });
  let puts: any[];
  let answers: any[];
  const publish = () => templatePublisher({ send: async (command: any) => { puts.push(command.input); return {}; } } as never, recordingClock(0), async (_url, body) => { answers.push(JSON.parse(body)); return 200; });
  beforeEach(() => { puts = []; answers = []; });

  test.each(['Create', 'Update'] as const)('%s writes the decoded template to the key and answers SUCCESS', async (type) => {
    await publish()(event(type));
    expect(puts).toEqual([expect.objectContaining({ Bucket: 'bucket', Key: 'sendfleet-byoc/customer-template.json', Body: template, ContentType: 'application/json' })]);
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'r' })]);
  });
  test('a template that is not JSON fails the deploy and is not written', async () => {
    await publish()(event('Create', Buffer.from('{broken').toString('base64')));
    expect(puts).toEqual([]);
    expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
  });
  test('Delete in a deployment whose bucket is destroyed deletes every version and delete marker of exactly that key', async () => {
    const sent: any[] = [];
    let listed = 0;
    const s3 = { send: async (command: any) => {
      sent.push([command.constructor.name, command.input]);
      if (command.constructor.name !== 'ListObjectVersionsCommand') return {};
      return listed++ === 0 ? {
        Versions: [{ Key: 'sendfleet-byoc/customer-template.json', VersionId: 'v1' }, { Key: 'sendfleet-byoc/customer-template.json', VersionId: 'v2' }, { Key: 'sendfleet-byoc/customer-template.json.bak', VersionId: 'x' }],
        DeleteMarkers: [{ Key: 'sendfleet-byoc/customer-template.json', VersionId: 'm1' }],
      } : {};
    } };
    const request = event('Delete');
    await templatePublisher(s3 as never, recordingClock(0), async (_url, body) => { answers.push(JSON.parse(body)); return 200; })({ ...request, ResourceProperties: { ...request.ResourceProperties, DeleteOnRemoval: 'true' } });
    expect(sent.filter(([name]) => name === 'DeleteObjectsCommand').map(([, input]) => input)).toEqual([{
      Bucket: 'bucket', Delete: { Quiet: true, Objects: ['v1', 'v2', 'm1'].map((VersionId) => ({ Key: 'sendfleet-byoc/customer-template.json', VersionId })) },
    }]);
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });
  test('Delete leaves the template (stacks created from it may still update from it)', async () => {
    await publish()(event('Delete'));
    expect(puts).toEqual([]);
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });
});
