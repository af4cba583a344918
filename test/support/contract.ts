/**
 * The contract check: every answer an integration test receives from the customer API is held to
 * the OpenAPI document (openapi/document.ts) with ajv, a JSON Schema validator we did not write.
 * The status must be documented for the route, the body must match that status's schema (for its
 * media type), and a rate-limit or Retry-After header may only come where the document lists it.
 * A request outside the document (unknown path or method) must get the documented 404/405 error
 * shape. Any mismatch throws, so the test that received the answer fails.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { matchResource } from '../../lambdas/shared/routes';
import { buildOpenApiDocument } from '../../openapi/document';

type Json = Record<string, unknown>;

const document = buildOpenApiDocument();
const components = (document.components as { schemas: Record<string, Json>; headers: Record<string, Json> });
const resources = Object.keys(document.paths);
/** Headers the document describes; an answer carrying one where the document does not list it is undocumented. */
const describedHeaders = Object.keys(components.headers).map((name) => name.toLowerCase()).filter((name) => name !== 'location');

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);

/** The document's schemas use local refs only (#/components/schemas/…): inline them for ajv. */
function inline(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inline);
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as Json).$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = components.schemas[name];
    if (!target) throw new Error(`contract: unresolvable $ref ${ref}`);
    return inline(target);
  }
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, inline(inner)]));
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: Json): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) validators.set(key, validate = ajv.compile(inline(schema) as Json));
  return validate;
}

/** Customer API origins of running test systems (startTestSystem registers each). */
const customerApis = new Set<string>();
export const registerCustomerApi = (baseUrl: string) => void customerApis.add(baseUrl);
export const isCustomerApi = (baseUrl: string) => customerApis.has(baseUrl);

export interface ReceivedAnswer {
  method: string;
  /** The request path as sent (query and one trailing slash ignored, as the API does). */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

function fail(answer: ReceivedAnswer, why: string): never {
  throw new Error(`Contract check: ${answer.method} ${answer.path} answered ${answer.status}, ${why}\nBody: ${answer.text.slice(0, 600)}`);
}

function validateJson(answer: ReceivedAnswer, key: string, schema: Json): void {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    fail(answer, 'a body that is not JSON');
  }
  const validate = validatorFor(key, schema);
  if (!validate(body)) fail(answer, `a body the document does not allow: ${ajv.errorsText(validate.errors)}`);
}

/** Compiles every JSON schema of every documented answer (the unit test's proof they all compile in strict mode). */
export function documentedAnswers(): Array<{ resource: string; method: string; status: string; schema: Json; examples: Record<string, { value: unknown }> }> {
  return Object.entries(document.paths).flatMap(([resource, methods]) => Object.entries(methods).flatMap(([method, operation]) =>
    Object.entries(operation.responses as Record<string, Json>).flatMap(([status, response]) => {
      const media = (response.content as Record<string, { schema: Json; examples?: Record<string, { value: unknown }> }> | undefined)?.['application/json'];
      return media ? [{ resource, method: method.toUpperCase(), status, schema: media.schema, examples: media.examples ?? {} }] : [];
    })));
}

export function compileDocumented(answer: { resource: string; method: string; status: string; schema: Json }): ValidateFunction {
  return validatorFor(`${answer.resource} ${answer.method} ${answer.status}`, answer.schema);
}

export function checkAgainstContract(answer: ReceivedAnswer): void {
  const url = new URL(answer.path, 'http://contract.local');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
  const match = matchResource(resources, path);
  const operation = match && (document.paths[match.resource]?.[answer.method.toLowerCase()] as Json | undefined);
  if (!match || !operation) {
    // Outside the document: only the documented refusals, in the error shape.
    const code = !match ? 'not_found' : answer.status === 405 ? 'method_not_allowed' : 'not_found';
    if (answer.status !== (code === 'not_found' ? 404 : 405)) fail(answer, 'for a request outside the document (expected 404, or 405 locally for a known path)');
    validateJson(answer, `outside:${code}`, { allOf: [{ $ref: '#/components/schemas/Error' }, { type: 'object', properties: { error: { const: code } } }] });
    return;
  }
  const responses = operation.responses as Record<string, Json>;
  const response = responses[String(answer.status)];
  if (!response) fail(answer, `a status the document does not list for this operation (it lists ${Object.keys(responses).join(', ')})`);
  const listed = Object.keys((response.headers as Json | undefined) ?? {}).map((name) => name.toLowerCase());
  for (const name of describedHeaders) {
    if (answer.headers.has(name) && !listed.includes(name)) fail(answer, `a ${name} header the document does not list for this status`);
  }
  const content = response.content as Record<string, { schema: Json }> | undefined;
  if (!content) {
    if (answer.text !== '') fail(answer, 'a body where the document lists none');
    return;
  }
  const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = content[mediaType];
  if (!media) fail(answer, `content-type ${mediaType || '(none)'}, the document lists ${Object.keys(content).join(', ')}`);
  if (mediaType === 'application/json') validateJson(answer, `${match.resource} ${answer.method.toUpperCase()} ${answer.status}`, media.schema);
}
