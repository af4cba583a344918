/**
 * The keys adapter when the platform cannot be reached: 502 upstream_unavailable with Retry-After,
 * and a detail that is true of what happened. A list changed nothing; a create or revoke whose
 * answer was lost may have been made, so it never says "nothing was changed" there.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Authenticator, Principal } from '../../lambdas/relay/auth/authenticator';
import { ApiKeys } from '../../lambdas/relay/keys/api-keys';
import { PlatformUnavailableError, type KeyRegistry } from '../../lambdas/relay/keys/key-registry';
import { createKeysApi } from '../../lambdas/relay/keys/keys-api';
import { setLogSink } from '../../lambdas/shared/logger';
import { VirtualClock } from '../../local/virtual-clock';

const TENANT = 'ten_00000000000000000001';
const principal = {
  tenantId: TENANT, keyId: 'key_0000000000000001', keyExpiresAt: null, scope: 'full_access', domains: null,
  profile: { tenant_id: TENANT, plan: 'byoc', status: 'active', sends_per_minute: 60, monthly_sends: null, version: 1 },
} as Principal;

const down = async (): Promise<never> => { throw new PlatformUnavailableError('invoking the platform failed (TooManyRequestsException)'); };
const registry: KeyRegistry = { list: down, create: down, revoke: down };
const api = createKeysApi({
  authenticator: { authenticate: async () => principal } as unknown as Authenticator,
  keys: new ApiKeys({
    registry, projection: { apply: async () => ({ applied: 0, stale: 0 }) }, forgetKey: () => undefined,
    clock: new VirtualClock({ start: Date.parse('2026-12-05T00:00:00Z') }),
    domains: { list: async () => [] },
  }),
});

async function call(httpMethod: string, resource: string, body?: unknown, pathParameters: Record<string, string> | null = null) {
  const event = {
    httpMethod, resource, path: resource, headers: { 'x-api-key': 'sf_x' }, body: body === undefined ? null : JSON.stringify(body), isBase64Encoded: false,
    pathParameters, queryStringParameters: null, multiValueHeaders: {}, multiValueQueryStringParameters: null, stageVariables: null,
    requestContext: { requestId: 'req-1' } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
  const result = await api(event, { awsRequestId: 'req-1' } as Context);
  return { status: result.statusCode, retryAfter: result.headers?.['retry-after'], body: JSON.parse(result.body) as { error: string; detail: string } };
}

let restore: () => void;
beforeAll(() => { restore = setLogSink(() => undefined); });
afterAll(() => restore());

test('a list the platform did not answer changed nothing, and says so', async () => {
  const answer = await call('GET', '/api/keys');
  expect(answer).toMatchObject({ status: 502, retryAfter: '5', body: { error: 'upstream_unavailable', detail: expect.stringContaining('Nothing was changed') } });
});

test('a create or revoke whose answer was lost may have been made: the detail says so, and how to find out', async () => {
  for (const answer of [await call('POST', '/api/keys', { name: 'x' }), await call('DELETE', '/api/keys/{id}', undefined, { id: 'key_00000000000000aa' })]) {
    expect(answer).toMatchObject({ status: 502, retryAfter: '5', body: { error: 'upstream_unavailable' } });
    expect(answer.body.detail).not.toContain('Nothing was changed');
    expect(answer.body.detail).toContain('list your keys');
  }
});
