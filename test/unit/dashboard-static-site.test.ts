/** The dashboard function's answers, from a fixed set of files. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CONTENT_SECURITY_POLICY, createDashboardHandler, requestOrigin } from '../../lambdas/relay/dashboard/static-site';

const files = [
  { path: 'index.html', body: '<!doctype html><script defer src="assets/app-AAAA.js"></script>' },
  { path: 'assets/app-AAAA.js', body: 'console.log(1)' },
  { path: 'assets/style-BBBB.css', body: 'body{}' },
  { path: 'openapi.json', body: '{"openapi":"3.1.0"}' },
  { path: 'docs.html', body: '<!doctype html><title>API reference</title>' },
];
const event = (resource: string, extra: Partial<APIGatewayProxyEvent> = {}) =>
  ({ resource, httpMethod: 'GET', path: resource, pathParameters: null, requestContext: { requestId: 'r1' }, ...extra }) as unknown as APIGatewayProxyEvent;

const handler = createDashboardHandler(async () => files);

test('the page: no-cache, with the security headers', async () => {
  const response = await handler(event('/'));
  expect(response).toEqual({
    statusCode: 200, body: files[0]!.body,
    headers: expect.objectContaining({
      'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
    }),
  });
  expect(CONTENT_SECURITY_POLICY).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
});

test('the OpenAPI document and the reference page at their own routes: their type, no-cache, the same security headers', async () => {
  const document = await handler(event('/api/openapi.json'));
  expect(document).toEqual({
    statusCode: 200, body: '{"openapi":"3.1.0"}',
    headers: expect.objectContaining({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY' }),
  });
  const page = await handler(event('/docs'));
  expect(page).toEqual({
    statusCode: 200, body: files[4]!.body,
    headers: expect.objectContaining({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-frame-options': 'DENY' }),
  });
  // Neither is reachable as an asset.
  expect((await handler(event('/assets/{file}', { pathParameters: { file: 'openapi.json' } }))).statusCode).toBe(404);
});

test('hashed assets: their type, cached for ever', async () => {
  const js = await handler(event('/assets/{file}', { pathParameters: { file: 'app-AAAA.js' } }));
  expect(js.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'content-security-policy': CONTENT_SECURITY_POLICY });
  const css = await handler(event('/assets/{file}', { pathParameters: { file: 'style-BBBB.css' } }));
  expect(css.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8' });
});

test('anything else is 404 in the error shape, headers included; no path reaches the filesystem', async () => {
  for (const file of ['nope.js', '..%2Findex.html', '../handler.js', 'index.html', 'docs.html']) {
    const response = await handler(event('/assets/{file}', { pathParameters: { file } }));
    expect({ file, status: response.statusCode }).toEqual({ file, status: 404 });
    expect(JSON.parse(response.body)).toEqual({ success: false, error: 'not_found', detail: expect.any(String) });
    expect(response.headers).toMatchObject({ 'content-security-policy': CONTENT_SECURITY_POLICY });
  }
});

test('the stage URL without its slash is redirected, so relative asset and API paths resolve', async () => {
  const response = await handler(event('/', { requestContext: { requestId: 'r2', path: '/v1' } as never }));
  expect(response.statusCode).toBe(301);
  expect(response.headers).toMatchObject({ location: '/v1/' });
  expect((await handler(event('/', { requestContext: { requestId: 'r3', path: '/v1/' } as never }))).statusCode).toBe(200);
});

test('the files are loaded once', async () => {
  const load = jest.fn(async () => files);
  const once = createDashboardHandler(load);
  await Promise.all([once(event('/')), once(event('/'))]);
  await once(event('/'));
  expect(load).toHaveBeenCalledTimes(1);
});

describe('the served OpenAPI document names the API it was fetched from', () => {
  const event = (headers: Record<string, string>, requestContext: Record<string, unknown>) =>
    ({ resource: '/api/openapi.json', path: '/api/openapi.json', headers, requestContext }) as unknown as Parameters<typeof requestOrigin>[0];
  test.each([
    ['an execute-api URL: the stage is part of it', { Host: 'abc123.execute-api.eu-west-1.amazonaws.com' }, { stage: 'v1', path: '/v1/api/openapi.json' }, 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1'],
    ['a custom domain mapped at its root', { host: 'api.acme.com' }, { stage: 'v1', path: '/api/openapi.json' }, 'https://api.acme.com'],
    ['local mode', { Host: '127.0.0.1:3000' }, { stage: 'local' }, 'http://127.0.0.1:3000'],
    ['a forwarded scheme', { Host: 'relay.test', 'X-Forwarded-Proto': 'http' }, { stage: 'v1', path: '/api/openapi.json' }, 'http://relay.test'],
  ])('%s', (_name, headers, requestContext, origin) => {
    expect(requestOrigin(event(headers, requestContext))).toBe(origin);
  });
  test.each([['a Host that is not a host name', { Host: 'evil.example/"><script>' }], ['no Host', {}]])('%s: none (the built servers stay)', (_name, headers) => {
    expect(requestOrigin(event(headers, { stage: 'v1', path: '/api/openapi.json' }))).toBeUndefined();
  });
});
