/**
 * The HTTP edge shared by every API function: API Gateway proxy event in, JSON out.
 * It normalises headers, caps and parses the body, dispatches on the API Gateway resource
 * template, and maps every thrown error to the one error shape of the spec. Route functions
 * are plain async functions that know nothing of API Gateway or middy.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, bodyTooLarge, type ErrorCode } from './errors';
import { ConfigurationError } from './env';
import { decodeUtf8Strict } from './strict-utf8';
import { observability } from './powertools';
import { emitMetric, logger as rootLogger, type LogFields, type Logger } from './logger';
import type { RouteSpec } from './routes';

export interface HttpRequest {
  method: string;
  resource: string;
  /** The route the request matched, as its table declares it (scope and purpose included). */
  route: RouteSpec;
  pathParameters: Record<string, string>;
  /** Query string parameters (the last value of a repeated one), empty when there are none. */
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when the request had no body. */
  body: unknown;
  /** Size of the body as received, in bytes (for limits that depend on its content). */
  bodyBytes: number;
  requestId: string;
  log: Logger;
  /** Adds identifiers (tenant id, counts, message id — never content) to the request's outcome line. */
  annotate(fields: LogFields): void;
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The outcome logged and metered for this request (default `ok`; errors use their code). */
  outcome?: string;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;

export interface HttpApiOptions {
  /** The API's routes (shared with the CDK stack and local mode) and the function serving each. */
  routes: ReadonlyArray<RouteSpec & { handle: RouteHandler }>;
  maxBodyBytes: number;
  /** Error code for an unexpected configuration failure (the relay says byoc_not_configured). */
  configurationErrorCode?: ErrorCode;
  /** When set, every request adds one datapoint to this metric with its outcome as the dimension. */
  outcomeMetric?: string;
  /**
   * Another error shape for some resources (the Resend-compatible ones): every error on such a
   * resource, the edge's own refusals included, is presented by it; `undefined` keeps ours.
   */
  presentError?: (resource: string, error: ApiError) => HttpResult | undefined;
}

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}, requestId?: string): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { ...baseHeaders, ...(requestId ? { 'x-request-id': requestId } : {}), ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: ApiError, requestId?: string): APIGatewayProxyResult {
  const body: Record<string, unknown> = { success: false, error: error.code, detail: error.detail, ...error.options.body };
  if (error.options.issues) body.issues = error.options.issues;
  return jsonResponse(error.status, body, error.options.headers, requestId);
}

export function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function bodySize(event: APIGatewayProxyEvent): number {
  if (event.body === null || event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

function parseBody(event: APIGatewayProxyEvent, maxBytes: number): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
  const size = bytes ? bytes.length : Buffer.byteLength(event.body, 'utf8');
  if (size > maxBytes) throw bodyTooLarge(size, maxBytes);
  // Invalid UTF-8 is refused, never replaced with U+FFFD and sent on.
  const raw = decodeUtf8Strict(bytes ?? event.body);
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    // The parser's own message quotes the body, which may hold addresses: never echo it.
    throw new ApiError('invalid_request', 'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.');
  }
}

function stringEntries(values: Record<string, string | undefined> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function allowedMethods(routes: HttpApiOptions['routes'], resource: string): string[] {
  return routes.filter((r) => r.resource === resource).map((r) => r.method);
}

/**
 * One log line and (optionally) one metric datapoint per request, success or refusal: the route,
 * the status and the outcome code. Never a header, a body or a path parameter's value.
 */
const annotations = new WeakMap<object, LogFields>();

function recordOutcome(options: HttpApiOptions, event: APIGatewayProxyEvent | undefined, requestId: string | undefined, status: number, outcome: string): void {
  const fields = (event && annotations.get(event)) ?? {};
  rootLogger.info('request', { request_id: requestId, method: event?.httpMethod, resource: event?.resource, ...fields, status, outcome });
  if (options.outcomeMetric) emitMetric(options.outcomeMetric, { outcome });
}

export function httpApi(options: HttpApiOptions) {
  const core = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const log = rootLogger.child({ request_id: requestId });
    const route = options.routes.find((r) => r.method === event.httpMethod && r.resource === event.resource);
    if (!route) {
      const methods = allowedMethods(options.routes, event.resource);
      if (methods.length > 0) {
        throw new ApiError('method_not_allowed', `${event.httpMethod} is not supported on ${event.resource}; use ${methods.join(' or ')}.`, { headers: { allow: methods.join(', ') } });
      }
      throw new ApiError('not_found', `No route for ${event.httpMethod} ${event.path}. See the API reference at /docs (OpenAPI: /api/openapi.json).`);
    }
    const request: HttpRequest = {
      method: event.httpMethod,
      resource: event.resource,
      route,
      pathParameters: stringEntries(event.pathParameters),
      query: stringEntries(event.queryStringParameters),
      headers: lowerCaseHeaders(event.headers),
      body: parseBody(event, options.maxBodyBytes),
      bodyBytes: bodySize(event),
      requestId,
      log,
      annotate: (fields) => annotations.set(event, { ...annotations.get(event), ...fields }),
    };
    const result = await route.handle(request);
    recordOutcome(options, event, requestId, result.status, result.outcome ?? 'ok');
    return jsonResponse(result.status, result.body, result.headers, requestId);
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(core).use(observability()).use({
    onError: async (request) => {
      const requestId = request.event?.requestContext?.requestId ?? request.context?.awsRequestId;
      const error = toApiError(request.error, options.configurationErrorCode ?? 'internal_error', requestId);
      const presented = request.event?.resource === undefined ? undefined : options.presentError?.(request.event.resource, error);
      recordOutcome(options, request.event, requestId, presented?.status ?? error.status, error.code);
      request.response = presented
        ? jsonResponse(presented.status, presented.body, presented.headers, requestId)
        : errorResponse(error, requestId);
    },
  });
}

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Builds a handler at cold start. If its configuration is broken (a missing or malformed
 * environment variable), the function still starts and answers every request with the error shape
 * and `configurationErrorCode` (503 for the relay) instead of failing its init, which API Gateway
 * would turn into a bare 502.
 */
export function configuredHandler(build: () => ProxyHandler, configurationErrorCode: ErrorCode): ProxyHandler {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    rootLogger.error('configuration error at cold start', { error_name: error.name, detail: error.message });
    return async (event, context) => {
      const requestId = event?.requestContext?.requestId ?? context?.awsRequestId;
      return errorResponse(toApiError(error, configurationErrorCode, requestId), requestId);
    };
  }
}

/** Anything that is not already an ApiError is logged by name only (SDK messages can quote addresses). */
export function toApiError(error: unknown, configurationErrorCode: ErrorCode, requestId?: string): ApiError {
  if (error instanceof ApiError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  rootLogger.error('unhandled error', { request_id: requestId, error_name: name });
  if (error instanceof ConfigurationError) {
    return new ApiError(configurationErrorCode, `The service is misconfigured; contact support and quote request id ${requestId ?? 'unknown'}.`);
  }
  return new ApiError('internal_error', `Unexpected error; retry later or contact support quoting request id ${requestId ?? 'unknown'}.`);
}

