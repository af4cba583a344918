/**
 * Generates the OpenAPI 3.1 document of the customer API from the schemas that validate requests
 * (exported where they are defined), the response schemas of openapi/responses.ts, the route
 * entries of openapi/operations.ts and the one error table (lambdas/shared/errors.ts). Nothing in it
 * is kept by hand beside the code. Build time only: the dashboard function serves the result as a
 * static file, built at synth (CDK) or at first request (local mode).
 */
import * as z from 'zod/mini';
import { errorStatus, resendError, type ErrorCode } from '../lambdas/shared/errors';
import { batchMessage } from '../lambdas/relay/send/http/send-request';
import { sendRequestSchema } from '../lambdas/relay/send/message/request';
import { BYOC_ROLE_NAME } from '../lambdas/relay/byoc/policies';
import { requiredScope, type RouteScope } from '../lambdas/shared/routes';
import { errorExamples } from './error-examples';
import { OUR_SHAPE_ON_RESEND_ROUTES, errorHeaders, operations, type HeaderName, type Operation } from './operations';
import { errorBody, resendErrorBody, validationFailed } from './responses';
import { webhookOperations } from './webhook-payloads';

type Json = Record<string, unknown>;

/** The REST API's stage (lib/constructs/service-rest-api.ts STAGE_NAME; a unit test holds them equal without importing CDK here). */
export const API_STAGE = 'v1';

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod/mini schema, as a client must send it. */
export function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io, target: 'draft-2020-12', unrepresentable: 'throw',
    // A batch's messages are validated one by one (each gets its own result), but each is a send request.
    override: (context) => {
      if (context.zodSchema === batchMessage) Object.assign(context.jsonSchema, jsonSchema(sendRequestSchema, io));
    },
  }) as Json;
  return rest;
}

const HEADERS: Record<HeaderName, { description: string; schema: Json }> = {
  'RateLimit-Policy': { description: 'The key\'s quota as an IETF structured field (draft-ietf-httpapi-ratelimit-headers): `"per-key-minute";q=<sends per minute>;w=60`. On every answer once the key is known.', schema: { type: 'string', pattern: '^"per-key-minute";q=\\d+;w=60$' } },
  'RateLimit': { description: 'What is left of the current window and when it resets: `"per-key-minute";r=<remaining>;t=<seconds>`. Once the request was counted.', schema: { type: 'string', pattern: '^"per-key-minute";r=\\d+;t=\\d+$' } },
  'X-RateLimit-Limit': { description: 'Send requests allowed per minute for this API key.', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Remaining': { description: 'Send requests left in the current minute for this API key.', schema: { type: 'integer', minimum: 0 } },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key (nothing was sent again).', schema: { type: 'string', enum: ['true'] } },
  Location: { description: 'Where the page is.', schema: { type: 'string' } },
};

const headerRefs = (names: readonly HeaderName[]) =>
  names.length === 0 ? {} : { headers: Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])) };

const errorExample = (code: ErrorCode): Json => ({
  success: false, error: code, detail: errorExamples[code],
  ...(code === 'invalid_request' ? { issues: [{ path: 'from_email', message: 'must be a bare address like name@example.com' }] } : {}),
});

/** Error answers grouped by status: one response per status, with the codes it can carry and an example of each. */
function errorResponses(operation: Operation): Record<string, Json> {
  type Kind = 'standard' | 'resend' | 'special';
  const byStatus = new Map<number, Record<Kind, ErrorCode[]>>();
  const add = (code: ErrorCode, kind: Kind, status: number) => {
    const entry = byStatus.get(status) ?? { standard: [], resend: [], special: [] };
    if (!entry[kind].includes(code)) entry[kind].push(code);
    byStatus.set(status, entry);
  };
  for (const code of operation.errors) {
    if (operation.errorStyle !== 'resend' || OUR_SHAPE_ON_RESEND_ROUTES.has(code)) add(code, 'standard', errorStatus[code]);
    else {
      // Resend-compatible routes answer every error in Resend's shape, the HTTP edge's own refusals included.
      add(code, 'resend', resendError(code).statusCode);
    }
  }
  // Special bodies keep their own status (validate answers 422 whatever the code's status elsewhere).
  for (const code of operation.specialErrors?.codes ?? []) add(code, 'special', 422);
  const responses: Record<string, Json> = {};
  for (const [status, { standard, resend, special }] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schemas: Json[] = [];
    if (standard.length) schemas.push({ allOf: [{ $ref: '#/components/schemas/Error' }, { type: 'object', properties: { error: { enum: standard } } }] });
    if (resend.length) schemas.push({ allOf: [{ $ref: '#/components/schemas/ResendError' }, { type: 'object', properties: { name: { enum: [...new Set(resend.map((code) => resendError(code).name))] } } }] });
    if (special.length && operation.specialErrors) {
      schemas.push({ allOf: [{ $ref: '#/components/schemas/ValidationFailed' }, { type: 'object', properties: { error: { enum: special } } }] });
    }
    const codes = [...new Set([...standard, ...resend, ...special])];
    const headers = [...new Set([...codes.flatMap((code) => errorHeaders[code] ?? []), ...(operation.errorHeaders ?? [])])];
    const description = [
      ...standard.map((code) => `\`${code}\``),
      ...resend.map((code) => `\`${code}\` (Resend name \`${resendError(code).name}\`)`),
      ...(special.length ? [`${operation.specialErrors!.description} (${special.map((code) => `\`${code}\``).join(', ')})`] : []),
    ].join(', ');
    const examples: Record<string, Json> = {};
    for (const code of standard) examples[code] = { value: errorExample(code) };
    for (const code of resend) examples[`${code}${standard.includes(code) ? '_resend' : ''}`] = { value: { ...resendError(code), message: errorExamples[code] } };
    for (const code of special) examples[code] = { value: { ...errorExample(code), status: 'invalid', checks: [{ name: 'assume_role', ok: code !== 'could_not_assume_role', status: code === 'could_not_assume_role' ? 'failed' : 'passed', code: code === 'could_not_assume_role' ? code : null, detail: '…' }] } };
    responses[String(status)] = {
      description,
      ...headerRefs(headers),
      content: { 'application/json': { schema: schemas.length === 1 ? schemas[0] : { oneOf: schemas }, examples } },
    };
  }
  return responses;
}

function successResponses(operation: Operation): Record<string, Json> {
  return Object.fromEntries(operation.success.map((success) => {
    const content = success.schema
      ? { 'application/json': { schema: jsonSchema(success.schema, 'output') } }
      : success.mediaTypes ? Object.fromEntries(success.mediaTypes.map((type) => [type, { schema: { type: 'string' } }])) : undefined;
    return [String(success.status), { description: success.description, ...headerRefs(success.headers ?? []), ...(content ? { content } : {}) }];
  }));
}

const PATH_PARAMETERS: Record<string, string> = {
  domain: 'One of your sending domains, e.g. `acme.com`.',
  file: 'A file name from the page that links it.',
  id: 'An id as Resend\'s API takes it.',
};

/** A parameter that means something else on some resources. */
const PATH_PARAMETERS_BY_RESOURCE: Record<string, Record<string, string>> = {
  '/api/keys/{id}': { id: 'An API key\'s id (`key_…`), as `GET /api/keys` lists it.' },
};

const pathParameters = (resource: string): Json[] => [...resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
  name, in: 'path', required: true,
  schema: { type: 'string', minLength: 1 },
  description: PATH_PARAMETERS_BY_RESOURCE[resource]?.[name ?? ''] ?? PATH_PARAMETERS[name ?? ''] ?? name,
}));

/** The sentence each authenticated operation's description ends with: which API key it takes. */
const SCOPE_SENTENCES: Record<Exclude<RouteScope, 'none'>, string> = {
  full_access: 'Needs a full-access API key: a sending-only key is refused with 403 `insufficient_scope` (on Resend-compatible routes 401 `restricted_api_key`, as Resend answers).',
  sending_access: 'Any API key may call it, sending-only keys included. A sending key limited to domains sends only with a `from` on one of them, exactly (a subdomain is another domain); another is refused with 403 `from_domain_not_allowed`, per message in a batch.',
};

function operationObject(operation: Operation): Json {
  const scope = requiredScope(operation.route);
  const description = [operation.description, scope === 'none' ? undefined : SCOPE_SENTENCES[scope]].filter(Boolean).join('\n\n');
  const parameters = [
    ...pathParameters(operation.route.resource),
    ...(operation.idempotencyKey ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ];
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(description ? { description } : {}),
    security: operation.auth === 'none' ? [] : [{ [operation.auth === 'apiKey' ? 'ApiKey' : 'Bearer']: [] }],
    // Which key the operation takes (the route table's scope; see the security schemes).
    ...(scope === 'none' ? {} : { 'x-required-scope': scope }),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.request ? {
      requestBody: {
        required: operation.request.required,
        ...(operation.request.description ? { description: operation.request.description } : {}),
        content: { 'application/json': { schema: jsonSchema(operation.request.schema, 'input'), example: operation.request.example } },
      },
    } : {}),
    responses: { ...successResponses(operation), ...errorResponses(operation) },
  };
}

export type OpenApiDocument = Json & { paths: Record<string, Record<string, Json>> };

export function buildOpenApiDocument(version = '0.1.0'): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {};
  for (const operation of operations) {
    (paths[operation.route.resource] ??= {})[operation.route.method.toLowerCase()] = operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SendFleet BYOC relay: customer API',
      version,
      summary: 'Send transactional email through your own Amazon SES account.',
      description: [
        `SendFleet assumes \`${BYOC_ROLE_NAME}\` in your AWS account and calls Amazon SES there; it never stores recipients, subjects, bodies or sender names.`,
        '',
        'Bodies are JSON. Successes carry `"success": true`. Every error is `{ "success": false, "error": "<code>", "detail": "<what happened and how to fix it>" }`; 400s add `issues: [{ path, message }]`. Each operation lists every code it can answer, with an example.',
        '',
        'A method a path does not list answers `405 method_not_allowed` with an `Allow` header locally and `404 not_found` in AWS; an unknown path answers `404 not_found`.',
      ].join('\n'),
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'Local mode (`npm start`)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        // No description on the variables: swagger-parser 13 refuses it (the OpenAPI 3.1 schema allows it).
        description: 'AWS: the CustomerApiUrl output of the relay stack (apiId: the REST API id; region: the relay account\'s region)',
        variables: { apiId: { default: 'abc123defg' }, region: { default: 'eu-west-1' }, stage: { default: API_STAGE } },
      },
    ],
    tags: [
      { name: 'Send', description: 'Send email through your SES account.' },
      { name: 'BYOC setup', description: 'Connect your AWS account: the role SendFleet assumes, and its validation.' },
      { name: 'Domains', description: 'Sending domains: the DNS records to publish and their verification.' },
      { name: 'Usage', description: 'What your plan allows and what you used.' },
      { name: 'Messages', description: 'What happened to a message after the send: its delivery events (accounts connected through the SendFleet-BYOC stack).' },
      { name: 'Webhooks', description: 'Your webhook endpoint, and what SendFleet POSTs to it (the `webhooks` section), signed per Standard Webhooks.' },
      { name: 'API keys', description: 'Your account\'s API keys: list, create (full or sending-only, optionally per domain, optionally expiring) and revoke.' },
      { name: 'Pages', description: 'The dashboard, this document and its reference page (no API key).' },
    ],
    paths,
    webhooks: webhookOperations(),
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Your SendFleet API key (`sf_…`), header name in any case. A key is `full_access` (every operation) or `sending_access` (the send operations only, and optionally only from some domains); each operation states the scope it needs in `x-required-scope`.' },
        Bearer: { type: 'http', scheme: 'bearer', description: 'Your SendFleet API key as a bearer token, for the Resend-compatible routes.' },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key', in: 'header', required: false,
          description: 'A retry with the same key within 24 h returns the first answer and sends nothing; the same key with another request is refused (422), and while the first is in flight answers 409.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
        },
      },
      headers: Object.fromEntries(Object.entries(HEADERS).map(([name, header]) => [name, header])),
      schemas: {
        Error: jsonSchema(errorBody, 'output'),
        ResendError: jsonSchema(resendErrorBody, 'output'),
        ValidationFailed: jsonSchema(validationFailed, 'output'),
      },
    },
  };
}
