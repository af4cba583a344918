/**
 * The simulator's CloudFormation against a subscriber of this test's own (a fake of the relay's
 * registration function: it answers what each test tells it to): the stack lifecycle, the custom
 * resource request exactly as SNS hands it to Lambda, the pre-signed ResponseURL as S3 judges a PUT,
 * rollbacks, timeouts on virtual time, the quick-create link and the console pages.
 */
import { request as httpRequest } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import { customerStackTemplate } from '../../lambdas/relay/byoc/customer-template';
import { RELAY_ACCOUNT, simulatorHarness } from '../support/simulator-harness';

const REGION = 'eu-west-1';
const TOPIC = `arn:aws:sns:${REGION}:${RELAY_ACCOUNT}:sendfleet-registration`;
const BUCKET = 'sendfleet-templates';
const KEY = 'byoc/customer-template.json';
const EXTERNAL_ID = 'a'.repeat(48);
const NEW_EXTERNAL_ID = 'b'.repeat(48);
const TOKEN = 'T'.repeat(43);
const ACCOUNT = '333333333333';
const ROLE = 'SendFleet-BYOC-Role';

interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/**
 * What the fake subscriber does: answer, stay silent, or run a test's own steps — inside the delivery,
 * so virtual time stands still while they run (a silent subscriber lets CloudFormation's hour pass at once).
 */
type Answer = { status: 'SUCCESS' | 'FAILED'; reason?: string; physicalId?: string; data?: Record<string, string> } | 'silence' | ((request: CustomResourceRequest) => Promise<void>);

/** The fake subscriber: records what SNS delivered and answers with `answerFor(request)`. */
const delivered: Array<{ topicArn: string; event: SNSEvent; request: CustomResourceRequest }> = [];
let answerFor: (request: CustomResourceRequest) => Answer = () => ({ status: 'SUCCESS' });

function put(url: string, body: string, headers: Record<string, string> = { 'content-type': '' }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const responseBody = (request: CustomResourceRequest, answer: Exclude<Answer, 'silence' | ((request: CustomResourceRequest) => Promise<void>)>) => JSON.stringify({
  Status: answer.status,
  ...(answer.reason === undefined ? {} : { Reason: answer.reason }),
  PhysicalResourceId: answer.physicalId ?? request.PhysicalResourceId ?? `registration-${request.RequestId}`,
  StackId: request.StackId,
  RequestId: request.RequestId,
  LogicalResourceId: request.LogicalResourceId,
  ...(answer.data ? { Data: answer.data } : {}),
});

async function subscriber(topicArn: string, event: SNSEvent): Promise<void> {
  const request = JSON.parse(event.Records[0]!.Sns.Message) as CustomResourceRequest;
  delivered.push({ topicArn, event, request });
  const answer = answerFor(request);
  if (answer === 'silence') return;
  if (typeof answer === 'function') return answer(request);
  const response = await put(request.ResponseURL, responseBody(request, answer));
  expect(response.status).toBe(200);
}

const h = simulatorHarness({ cloudFormation: { deliver: subscriber } });
const templateUrl = () => `${h.sim.url}/_sim/s3/${BUCKET}/${KEY}`;
const quickCreateUrl = (params: Record<string, string> = {}) =>
  `${h.sim.url}/_sim/cloudformation/quickcreate?${new URLSearchParams({ templateURL: templateUrl(), stackName: 'SendFleet-BYOC', param_ExternalId: EXTERNAL_ID, param_RegistrationToken: TOKEN, region: REGION, ...params })}`;
const stacksPath = `/_sim/accounts/${ACCOUNT}/cloudformation/stacks`;

beforeEach(() => {
  delivered.length = 0;
  answerFor = () => ({ status: 'SUCCESS', data: { Registered: 'yes' } });
  h.sim.putObject(BUCKET, KEY, JSON.stringify(customerStackTemplate({ relayAccountId: RELAY_ACCOUNT, registrationTopicArn: TOPIC })));
  h.sim.createAccount({ account_id: ACCOUNT, iam_propagation_ms: 8_000 });
});

async function createStack(body: unknown = { quick_create_url: quickCreateUrl() }) {
  const created = await h.control('POST', stacksPath, body);
  expect(created).toMatchObject({ status: 201, json: { status: 'CREATE_IN_PROGRESS' } });
  return h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
}

async function assumesWith(externalId: string): Promise<boolean> {
  try {
    await h.assumeRole({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, ExternalId: externalId });
    return true;
  } catch {
    return false;
  }
}

describe('create from a quick-create link', () => {
  test('creates the role (after IAM propagation), delivers the custom resource request as SNS does, ends CREATE_COMPLETE', async () => {
    const stack = await createStack();
    expect(stack).toMatchObject({ status: 'CREATE_COMPLETE', status_reason: null, region: REGION, account_id: ACCOUNT });
    expect(stack.stack_id).toMatch(new RegExp(`^arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/SendFleet-BYOC/[0-9a-f-]{36}$`));
    expect(stack.outputs).toEqual({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` });
    expect(stack.resources.map((r) => [r.logical_id, r.status])).toEqual([['SendFleetByocRole', 'CREATE_COMPLETE'], ['SendFleetRegistration', 'CREATE_COMPLETE']]);
    expect(h.sim.account(ACCOUNT).roles).toEqual([ROLE]); // IAM shows it at once

    expect(delivered).toHaveLength(1);
    const [{ topicArn, event, request }] = delivered as [typeof delivered[0]];
    expect(topicArn).toBe(TOPIC);
    expect(event.Records[0]).toMatchObject({ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Type: 'Notification', TopicArn: TOPIC, Subject: 'AWS CloudFormation custom resource request' } });
    expect(request).toEqual({
      RequestType: 'Create',
      ServiceToken: TOPIC,
      ResponseURL: expect.stringMatching(new RegExp(`^${h.sim.url}/_sim/cloudformation/responses/[^?]+\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&.*X-Amz-Signature=[0-9a-f]{64}$`)),
      StackId: stack.stack_id,
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      LogicalResourceId: 'SendFleetRegistration',
      ResourceType: 'Custom::SendFleetRegistration',
      ResourceProperties: { ServiceToken: TOPIC, ServiceTimeout: 300, ExternalId: EXTERNAL_ID, RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, Region: REGION, AccountId: ACCOUNT, RegistrationToken: TOKEN },
    });

    // IAM: the role exists at once, but STS honours it only after the account's propagation delay
    expect(await assumesWith(EXTERNAL_ID)).toBe(false);
    await h.advance(8_000);
    expect(await assumesWith(EXTERNAL_ID)).toBe(true);
    expect(await assumesWith(NEW_EXTERNAL_ID)).toBe(false);
  });

  test('a stack in another region than its topic fails: the service token must be in the stack\'s region', async () => {
    const template = customerStackTemplate({ relayAccountId: RELAY_ACCOUNT, registrationTopicArn: TOPIC }) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.SendFleetRegistration!.Properties.ServiceToken = TOPIC; // one fixed topic, in eu-west-1
    h.sim.putObject(BUCKET, 'fixed-topic.json', JSON.stringify(template));
    const stack = await createStack({ template_url: `${h.sim.url}/_sim/s3/${BUCKET}/fixed-topic.json`, stack_name: 'SendFleet-BYOC', region: 'us-east-1', parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: TOKEN } });
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toBe('Invalid service token: the topic must be in the stack\'s region us-east-1.');
    expect(delivered).toHaveLength(0);
    expect(h.sim.account(ACCOUNT).roles).toEqual([]);
  });

  test('the console\'s own link form (parameters after the fragment, region in the host and query) is read the same', async () => {
    const link = `https://${REGION}.console.aws.amazon.com/cloudformation/home?region=${REGION}#/stacks/quickcreate?${new URLSearchParams({ templateURL: templateUrl(), stackName: 'SendFleet-BYOC', param_ExternalId: EXTERNAL_ID, param_RegistrationToken: TOKEN })}`;
    const stack = await createStack({ quick_create_url: link });
    expect(stack).toMatchObject({ status: 'CREATE_COMPLETE', region: REGION, parameters: { ExternalId: EXTERNAL_ID, PreviousExternalId: '' } });
  });

  test('a FAILED answer rolls back: the role is deleted, the custom resource gets the Delete CloudFormation sends, the reason is CloudFormation\'s', async () => {
    answerFor = (request) => request.RequestType === 'Create'
      ? { status: 'FAILED', reason: 'SES account is in sandbox mode', physicalId: `failed-${request.RequestId}` }
      : { status: 'SUCCESS' };
    const stack = await createStack();
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toBe('Received response status [FAILED] from custom resource. Message returned: SES account is in sandbox mode');
    expect(stack.events.map((e) => `${e.logical_id} ${e.status}`).reverse()).toEqual([
      'SendFleet-BYOC CREATE_IN_PROGRESS',
      'SendFleetByocRole CREATE_IN_PROGRESS', 'SendFleetByocRole CREATE_COMPLETE',
      'SendFleetRegistration CREATE_IN_PROGRESS', 'SendFleetRegistration CREATE_FAILED',
      'SendFleet-BYOC ROLLBACK_IN_PROGRESS',
      'SendFleetRegistration DELETE_IN_PROGRESS', 'SendFleetRegistration DELETE_COMPLETE',
      'SendFleetByocRole DELETE_IN_PROGRESS', 'SendFleetByocRole DELETE_COMPLETE',
      'SendFleet-BYOC ROLLBACK_COMPLETE',
    ]);
    expect(stack.events.find((e) => e.status === 'ROLLBACK_IN_PROGRESS')?.status_reason).toBe('The following resource(s) failed to create: [SendFleetRegistration]. Rollback requested by user.');
    expect(delivered.map((d) => d.request.RequestType)).toEqual(['Create', 'Delete']);
    expect(delivered[1]!.request.PhysicalResourceId).toBe(`failed-${delivered[0]!.request.RequestId}`);
    expect(h.sim.account(ACCOUNT).roles).toEqual([]);

    // a ROLLBACK_COMPLETE stack blocks its name until deleted, as in AWS
    const again = await h.control('POST', stacksPath, { quick_create_url: quickCreateUrl() });
    expect(again).toEqual({ status: 400, json: { error: 'AlreadyExistsException', detail: 'Stack [SendFleet-BYOC] already exists' } });
    expect((await h.control('DELETE', `${stacksPath}/SendFleet-BYOC`)).status).toBe(202);
    await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    expect((await h.control('GET', `${stacksPath}/SendFleet-BYOC`)).status).toBe(404);
    expect(delivered).toHaveLength(2); // nothing left to delete
  });

  test('no answer: CloudFormation gives up after the resource\'s ServiceTimeout (300 s in the template, not the default hour) of the simulator\'s clock and rolls back', async () => {
    answerFor = (request) => (request.RequestType === 'Create' ? 'silence' : { status: 'SUCCESS' });
    const started = h.clock.now();
    const stack = await createStack();
    expect(h.clock.now() - started).toBe(300_000);
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toBe(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${delivered[0]!.request.RequestId}].`);
    expect(delivered.map((d) => d.request.RequestType)).toEqual(['Create']); // no physical id to delete
    expect(h.sim.account(ACCOUNT).roles).toEqual([]);
  });

  test('a role of that name already in the account fails the role, and nothing is delivered', async () => {
    h.sim.putRole(ACCOUNT, ROLE, { trust_policy: { Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: RELAY_ACCOUNT } } }, permissions_policy: { Statement: { Effect: 'Allow', Action: 'ses:*', Resource: '*' } } });
    const stack = await createStack();
    expect(stack).toMatchObject({ status: 'ROLLBACK_COMPLETE', status_reason: `Resource of type 'AWS::IAM::Role' with identifier '${ROLE}' already exists.` });
    expect(delivered).toHaveLength(0);
    expect(h.sim.account(ACCOUNT).roles).toEqual([ROLE]); // not the stack's to delete
  });
});

describe('the ResponseURL, judged as S3 judges a pre-signed PUT and read as CloudFormation reads it', () => {
  async function stackAnswered(steps: (request: CustomResourceRequest) => Promise<void>) {
    answerFor = (request) => (request.RequestType === 'Create' ? steps : { status: 'SUCCESS' });
    const stack = await createStack();
    await h.clock.current.settled(); // the subscriber's own steps, after CloudFormation has read its answer
    return stack;
  }

  test('a content type (the URL is signed for none) is SignatureDoesNotMatch; a forged signature is AccessDenied; the stack waits for a good PUT', async () => {
    const answers: Array<{ status: number; body: string }> = [];
    const stack = await stackAnswered(async (request) => {
      const body = responseBody(request, { status: 'SUCCESS' });
      answers.push(await put(request.ResponseURL, body, { 'content-type': 'application/json' }));
      answers.push(await put(request.ResponseURL.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`), body));
      answers.push({ status: 0, body: h.sim.stack(ACCOUNT, 'SendFleet-BYOC').status });
      answers.push(await put(request.ResponseURL, body));
      answers.push(await put(request.ResponseURL, responseBody(request, { status: 'FAILED', reason: 'too late' })));
    });
    expect(answers.map((a) => [a.status, /<Code>(\w+)<\/Code>/.exec(a.body)?.[1] ?? a.body])).toEqual([
      [403, 'SignatureDoesNotMatch'], [403, 'AccessDenied'], [0, 'CREATE_IN_PROGRESS'], [200, ''],
      [200, ''], // S3 takes a second PUT; CloudFormation has read the first
    ]);
    expect(stack.status).toBe('CREATE_COMPLETE');
  });

  test.each([
    ['over 4096 bytes', (r: CustomResourceRequest) => responseBody(r, { status: 'FAILED', reason: 'x'.repeat(5000) }), 'Response object is too long.'],
    ['not JSON', () => 'SUCCESS', 'Invalid response object: the body is not JSON'],
    ['another request\'s ids', (r: CustomResourceRequest) => responseBody({ ...r, RequestId: 'other' }, { status: 'SUCCESS' }), 'Invalid response object: StackId, RequestId and LogicalResourceId must be copied from the request'],
    ['FAILED without a Reason', (r: CustomResourceRequest) => responseBody(r, { status: 'FAILED' }), 'Invalid response object: Reason is required when Status is FAILED'],
    ['an empty PhysicalResourceId', (r: CustomResourceRequest) => responseBody(r, { status: 'SUCCESS', physicalId: '' }), 'Invalid PhysicalResourceId'],
  ])('a response %s fails the resource', async (_case, body, reason) => {
    const statuses: number[] = [];
    const stack = await stackAnswered(async (request) => {
      statuses.push((await put(request.ResponseURL, body(request))).status);
    });
    expect(statuses).toEqual([200]);
    expect(stack).toMatchObject({ status: 'ROLLBACK_COMPLETE', status_reason: reason });
  });
});

describe('update and delete', () => {
  test('a new parameter value (a rotation) updates the role\'s trust and delivers an Update with OldResourceProperties', async () => {
    await createStack();
    await h.advance(8_000);
    const link = quickCreateUrl({ param_ExternalId: NEW_EXTERNAL_ID, param_PreviousExternalId: EXTERNAL_ID });
    const updating = await h.control('PUT', `${stacksPath}/SendFleet-BYOC`, { quick_create_url: link });
    expect(updating).toMatchObject({ status: 200, json: { status: 'UPDATE_IN_PROGRESS' } });
    const stack = await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(delivered.map((d) => d.request.RequestType)).toEqual(['Create', 'Update']);
    const update = delivered[1]!.request;
    expect(update.PhysicalResourceId).toBe(`registration-${delivered[0]!.request.RequestId}`);
    expect(update.ResourceProperties).toMatchObject({ ExternalId: NEW_EXTERNAL_ID, Region: REGION });
    expect(update.OldResourceProperties).toMatchObject({ ExternalId: EXTERNAL_ID });
    await h.advance(8_000);
    expect(await assumesWith(NEW_EXTERNAL_ID)).toBe(true);
    expect(await assumesWith(EXTERNAL_ID)).toBe(true); // both during the overlap

    const same = await h.control('PUT', `${stacksPath}/SendFleet-BYOC`, { quick_create_url: link });
    expect(same).toEqual({ status: 400, json: { error: 'ValidationError', detail: 'No updates are to be performed.' } });
  });

  test('a FAILED update rolls back: the trust is restored and the resource gets an Update carrying its old properties', async () => {
    await createStack();
    answerFor = (request) => (request.RequestType === 'Update' && request.ResourceProperties.ExternalId === NEW_EXTERNAL_ID
      ? { status: 'FAILED', reason: 'the role refused the new ExternalId' } : { status: 'SUCCESS' });
    await h.control('PUT', `${stacksPath}/SendFleet-BYOC`, { template_url: templateUrl(), region: REGION, parameters: { ExternalId: NEW_EXTERNAL_ID, RegistrationToken: TOKEN } });
    const stack = await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    expect(stack).toMatchObject({ status: 'UPDATE_ROLLBACK_COMPLETE', parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: '****' } });
    expect(stack.status_reason).toBe('Received response status [FAILED] from custom resource. Message returned: the role refused the new ExternalId');
    expect(delivered.map((d) => [d.request.RequestType, d.request.ResourceProperties.ExternalId, d.request.OldResourceProperties?.ExternalId])).toEqual([
      ['Create', EXTERNAL_ID, undefined], ['Update', NEW_EXTERNAL_ID, EXTERNAL_ID], ['Update', EXTERNAL_ID, NEW_EXTERNAL_ID],
    ]);
    await h.advance(8_000);
    expect(await assumesWith(EXTERNAL_ID)).toBe(true);
    expect(await assumesWith(NEW_EXTERNAL_ID)).toBe(false);
  });

  test('delete: the custom resource first (it depends on the role), then the role; the stack is gone', async () => {
    await createStack();
    const deleting = await h.control('DELETE', `${stacksPath}/SendFleet-BYOC`);
    expect(deleting).toMatchObject({ status: 202, json: { status: 'DELETE_IN_PROGRESS' } });
    const stack = await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    expect(stack.status).toBe('DELETE_COMPLETE');
    expect(delivered.map((d) => d.request.RequestType)).toEqual(['Create', 'Delete']);
    expect(delivered[1]!.request).toMatchObject({ PhysicalResourceId: `registration-${delivered[0]!.request.RequestId}`, ResourceProperties: { ExternalId: EXTERNAL_ID } });
    expect(h.sim.account(ACCOUNT).roles).toEqual([]);
    expect(await h.control('GET', `${stacksPath}/SendFleet-BYOC`)).toEqual({ status: 404, json: { error: 'ValidationError', detail: 'Stack with id SendFleet-BYOC does not exist' } });
  });

  test('a FAILED delete leaves the stack DELETE_FAILED with the role still there', async () => {
    await createStack();
    answerFor = (request) => (request.RequestType === 'Delete' ? { status: 'FAILED', reason: 'no' } : { status: 'SUCCESS' });
    await h.control('DELETE', `${stacksPath}/SendFleet-BYOC`);
    const stack = await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    expect(stack).toMatchObject({ status: 'DELETE_FAILED', status_reason: 'Received response status [FAILED] from custom resource. Message returned: no' });
    expect(h.sim.account(ACCOUNT).roles).toEqual([ROLE]);
  });
});

describe('CreateStack refuses what CloudFormation refuses at once', () => {
  test.each([
    ['an ExternalId that breaks AllowedPattern', { quick_create_url: `QC&param_ExternalId=nope` }, 'ValidationError', /^Parameter 'ExternalId' the 48 lowercase hex characters/],
    ['no ExternalId', { template_url: 'TPL', stack_name: 'SendFleet-BYOC', region: REGION }, 'ValidationError', /^Parameters: \[ExternalId, RegistrationToken\] must have values$/],
    ['an unknown parameter', { template_url: 'TPL', stack_name: 'S', region: REGION, parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: TOKEN, Colour: 'red' } }, 'ValidationError', /^Parameters: \[Colour\] do not exist in the template$/],
    ['a template the store does not hold', { template_url: 'NONE', stack_name: 'S', region: REGION, parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: TOKEN } }, 'ValidationError', /^S3 error: Access Denied/],
    ['a template URL that is not S3\'s', { template_url: 'https://example.com/t.json', stack_name: 'S', parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: TOKEN } }, 'ValidationError', /^TemplateURL must be a supported URL\.$/],
    ['a link that is not a quick-create link', { quick_create_url: 'https://example.com/' }, 'ValidationError', /is not a quick-create link/],
    ['a bad stack name', { template_url: 'TPL', stack_name: '1-bad', region: REGION, parameters: { ExternalId: EXTERNAL_ID, RegistrationToken: TOKEN } }, 'ValidationError', /at 'stackName' failed to satisfy constraint/],
  ])('%s', async (_case, body, error, detail) => {
    const resolved = JSON.parse(JSON.stringify(body).replace('QC', quickCreateUrl()).replace('"TPL"', JSON.stringify(templateUrl())).replace('"NONE"', JSON.stringify(`${h.sim.url}/_sim/s3/${BUCKET}/missing.json`)));
    const answer = await h.control('POST', stacksPath, resolved);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error });
    expect((answer.json as { detail: string }).detail).toMatch(detail);
    expect(delivered).toHaveLength(0);
  });

  test('an intrinsic function the simulator does not evaluate is named, not guessed at', async () => {
    h.sim.putObject(BUCKET, 'join.json', JSON.stringify({ Resources: { R: { Type: 'Custom::X', Properties: { ServiceToken: TOPIC, V: { 'Fn::Join': ['', ['a']] } } } } }));
    const answer = await h.control('POST', stacksPath, { template_url: `${h.sim.url}/_sim/s3/${BUCKET}/join.json`, stack_name: 'J', region: REGION });
    expect(answer).toMatchObject({ status: 400, json: { error: 'ValidationError' } });
    expect((answer.json as { detail: string }).detail).toMatch(/does not evaluate Fn::Join/);
  });

  test('a stack in an account the simulator does not have is 404', async () => {
    const answer = await h.control('POST', '/_sim/accounts/444444444444/cloudformation/stacks', { quick_create_url: quickCreateUrl() });
    expect(answer.status).toBe(404);
  });
});

describe('S3 and the console pages', () => {
  test('GET /_sim/s3 serves what was put and answers 403 AccessDenied for anything else', async () => {
    const object = await fetch(templateUrl());
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toMatchObject({ Parameters: { ExternalId: { Type: 'String' } } });
    const missing = await fetch(`${h.sim.url}/_sim/s3/${BUCKET}/other.json`);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('<Code>AccessDenied</Code>');
  });

  test('the review page shows the link\'s values; Create stack needs the IAM acknowledgement, then shows the stack until it is done', async () => {
    const review = await fetch(quickCreateUrl());
    expect(review.status).toBe(200);
    expect(review.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    const page = await review.text();
    expect(page).toContain(`value="${EXTERNAL_ID}"`);
    expect(page).toContain('<option value="333333333333">');
    expect(page).not.toContain('<script');

    const form = new URLSearchParams({ templateURL: templateUrl(), region: REGION, account: ACCOUNT, stackName: 'SendFleet-BYOC', param_ExternalId: EXTERNAL_ID, param_PreviousExternalId: '', param_RegistrationToken: TOKEN, action: 'create' });
    const post = (body: URLSearchParams) => fetch(`${h.sim.url}/_sim/cloudformation/quickcreate`, { method: 'POST', body, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const unacknowledged = await post(form);
    expect(unacknowledged.status).toBe(400);
    expect(await unacknowledged.text()).toContain('Requires capabilities : [CAPABILITY_NAMED_IAM]');
    expect(delivered).toHaveLength(0);

    form.set('capabilities', 'CAPABILITY_NAMED_IAM');
    const created = await post(form);
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    expect(location).toBe(`/_sim/cloudformation/stacks/${ACCOUNT}/${REGION}/SendFleet-BYOC`);
    await h.sim.stackSettled(ACCOUNT, 'SendFleet-BYOC');
    const done = await (await fetch(h.sim.url + location)).text();
    expect(done).toContain('<strong data-stack-status>CREATE_COMPLETE</strong>');
    expect(done).not.toContain('http-equiv="refresh"');
  });
});
