/**
 * The bundles as `cdk synth` makes them: the default configuration is synthesized with real
 * esbuild bundling and aws-cdk-lib's CloudFormation validation (test/infra/configurations.ts),
 * each entry bundled once. This loads every bundle that would be uploaded and checks it exports
 * the handler the stack names.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { functionsIn, synthesized, type FunctionInTemplate } from './helpers';

/** Size budget of one minified bundle (AWS SDK v3 clients included). */
const BUNDLE_BUDGET_BYTES = 1_500_000;

const { assemblyDir } = synthesized('default');
const functions = functionsIn(synthesized('default'));

test('every function is bundled into an asset with an index.js exporting its handler', () => {
  expect(functions).toHaveLength(16);
  for (const f of functions) {
    // The code's S3 key is `<asset hash>.zip`; the staged asset is `asset.<asset hash>/` in the assembly.
    const s3Key = f.properties.Code.S3Key as string;
    expect(s3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    const dir = path.join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    const bundle = path.join(dir, 'index.js');
    expect({ fn: f.name, exists: fs.existsSync(bundle) }).toEqual({ fn: f.name, exists: true });
    const code = fs.readFileSync(bundle, 'utf8');
    expect({ fn: f.name, size: code.length <= BUNDLE_BUDGET_BYTES }).toEqual({ fn: f.name, size: true });
    // The SDK is bundled in, not left to the runtime's copy (signature-v4-crt is an optional require in a try/catch).
    expect({ fn: f.name, externalSdk: code.match(/require\("@aws-sdk\/(?!signature-v4-crt)[^"]*/g) ?? false }).toEqual({ fn: f.name, externalSdk: false });
    // Test and demo tooling never ships.
    expect({ fn: f.name, simulator: /sim\/simulator|local\/local-system/.test(code) }).toEqual({ fn: f.name, simulator: false });

    // Load the bundle as Lambda would: plain Node, CommonJS, only the stack's environment.
    const env = Object.fromEntries(Object.entries(f.properties.Environment.Variables as Record<string, unknown>)
      .map(([k, v]) => [k, typeof v === 'string' ? v : `dummy-${k.toLowerCase()}`]));
    const [file, exported] = (f.properties.Handler as string).split('.');
    const probe = `process.stdout.write(typeof require(${JSON.stringify(path.join(dir, `${file}.js`))})[${JSON.stringify(exported)}])`;
    const loaded = execFileSync(process.execPath, ['-e', probe], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect({ fn: f.name, handler: loaded }).toEqual({ fn: f.name, handler: 'function' });
  }
});

test('a relay API bundle whose configuration is broken still starts and answers 503 byoc_not_configured in the error shape', () => {
  const apis = functions.filter((f) => /send|onboarding/i.test(f.name));
  expect(apis.length).toBeGreaterThanOrEqual(2);
  for (const f of apis) {
    const dir = path.join(assemblyDir, `asset.${(f.properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    const [file, exported] = (f.properties.Handler as string).split('.');
    // RELAY_TABLE and RELAY_ACCOUNT_ID missing, as after a broken deploy: the init must not fail.
    const probe = `require(${JSON.stringify(path.join(dir, `${file}.js`))})[${JSON.stringify(exported)}]({ httpMethod: 'POST', resource: '/api/send', path: '/api/send', headers: {}, body: '{}', requestContext: { requestId: 'r-1' } }, { awsRequestId: 'r-1' })
      .then((r) => process.stdout.write('\\nRESPONSE ' + JSON.stringify(r)))`;
    const out = execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // The function's own log lines come first on stdout (one says which variable is missing).
    expect(out).toMatch(/configuration error at cold start/);
    const response = JSON.parse(out.slice(out.lastIndexOf('RESPONSE ') + 9)) as { statusCode: number; body: string };
    expect({ fn: f.name, status: response.statusCode }).toEqual({ fn: f.name, status: 503 });
    expect(JSON.parse(response.body)).toEqual({ success: false, error: 'byoc_not_configured', detail: expect.stringMatching(/misconfigured; contact support and quote request id r-1/) });
  }
});

test('the dashboard function\'s bundle carries the built page, and its handler serves it', () => {
  const f = functions.find((fn) => fn.name === 'dashboard')!;
  const dir = path.join(assemblyDir, `asset.${(f.properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const html = fs.readFileSync(path.join(dir, 'dashboard', 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]!);
  expect(assets.map((a) => path.extname(a)).sort()).toEqual(['.css', '.js']);
  for (const asset of assets) expect(fs.existsSync(path.join(dir, 'dashboard', asset))).toBe(true);
  // The bundle answers GET / as API Gateway would call it.
  const probe = `require(${JSON.stringify(path.join(dir, 'index.js'))}).handler({ resource: '/', httpMethod: 'GET', path: '/', requestContext: { path: '/v1/' } })` +
    '.then((r) => process.stdout.write(JSON.stringify({ status: r.statusCode, type: r.headers["content-type"], same: r.body === require("fs").readFileSync(' +
    `${JSON.stringify(path.join(dir, 'dashboard', 'index.html'))}, "utf8") })))`;
  const answer = JSON.parse(execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, encoding: 'utf8' }));
  expect(answer).toEqual({ status: 200, type: 'text/html; charset=utf-8', same: true });
});

test('the dashboard bundle carries the OpenAPI document and the reference page and serves them; no other bundle holds the generator', () => {
  const bundleDir = (f: FunctionInTemplate) => path.join(assemblyDir, `asset.${(f.properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const dashboard = functions.find((fn) => fn.name === 'dashboard')!;
  const dir = bundleDir(dashboard);
  const document = JSON.parse(fs.readFileSync(path.join(dir, 'dashboard', 'openapi.json'), 'utf8')) as { openapi: string; paths: Record<string, unknown> };
  expect(document.openapi).toBe('3.1.0');
  expect(Object.keys(document.paths)).toContain('/api/send');
  const page = fs.readFileSync(path.join(dir, 'dashboard', 'docs.html'), 'utf8');
  const css = page.match(/href="(assets\/docs-[0-9a-f]+\.css)"/)?.[1];
  expect(css && fs.existsSync(path.join(dir, 'dashboard', css))).toBe(true);
  const probe = `const h = require(${JSON.stringify(path.join(dir, 'index.js'))}).handler;` +
    "Promise.all(['/api/openapi.json', '/docs'].map((r) => h({ resource: r, httpMethod: 'GET', path: r, requestContext: { path: '/v1' + r } })))" +
    '.then((rs) => process.stdout.write(JSON.stringify(rs.map((r) => [r.statusCode, r.headers["content-type"]]))))';
  const answers = JSON.parse(execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, encoding: 'utf8' }));
  expect(answers).toEqual([[200, 'application/json; charset=utf-8'], [200, 'text/html; charset=utf-8']]);
  // Build time only: the generator (zod's JSON Schema output, the document's title) is in no function's code.
  for (const f of functions) {
    const code = fs.readFileSync(path.join(bundleDir(f), 'index.js'), 'utf8');
    expect({ fn: f.name, generator: /toJSONSchema|customer API', version|openapi: '3\.1/.test(code) }).toEqual({ fn: f.name, generator: false });
  }
});

test('the send bundle leaves the MIME builder out of index.js and ships it as mime.js beside it, which builds a message', () => {
  const f = functions.find((fn) => fn.name === 'send')!;
  const dir = path.join(assemblyDir, `asset.${(f.properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const index = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  // nodemailer's composer and its media-type table are not parsed on a cold start.
  expect(index).not.toMatch(/MailComposer|application\/vnd\.ms-excel/);
  expect(index).toMatch(/require\("\.\/mime"\)/);
  const probe = `require(${JSON.stringify(path.join(dir, 'mime.js'))}).buildRawMessage({ to: ['a@example.com'], cc: [], bcc: [], replyTo: [], fromEmail: 'b@example.com', fromDomain: 'example.com', subject: 'Hi', text: 'x', headers: [['X-Entity-Ref-ID', '1']], tags: [], attachments: [] })` +
    '.then((m) => process.stdout.write(String(/^X-Entity-Ref-ID: 1\\r$/m.test(m.toString()))))';
  expect(execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH }, encoding: 'utf8' })).toBe('true');
});

test('the send bundle loads the health queue\'s SQS client on first use only: sqs-health-queue.js beside index.js, which builds a queue', () => {
  const f = functions.find((fn) => fn.name === 'send')!;
  const dir = path.join(assemblyDir, `asset.${(f.properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const index = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  // The SQS client's commands and serializers are not parsed on a cold start.
  expect(index).not.toMatch(/SendMessageBatch/);
  expect(index).toMatch(/require\("\.\/sqs-health-queue"\)/);
  const probe = `const q = require(${JSON.stringify(path.join(dir, 'sqs-health-queue.js'))}).sqsHealthQueue({ clock: { now: Date.now }, region: 'eu-west-1' }, 'https://sqs.eu-west-1.amazonaws.com/111111111111/q');` +
    'process.stdout.write(typeof q.enqueue)';
  expect(execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH }, encoding: 'utf8' })).toBe('function');
});
