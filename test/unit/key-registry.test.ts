/**
 * Both KeyRegistry adapters read the platform's answer with the contract's schema: a refusal is a
 * value; a function error, a transport failure or an answer outside the contract is
 * PlatformUnavailableError. The Lambda adapter sends the contract's request to the one ARN, once.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createCustomerKeys, publishedOrLogged } from '../../lambdas/platform/customer-keys/customer-keys';
import { PublishFailedError } from '../../lambdas/platform/tenants/snapshot-publisher';
import { setLogSink } from '../../lambdas/shared/logger';
import type { TenantService } from '../../lambdas/platform/tenants/tenant-service';
import { inProcessKeyRegistry, PlatformUnavailableError } from '../../lambdas/relay/keys/key-registry';
import { keysLambdaClient, lambdaKeyRegistry } from '../../lambdas/relay/keys/lambda-key-registry';

const ARN = 'arn:aws:lambda:eu-west-1:222222222222:function:sendfleet-dev-customer-keys';
const TENANT = 'ten_00000000000000000001';
const snapshot = {
  tenant_id: TENANT, version: 2, name: null, plan: 'byoc', status: 'active', limits: { sends_per_minute: 60, monthly_sends: null }, api_keys: [], updated_at: '2026-12-01T00:00:00.000Z',
};
const payload = (value: unknown) => ({ Payload: new TextEncoder().encode(JSON.stringify(value)) as never, StatusCode: 200 });

describe('LambdaKeyRegistry', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());
  const registry = () => lambdaKeyRegistry(ARN, new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));

  test('invokes the one function synchronously with the contract\'s request and reads its answer', async () => {
    lambda.on(InvokeCommand).resolves(payload({ ok: true, tenant: snapshot }));
    expect(await registry().revoke(TENANT, 'key_00000000000000ff')).toEqual({ ok: true, tenant: snapshot });
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input.FunctionName).toBe(ARN);
    expect(call!.args[0].input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(call!.args[0].input.Payload as Uint8Array).toString())).toEqual({ operation: 'revoke', tenant_id: TENANT, key_id: 'key_00000000000000ff' });
  });

  test('a refusal is a value', async () => {
    lambda.on(InvokeCommand).resolves(payload({ ok: false, refusal: 'key_limit_reached' }));
    expect(await registry().create(TENANT, { name: 'x', scope: 'full_access', domains: null, expires_at: null })).toEqual({ ok: false, refusal: 'key_limit_reached' });
  });

  test('the client makes one attempt: a create retried after a lost answer could issue a second key', async () => {
    expect(await keysLambdaClient(ARN).config.maxAttempts()).toBe(1);
  });

  test('the client calls Lambda in the platform function\'s region, whatever the relay\'s own (they may differ)', async () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-central-1';
    try {
      expect(await keysLambdaClient(ARN).config.region()).toBe('eu-west-1');
      expect(await keysLambdaClient('arn:aws:lambda:us-east-1:222222222222:function:sendfleet-qa-customer-keys').config.region()).toBe('us-east-1');
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION; else process.env.AWS_REGION = previous;
    }
  });

  test('a function error, a failed invoke or an answer outside the contract is PlatformUnavailableError', async () => {
    lambda.on(InvokeCommand).resolves({ ...payload({ errorType: 'Error' }), FunctionError: 'Unhandled' });
    await expect(registry().list(TENANT)).rejects.toBeInstanceOf(PlatformUnavailableError);
    lambda.reset();
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException', $metadata: {} }));
    await expect(registry().list(TENANT)).rejects.toBeInstanceOf(PlatformUnavailableError);
    lambda.reset();
    lambda.on(InvokeCommand).resolves(payload({ ok: true, tenant: { ...snapshot, version: 0 } }));
    await expect(registry().list(TENANT)).rejects.toBeInstanceOf(PlatformUnavailableError);
  });
});

describe('the platform function in-process', () => {
  test('a request outside the contract is refused as invalid_request, and the use case is not called', async () => {
    const service = { getTenant: jest.fn(), issueKey: jest.fn(), revokeKey: jest.fn() } as unknown as TenantService;
    const platform = createCustomerKeys(service);
    expect(await platform({ operation: 'create', tenant_id: TENANT, name: 'x' })).toEqual({ ok: false, refusal: 'invalid_request' });
    expect(await platform({ operation: 'drop', tenant_id: TENANT })).toEqual({ ok: false, refusal: 'invalid_request' });
    // The platform holds a new key to the admin API's rules too: no domains on a full-access key, names on one line.
    const create = { operation: 'create', tenant_id: TENANT, name: 'x', scope: 'full_access', domains: null, expires_at: null };
    expect(await platform({ ...create, domains: ['acme.com'] })).toEqual({ ok: false, refusal: 'invalid_request' });
    expect(await platform({ ...create, name: 'two\nlines' })).toEqual({ ok: false, refusal: 'invalid_request' });
    expect(service.issueKey).not.toHaveBeenCalled();
  });

  test('a failure of the platform reaches the relay as PlatformUnavailableError', async () => {
    const service = { getTenant: jest.fn(async () => { throw new Error('DynamoDB down'); }) } as unknown as TenantService;
    await expect(inProcessKeyRegistry(createCustomerKeys(service)).list(TENANT)).rejects.toBeInstanceOf(PlatformUnavailableError);
  });
});

test('the platform function\'s publisher logs a snapshot it could not publish instead of failing the answer (the relay applies it from the answer)', async () => {
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  try {
    const failing = jest.fn(async () => { throw new PublishFailedError('InternalFailure'); });
    await expect(publishedOrLogged(failing)(snapshot as never)).resolves.toBeUndefined();
    expect(failing).toHaveBeenCalledTimes(1);
    expect(lines.join('\n')).toMatch(/tenant snapshot not published/);
    expect(lines.join('\n')).toContain(TENANT);
  } finally {
    restore();
  }
});
