import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { ApiError } from '../../lambdas/shared/errors';
import { ConfigurationError } from '../../lambdas/shared/env';
import { httpApi } from '../../lambdas/shared/http';

const context = { awsRequestId: 'req-1' } as Context;
const event = (overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent => ({
  httpMethod: 'POST', resource: '/things', path: '/things', headers: {}, body: null, isBase64Encoded: false,
  pathParameters: null, queryStringParameters: null, multiValueHeaders: {}, multiValueQueryStringParameters: null,
  stageVariables: null, requestContext: { requestId: 'req-1' } as APIGatewayProxyEvent['requestContext'], ...overrides,
});

const api = httpApi({
  maxBodyBytes: 100,
  configurationErrorCode: 'byoc_not_configured',
  routes: [
    { method: 'POST', resource: '/things', handle: async (req) => ({ status: 201, body: { success: true, got: req.body as never, key: req.headers['x-api-key'] ?? null } }) },
    { method: 'GET', resource: '/boom', handle: async () => { throw new Error('secret@example.com leaked?'); } },
    { method: 'GET', resource: '/misconfigured', handle: async () => { throw new ConfigurationError('RELAY_TABLE missing'); } },
    { method: 'GET', resource: '/named', handle: async () => { throw new ApiError('not_found', 'nope', { headers: { 'x-extra': '1' } }); } },
  ],
});

const run = async (e: Partial<APIGatewayProxyEvent>) => {
  const result = await api(event(e), context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
};

test('parses JSON, lower-cases headers, answers JSON with no-store', async () => {
  const result = await run({ body: '{"a":1}', headers: { 'X-Api-KEY': 'k' } });
  expect(result).toMatchObject({ status: 201, body: { got: { a: 1 }, key: 'k' } });
  expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': 'req-1' });
});

test('base64 bodies are decoded', async () => {
  expect((await run({ body: Buffer.from('{"b":2}').toString('base64'), isBase64Encoded: true })).body.got).toEqual({ b: 2 });
});

test('malformed JSON → 400 without echoing the body', async () => {
  const result = await run({ body: '{"to":"secret@example.com"' });
  expect(result).toMatchObject({ status: 400, body: { success: false, error: 'invalid_request' } });
  expect(JSON.stringify(result.body)).not.toContain('secret@example.com');
});

test('a body over the cap → 413 request_too_large naming the limit (as API Gateway answers past its own)', async () => {
  const result = await run({ body: JSON.stringify({ x: 'y'.repeat(200) }) });
  expect(result.status).toBe(413);
  expect(result.body.error).toBe('request_too_large');
  expect(result.body.detail).toMatch(/limit is 100 bytes/);
});

test('unknown route → 404, wrong method → 405 with Allow', async () => {
  const missing = await run({ resource: '/nothing', path: '/nothing' });
  expect(missing.status).toBe(404);
  expect(missing.body.detail).toMatch(/API reference at \/docs/);
  const wrong = await run({ httpMethod: 'DELETE' });
  expect(wrong.status).toBe(405);
  expect(wrong.headers).toMatchObject({ allow: 'POST' });
});

test('unexpected errors → 500 with the request id and no message; configuration errors → the configured code', async () => {
  const boom = await run({ httpMethod: 'GET', resource: '/boom', path: '/boom' });
  expect(boom).toMatchObject({ status: 500, body: { error: 'internal_error' } });
  expect(JSON.stringify(boom.body)).not.toContain('secret@example.com');
  expect(boom.body.detail).toContain('req-1');
  expect(await run({ httpMethod: 'GET', resource: '/misconfigured', path: '/misconfigured' })).toMatchObject({ status: 503, body: { error: 'byoc_not_configured' } });
});

test('named errors keep their status and headers', async () => {
  const result = await run({ httpMethod: 'GET', resource: '/named', path: '/named' });
  expect(result).toMatchObject({ status: 404, body: { success: false, error: 'not_found', detail: 'nope' }, headers: { 'x-extra': '1' } });
});

test('numeric settings: unset → undefined, a number → the number, anything else fails fast', async () => {
  const { optionalNumberEnv } = await import('../../lambdas/shared/env');
  delete process.env.TEST_NUMBER_SETTING;
  expect(optionalNumberEnv('TEST_NUMBER_SETTING')).toBeUndefined();
  process.env.TEST_NUMBER_SETTING = '5000';
  expect(optionalNumberEnv('TEST_NUMBER_SETTING')).toBe(5000);
  process.env.TEST_NUMBER_SETTING = '5s';
  expect(() => optionalNumberEnv('TEST_NUMBER_SETTING')).toThrow(ConfigurationError);
  delete process.env.TEST_NUMBER_SETTING;
});
