/**
 * Serves Lambda proxy handlers over plain HTTP, building the same event API Gateway (REST, proxy
 * integration) would: method, path, resource template, path parameters, headers, body. This is the
 * only local-mode glue in front of the handlers: there is no second implementation of any route.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { systemClock, type Clock } from '../lambdas/shared/clock';
import { EDGE_MAX_BODY_BYTES, edgeAnswerBodies, errorStatus } from '../lambdas/shared/errors';
import { matchResource, type RouteSpec } from '../lambdas/shared/routes';
import { trackedOn } from './virtual-clock';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface Mount {
  routes: readonly RouteSpec[];
  handler: ProxyHandler;
}

/**
 * What reaches a function: API Gateway takes 10 MB, but in AWS the WAF refuses bodies over
 * EDGE_MAX_BODY_BYTES before Lambda's 6 MB event limit could turn them into a 5xx; local mode
 * refuses at the same size, with the same answer.
 */
const MAX_PAYLOAD_BYTES = EDGE_MAX_BODY_BYTES;

function gatewayError(status: number, error: string, detail: string): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ success: false, error, detail }) };
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function lambdaContext(requestId: string, functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 28_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The edge's 413, in the route's shape as the WAF answers it (Resend's on the Resend routes). */
function bodyTooLargeAtTheEdge(resendShaped: boolean): APIGatewayProxyResult {
  const { ours, resend } = edgeAnswerBodies('request_too_large');
  return { statusCode: errorStatus.request_too_large, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(resendShaped ? resend : ours) };
}

export interface ServeOptions {
  clock?: Clock;
  /** Resources whose edge refusals are in Resend's shape. */
  resendResources?: ReadonlySet<string>;
}

export function serveHandlers(name: string, mounts: readonly Mount[], { clock = systemClock, resendResources }: ServeOptions = {}): Server {
  const resources = mounts.flatMap((m) => m.routes.map((r) => r.resource));
  return createServer(async (req, res) => {
    const requestId = randomUUID();
    let result: APIGatewayProxyResult;
    try {
      // As API Gateway does, repeated slashes are one (an SDK base URL ending in / asks for //emails),
      // and /api/send/ routes to /api/send. Parsed by hand: `new URL('//emails', base)` would take
      // "emails" for a host name.
      const url = new URL((req.url ?? '/').replace(/^[^?]*/, (pathPart) => pathPart.replace(/\/{2,}/g, '/')), 'http://localhost');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
      const match = matchResource(resources, path);
      const body = await readBody(req);
      if (body === null) {
        result = bodyTooLargeAtTheEdge(match !== undefined && (resendResources?.has(match.resource) ?? false));
        // The rest of the upload is never read: answer, then close the connection rather than reuse it.
        res.setHeader('connection', 'close');
        const socket = req.socket;
        res.on('finish', () => socket?.destroy());
      } else if (!match) {
        result = gatewayError(404, 'not_found', `No route for ${req.method} ${url.pathname}. See the README for the API's routes.`);
      } else {
        const mount = mounts.find((m) => m.routes.some((r) => r.resource === match.resource))!;
        const headers: Record<string, string> = {};
        const multiValueHeaders: Record<string, string[]> = {};
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const key = req.rawHeaders[i]!;
          const value = req.rawHeaders[i + 1]!;
          headers[key] = value;
          (multiValueHeaders[key] ??= []).push(value);
        }
        const query = Object.fromEntries(url.searchParams);
        const pathParameters = Object.fromEntries(Object.entries(match.pathParameters).map(([k, v]) => [k, safeDecode(v)]));
        const event: APIGatewayProxyEvent = {
          httpMethod: req.method ?? 'GET',
          path: url.pathname,
          resource: match.resource,
          pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
          headers,
          multiValueHeaders,
          queryStringParameters: Object.keys(query).length ? query : null,
          multiValueQueryStringParameters: null,
          stageVariables: null,
          body: body === '' ? null : body,
          isBase64Encoded: false,
          requestContext: { requestId, resourcePath: match.resource, httpMethod: req.method ?? 'GET', stage: 'local' } as APIGatewayProxyEvent['requestContext'],
        };
        // On the test bed's clock, an invocation being handled holds virtual time still.
        result = await trackedOn(clock, () => mount.handler(event, lambdaContext(requestId, name)));
      }
    } catch {
      // API Gateway answers 502 when the integration fails; handlers map their own errors first.
      result = gatewayError(502, 'internal_error', `The function failed; request id ${requestId}.`);
    }
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'x-amzn-requestid': requestId });
    res.end(result.body);
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(`http://${host}:${typeof address === 'object' && address ? address.port : port}`);
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
