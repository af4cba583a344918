/**
 * CloudFormation's and S3's doors into the simulator:
 * - `POST /_sim/accounts/{account}/cloudformation/stacks` `{"quick_create_url"}` or
 *   `{"template_url","parameters","stack_name","region"}`; `GET|PUT|DELETE .../stacks/{name}` (`?region=`
 *   when the name is in several regions); `GET .../stacks` lists them;
 * - `GET /_sim/cloudformation/quickcreate?templateURL=&stackName=&param_<Name>=&region=` the console's
 *   review page, whose form posts back to the same path; `GET /_sim/cloudformation/stacks/{account}/{region}/{name}`
 *   the stack's page;
 * - `PUT /_sim/cloudformation/responses/{id}?X-Amz-...` the pre-signed ResponseURL;
 * - `GET /_sim/s3/{bucket}/{key}` the relay account's objects (the hosted template).
 */
import { z } from 'zod';
import { regionSchema } from './account-settings';
import { TemplateError, parseTemplate } from './cloudformation-template';
import { CONSOLE_PAGE_CSP, renderNotFoundPage, renderQuickCreatePage, renderStackPage, type QuickCreateForm } from './cloudformation-pages';
import type { CloudFormationSim, StackInput } from './cloudformation';
import type { ObjectStore } from './object-store';
import { ControlError, type SimState } from './state';

export interface SimAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface SimRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: Buffer;
}

interface Context {
  engine: CloudFormationSim;
  objects: ObjectStore;
  state: SimState;
  baseUrl: string;
}

const DEFAULT_REGION = 'us-east-1';

const json = (status: number, value: unknown): SimAnswer => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });
const html = (status: number, body: string): SimAnswer => ({ status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CONSOLE_PAGE_CSP }, body });
const s3Error = (status: number, code: string, message: string): SimAnswer => ({
  status,
  headers: { 'Content-Type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>SIMULATOR</RequestId></Error>`,
});

const stackBodySchema = z.union([
  z.strictObject({ quick_create_url: z.string().min(1) }),
  z.strictObject({
    template_url: z.string().min(1),
    stack_name: z.string().min(1).optional(),
    parameters: z.record(z.string(), z.string()).optional(),
    region: regionSchema.optional(),
  }),
]);

/** Whether the path is one of these routes (the rest of /_sim is the control API). */
export const isCloudFormationPath = (pathname: string): boolean =>
  pathname.startsWith('/_sim/s3/') || pathname.startsWith('/_sim/cloudformation/') || /^\/_sim\/accounts\/[^/]+\/cloudformation\//.test(pathname);

/**
 * What a quick-create link says: the console's (`https://<region>.console.aws.amazon.com/cloudformation/home?region=<region>#/stacks/quickcreate?templateURL=…`,
 * parameters in the fragment) or the simulator's page (parameters in the query).
 */
export function parseQuickCreateUrl(link: string): Omit<StackInput, 'accountId'> {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new TemplateError('ValidationError', 'quick_create_url is not a URL');
  }
  const fragmentQuery = url.hash.includes('?') ? url.hash.slice(url.hash.indexOf('?') + 1) : '';
  const isConsole = url.pathname.endsWith('/cloudformation/home') && url.hash.startsWith('#/stacks/quickcreate');
  if (!isConsole && url.pathname !== '/_sim/cloudformation/quickcreate') {
    throw new TemplateError('ValidationError', 'quick_create_url is not a quick-create link: expected the console\'s …/cloudformation/home#/stacks/quickcreate?… or the simulator\'s /_sim/cloudformation/quickcreate?…');
  }
  return quickCreateInput(new URLSearchParams([...url.searchParams, ...new URLSearchParams(fragmentQuery)]), url.hostname);
}

/** templateURL, stackName, param_<Name> and region, as the console reads them. */
function quickCreateInput(params: URLSearchParams, hostname = ''): Omit<StackInput, 'accountId'> {
  const templateUrl = params.get('templateURL') ?? params.get('templateUrl');
  if (!templateUrl) throw new TemplateError('ValidationError', 'the quick-create link has no templateURL');
  const parameters: Record<string, string> = {};
  for (const [name, value] of params) if (name.startsWith('param_')) parameters[name.slice('param_'.length)] = value;
  const hostRegion = /^([a-z]{2}(?:-[a-z]+)+-\d)\.console\.aws\.amazon\.com$/.exec(hostname)?.[1];
  const region = params.get('region') || hostRegion || DEFAULT_REGION;
  if (!regionSchema.safeParse(region).success) throw new TemplateError('ValidationError', `region "${region}" is not a region such as eu-west-1`);
  return { templateUrl, stackName: params.get('stackName') ?? '', parameters, region };
}

function stackInput(accountId: string, body: Buffer, nameFromPath?: string): StackInput {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'InvalidJson', 'the request body is not valid JSON');
  }
  const result = stackBodySchema.safeParse(parsed);
  if (!result.success) {
    throw new ControlError(400, 'ValidationError', 'give {"quick_create_url": "<link>"} or {"template_url": "<url>", "stack_name": "<name>", "parameters": {"Name": "value"}, "region": "<region>"}');
  }
  const input = 'quick_create_url' in result.data
    ? parseQuickCreateUrl(result.data.quick_create_url)
    : { templateUrl: result.data.template_url, stackName: result.data.stack_name ?? '', parameters: result.data.parameters ?? {}, region: result.data.region ?? DEFAULT_REGION };
  const stackName = nameFromPath ?? input.stackName;
  if (nameFromPath !== undefined && input.stackName !== '' && input.stackName !== nameFromPath) {
    throw new ControlError(400, 'ValidationError', `the link names stack ${input.stackName}, the path ${nameFromPath}`);
  }
  if (stackName === '') throw new TemplateError('ValidationError', 'stack_name (stackName in a quick-create link) is required');
  return { ...input, stackName, accountId };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ControlError(400, 'InvalidPath', 'a path segment is not valid percent-encoding');
  }
}

export function handleCloudFormation(context: Context, request: SimRequest): SimAnswer {
  try {
    return route(context, request);
  } catch (error) {
    if (error instanceof TemplateError) return json(400, { error: error.code, detail: error.message });
    if (error instanceof ControlError) return json(error.status, { error: error.error, detail: error.detail });
    throw error;
  }
}

function route({ engine, objects, state, baseUrl }: Context, request: SimRequest): SimAnswer {
  const { method, pathname, query } = request;
  const methodNotAllowed = (allowed: string) => json(405, { error: 'MethodNotAllowed', detail: `${method} ${pathname}; allowed: ${allowed}` });

  const object = /^\/_sim\/s3\/([^/]+)\/(.+)$/.exec(pathname);
  if (object) {
    if (method !== 'GET') return methodNotAllowed('GET');
    const stored = objects.get(decode(object[1]!), decode(object[2]!));
    if (!stored) return s3Error(403, 'AccessDenied', 'Access Denied');
    return { status: 200, headers: { 'Content-Type': stored.contentType }, body: stored.body };
  }

  const response = /^\/_sim\/cloudformation\/responses\/([^/]+)$/.exec(pathname);
  if (response) {
    if (method !== 'PUT') return methodNotAllowed('PUT');
    const result = engine.receiveResponse(decode(response[1]!), query, request.contentType, request.body);
    if (result.status === 200) return { status: 200, headers: { ETag: '"simulator"' }, body: '' };
    return s3Error(403, result.code, result.message);
  }

  if (pathname === '/_sim/cloudformation/quickcreate') {
    if (method === 'GET') return quickCreatePage(objects, state, baseUrl, query);
    if (method === 'POST') return quickCreateSubmit(engine, objects, state, baseUrl, new URLSearchParams(request.body.toString('utf8')));
    return methodNotAllowed('GET, POST');
  }

  const stackPage = /^\/_sim\/cloudformation\/stacks\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (stackPage) {
    if (method !== 'GET') return methodNotAllowed('GET');
    try {
      const view = engine.describe(decode(stackPage[1]!), decode(stackPage[3]!), decode(stackPage[2]!));
      return html(200, renderStackPage(view, engine.options.returnUrl?.()));
    } catch (error) {
      if (error instanceof ControlError) return html(404, renderNotFoundPage(`${error.detail} (a deleted stack is gone from this page).`));
      throw error;
    }
  }

  const stacks = /^\/_sim\/accounts\/([^/]+)\/cloudformation\/stacks$/.exec(pathname);
  if (stacks) {
    const accountId = decode(stacks[1]!);
    if (method === 'POST') return json(201, engine.createStack(stackInput(accountId, request.body)));
    if (method === 'GET') return json(200, { stacks: engine.stacksOf(state.account(accountId).id) });
    return methodNotAllowed('GET, POST');
  }

  const stack = /^\/_sim\/accounts\/([^/]+)\/cloudformation\/stacks\/([^/]+)$/.exec(pathname);
  if (stack) {
    const accountId = decode(stack[1]!);
    const name = decode(stack[2]!);
    const region = query.get('region') ?? undefined;
    if (method === 'GET') return json(200, engine.describe(accountId, name, region));
    if (method === 'PUT') return json(200, engine.updateStack(stackInput(accountId, request.body, name)));
    if (method === 'DELETE') return json(202, engine.deleteStack(accountId, name, region));
    return methodNotAllowed('GET, PUT, DELETE');
  }
  return json(404, { error: 'NotFound', detail: `no control route ${pathname}` });
}

function quickCreatePage(objects: ObjectStore, state: SimState, baseUrl: string, query: URLSearchParams, error?: string, status = 200): SimAnswer {
  let form: QuickCreateForm;
  try {
    const input = quickCreateInput(query);
    form = { templateUrl: input.templateUrl, stackName: input.stackName, region: input.region, parameters: [], accounts: [...state.accounts.keys()], selectedAccount: query.get('account') ?? undefined, ...(error ? { error } : {}) };
    const location = objects.locate(input.templateUrl, baseUrl);
    const stored = location && objects.get(location.bucket, location.key);
    if (!stored) throw new TemplateError('ValidationError', 'S3 error: Access Denied (the template URL names no object the simulator holds)');
    const template = parseTemplate(stored.body.toString('utf8'));
    form.description = template.description;
    form.parameters = Object.entries(template.parameters).map(([name, declaration]) => ({
      name, value: input.parameters[name] ?? declaration.Default ?? '', ...(declaration.Description ? { description: declaration.Description } : {}), ...(declaration.NoEcho ? { noEcho: true } : {}),
    }));
  } catch (failure) {
    if (!(failure instanceof TemplateError)) throw failure;
    return html(400, renderNotFoundPage(`This quick-create link cannot be opened: ${failure.message}`));
  }
  return html(status, renderQuickCreatePage(form));
}

/** The review page's form: create (or update) the stack, then show its page. */
function quickCreateSubmit(engine: CloudFormationSim, objects: ObjectStore, state: SimState, baseUrl: string, form: URLSearchParams): SimAnswer {
  const accountId = form.get('account') ?? '';
  try {
    if (form.get('capabilities') !== 'CAPABILITY_NAMED_IAM') {
      throw new TemplateError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]');
    }
    if (!state.accounts.has(accountId)) state.upsertAccount({ account_id: accountId });
    const input = { ...quickCreateInput(form), accountId };
    if (input.stackName === '') throw new TemplateError('ValidationError', 'Stack name is required');
    const view = form.get('action') === 'update' ? engine.updateStack(input) : engine.createStack(input);
    const location = `/_sim/cloudformation/stacks/${encodeURIComponent(view.account_id)}/${view.region}/${encodeURIComponent(view.stack_name)}`;
    return { status: 303, headers: { Location: location, 'Content-Security-Policy': CONSOLE_PAGE_CSP }, body: '' };
  } catch (error) {
    const detail = error instanceof TemplateError ? error.message : error instanceof ControlError ? error.detail : undefined;
    if (detail === undefined) throw error;
    const query = new URLSearchParams(form);
    query.delete('capabilities');
    query.delete('action');
    return quickCreatePage(objects, state, baseUrl, query, detail, 400);
  }
}
