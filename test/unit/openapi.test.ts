/**
 * The OpenAPI document of the customer API: complete (every route of api-routes.ts, every error
 * code of errors.ts), generated from the schemas that validate requests, valid for two tools we did
 * not write (Redocly CLI and swagger-parser), and every example it gives valid against its schema.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod/mini';
import * as apiRoutes from '../../lambdas/relay/api-routes';
import { errorStatus, resendError, type ErrorCode } from '../../lambdas/shared/errors';
import { batchSchema } from '../../lambdas/relay/send/http/send-request';
import { resendBatchRequest, resendEmailRequest } from '../../openapi/responses';
import { addDomainBody, putConfigBody, verifyDomainBody } from '../../lambdas/relay/onboarding/onboarding-api';
import { sendRequestSchema } from '../../lambdas/relay/send/message/request';
import { putWebhookBody } from '../../lambdas/relay/webhooks/webhooks-api';
import { createKeyBody } from '../../lambdas/relay/keys/keys-api';
import { requiredScope, type RouteSpec } from '../../lambdas/shared/routes';
import { API_STAGE, buildOpenApiDocument } from '../../openapi/document';
import { codesOnNoRoute } from '../../openapi/operations';
import { compileDocumented, documentedAnswers } from '../support/contract';

const document = buildOpenApiDocument();
type Json = Record<string, unknown>;
const operation = (route: RouteSpec) => document.paths[route.resource]?.[route.method.toLowerCase()];
const allRoutes: RouteSpec[] = Object.values(apiRoutes).flatMap((group) => Object.values(group as Record<string, RouteSpec>));

/** Every error code an operation's responses name, with the status it is documented under. */
function documentedCodes(): Array<{ code: string; status: number; resource: string }> {
  return Object.entries(document.paths).flatMap(([resource, methods]) => Object.values(methods).flatMap((op) =>
    Object.entries(op.responses as Record<string, { content?: Record<string, { examples?: Json }> }>).flatMap(([status, response]) =>
      Object.keys(response.content?.['application/json']?.examples ?? {}).map((code) => ({ code: code.replace(/_resend$/, ''), status: Number(status), resource })))));
}

test('every route of lambdas/relay/api-routes.ts is in the document, and nothing else is', () => {
  expect(allRoutes.length).toBeGreaterThan(10);
  const missing = allRoutes.filter((route) => !operation(route)).map((r) => `${r.method} ${r.resource}`);
  expect(missing).toEqual([]);
  const documented = Object.entries(document.paths).flatMap(([resource, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${resource}`));
  expect(documented.sort()).toEqual(allRoutes.map((r) => `${r.method} ${r.resource}`).sort());
});

test('every operation states the key scope its route table gives it, and documents the refusal that follows', () => {
  const examplesOf = (route: RouteSpec) => Object.entries(operation(route)!.responses as Record<string, { content?: Record<string, { examples?: Json }> }>)
    .flatMap(([status, response]) => Object.keys(response.content?.['application/json']?.examples ?? {}).map((code) => `${status} ${code}`));
  for (const route of allRoutes) {
    const op = operation(route)!;
    const scope = requiredScope(route);
    const where = `${route.method} ${route.resource}`;
    // A public route is one its table declares public: no key, no scope.
    expect(`${where} ${JSON.stringify(op.security)}`).toBe(`${where} ${scope === 'none' ? '[]' : JSON.stringify(op.security)}`);
    if (scope === 'none') {
      expect(op['x-required-scope']).toBeUndefined();
      continue;
    }
    expect(`${where} ${String(op['x-required-scope'])}`).toBe(`${where} ${scope}`);
    expect(op.security).not.toEqual([]);
    expect(op.description).toContain(scope === 'full_access' ? 'Needs a full-access API key' : 'sending-only keys included');
    const refusal = apiRoutes.RESEND_RESOURCES.has(route.resource) ? '401 insufficient_scope' : '403 insufficient_scope';
    if (scope === 'full_access') expect(examplesOf(route)).toContain(refusal);
    else expect(examplesOf(route)).not.toContain(refusal);
  }
  expect(examplesOf(apiRoutes.sendRoutes.send)).toContain('403 from_domain_not_allowed');
  expect(examplesOf(apiRoutes.sendRoutes.resendEmails)).toContain('403 from_domain_not_allowed');
});

test('every error code of lambdas/shared/errors.ts is on a route, with its status from the table (or is listed with a reason)', () => {
  const onRoutes = documentedCodes();
  const codes = Object.keys(errorStatus) as ErrorCode[];
  const nowhere = codes.filter((code) => !onRoutes.some((d) => d.code === code) && !codesOnNoRoute[code]);
  expect(nowhere).toEqual([]);
  // An exemption that a route answers after all is stale.
  expect(Object.keys(codesOnNoRoute).filter((code) => onRoutes.some((d) => d.code === code))).toEqual([]);
  // Standard error bodies are documented under their code's status (validate's 422 bodies are the one exception, by design).
  const validateOperation = operation(apiRoutes.onboardingRoutes.validate)!;
  const special = new Set(Object.keys(((validateOperation.responses as Record<string, Json>)['422'] as { content: Record<string, { examples: Json }> }).content['application/json']!.examples));
  for (const { code, status, resource } of onRoutes) {
    if (status === 422 && special.has(code)) continue;
    // The Resend-compatible routes answer at Resend's statuses (lambdas/shared/errors.ts, resendError).
    if (apiRoutes.RESEND_RESOURCES.has(resource) && status === resendError(code as ErrorCode).statusCode) continue;
    expect(`${code} ${status}`).toBe(`${code} ${errorStatus[code as ErrorCode]}`);
  }
});

test('request bodies are the JSON Schema of the very zod/mini schemas that validate requests', () => {
  const requestSchema = (route: RouteSpec) => ((operation(route)!.requestBody as { content: Record<string, { schema: Json }> }).content['application/json']!.schema);
  const asJson = (schema: z.ZodMiniType) => { const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Json; return rest; };
  expect(requestSchema(apiRoutes.sendRoutes.send)).toEqual(asJson(sendRequestSchema));
  // …except that a batch's messages, validated one by one at run time, are documented as send requests (clients type them).
  const batch = asJson(batchSchema) as { properties: { messages: Json } };
  expect(batch.properties.messages.items).toEqual({});
  expect(requestSchema(apiRoutes.sendRoutes.sendBatch)).toEqual({ ...batch, properties: { messages: { ...batch.properties.messages, items: asJson(sendRequestSchema) } } });
  expect(requestSchema(apiRoutes.onboardingRoutes.putConfig)).toEqual(asJson(putConfigBody));
  expect(requestSchema(apiRoutes.onboardingRoutes.addDomain)).toEqual(asJson(addDomainBody));
  expect(requestSchema(apiRoutes.onboardingRoutes.verifyDomain)).toEqual(asJson(verifyDomainBody));
  // The send body's fields as the code accepts them, closed to any other.
  const send = requestSchema(apiRoutes.sendRoutes.send);
  expect(Object.keys(send.properties as Json).sort()).toEqual(['attachments', 'bcc', 'cc', 'from_email', 'from_name', 'headers', 'html', 'message', 'reply_to', 'subject', 'tags', 'to']);
  expect(send.additionalProperties).toBe(false);
});

test('each request example passes the schema that validates requests', () => {
  for (const route of allRoutes) {
    const body = operation(route)!.requestBody as { content: Record<string, { example: unknown }> } | undefined;
    if (!body) continue;
    const schemas: Record<string, z.ZodMiniType> = {
      'POST /api/send': sendRequestSchema, 'PUT /api/byoc/config': putConfigBody, 'POST /api/byoc/domains': addDomainBody, 'POST /api/byoc/domains/{domain}/verify': verifyDomainBody,
      'PUT /api/webhooks': putWebhookBody, 'POST /api/send/batch': batchSchema, 'POST /emails': resendEmailRequest, 'POST /emails/batch': resendBatchRequest,
      'POST /api/keys': createKeyBody,
    };
    const schema = schemas[`${route.method} ${route.resource}`];
    expect(schema).toBeDefined();
    expect(schema!.safeParse(body.content['application/json']!.example).success).toBe(true);
  }
});

test('every answer\'s schema compiles in ajv\'s strict mode, and every error example matches its schema', () => {
  const answers = documentedAnswers();
  expect(answers.length).toBeGreaterThan(40);
  let examples = 0;
  for (const answer of answers) {
    const validate = compileDocumented(answer);
    for (const [code, example] of Object.entries(answer.examples)) {
      examples++;
      if (!validate(example.value)) throw new Error(`${answer.method} ${answer.resource} ${answer.status} example ${code}: ${JSON.stringify(validate.errors)}`);
    }
  }
  expect(examples).toBeGreaterThan(60);
});

test('the send answers document the rate-limit headers, Retry-After and Idempotency-Key; both security schemes exist', () => {
  const send = operation(apiRoutes.sendRoutes.send)!;
  const responses = send.responses as Record<string, { headers?: Json }>;
  expect(Object.keys(responses['200']!.headers!)).toEqual(expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining']));
  expect(Object.keys(responses['429']!.headers!)).toEqual(expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining']));
  expect(send.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
  expect(send.security).toEqual([{ ApiKey: [] }]);
  expect(operation(apiRoutes.dashboardRoutes.openApiDocument)!.security).toEqual([]);
  const schemes = (document.components as { securitySchemes: Json }).securitySchemes;
  expect(schemes).toMatchObject({ ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, Bearer: { type: 'http', scheme: 'bearer' } });
});

test('the AWS server URL uses the REST API\'s real stage name', async () => {
  const { STAGE_NAME } = await import('../../lib/constructs/service-rest-api');
  expect(API_STAGE).toBe(STAGE_NAME);
});

/** The document in a file, as a user imports it. */
function documentFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

const run = promisify(execFile);
const ROOT = path.join(__dirname, '../..');

test('swagger-parser validates the document (OpenAPI 3.1 schema and references)', async () => {
  // swagger-parser's dependencies ship ES modules only, which this jest setup does not load: run it in its own node.
  const script = "import SwaggerParser from '@apidevtools/swagger-parser'; const api = await SwaggerParser.validate(process.argv[1]); console.log(JSON.stringify({ openapi: api.openapi, paths: Object.keys(api.paths).length }));";
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, documentFile()], { cwd: ROOT });
  expect(JSON.parse(stdout)).toEqual({ openapi: '3.1.0', paths: Object.keys(document.paths).length });
});

test('Redocly CLI lints the document with its recommended rules: no error, no warning but the Resend operations SendFleet does not offer having no 2XX', async () => {
  const redocly = path.join(ROOT, 'node_modules/.bin/redocly');
  const { stdout } = await run(redocly, ['lint', documentFile(), '--format', 'json'], { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
    .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number }; problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };
  expect(report.totals.errors).toBe(0);
  // Resend's operations that SendFleet does not offer answer a Resend-shaped 404 only, by design.
  const notOffered = [...Object.values(apiRoutes.sendRoutes), ...Object.values(apiRoutes.messageRoutes)].filter((route) => (operation(route)?.responses as Record<string, unknown> | undefined)?.['200'] === undefined)
    .map((route) => `#/paths/${route.resource.replace(/\//g, '~1')}/${route.method.toLowerCase()}`);
  // GET /emails/{id} is offered (the delivery status); its PATCH is not.
  expect(notOffered).toHaveLength(9);
  const problems = report.problems
    .filter((p) => !(p.ruleId === 'operation-2xx-response' && notOffered.some((pointer) => p.location[0]?.pointer.startsWith(pointer))))
    .map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
  expect(problems).toEqual([]);
});
