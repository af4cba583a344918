/**
 * The OpenAPI document as a client generator sees it: the document the relay serves is turned into
 * types by openapi-typescript, and a call of every operation through openapi-fetch must type-check
 * under `strict` — with the request bodies typed (a wrong field type is a compile error, batch
 * messages included). The served document names the API it was fetched from as its server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestSystem, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
type Json = Record<string, unknown>;

let system: TestSystem;
let dir: string;
beforeAll(async () => {
  system = await startTestSystem('openapi-client');
  // Inside the project, so that the generated files resolve openapi-fetch from its node_modules.
  dir = mkdtempSync(path.join(ROOT, '.openapi-client-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await system?.stop();
});

/** One openapi-fetch call per operation, with its path parameters and its documented example body. */
function callsOf(document: { paths: Record<string, Record<string, Json>> }): string[] {
  const calls: string[] = [];
  for (const [route, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const names = [...route.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
      const example = (operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined)?.content?.['application/json']?.example;
      const init = [
        names.length ? `params: { path: { ${names.map((name) => `${name}: 'acme.com'`).join(', ')} } }` : '',
        example !== undefined ? `body: ${JSON.stringify(example)}` : '',
      ].filter(Boolean).join(', ');
      calls.push(`await client.${method.toUpperCase()}('${route}'${init ? `, { ${init} }` : ''});`);
    }
  }
  return calls;
}

test('a generated client calls every operation with typed bodies, and the served document names this API as its server', async () => {
  const response = await fetch(`${system.relayUrl}/api/openapi.json`);
  const document = await response.json() as { servers: Array<{ url: string }>; paths: Record<string, Record<string, Json>> };
  expect(document.servers).toEqual([{ url: system.relayUrl, description: expect.any(String) }]);
  writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(document));
  await run(process.execPath, [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.d.ts')], { cwd: ROOT });

  const calls = callsOf(document);
  expect(calls.length).toBe(Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0));
  writeFileSync(path.join(dir, 'client.ts'), [
    "import createClient from 'openapi-fetch';",
    "import type { paths } from './api';",
    `const client = createClient<paths>({ baseUrl: ${JSON.stringify(document.servers[0]!.url)} });`,
    'export async function everyOperation(): Promise<void> {',
    ...calls.map((call) => `  ${call}`),
    '  // Typed bodies: these must not compile.',
    '  // @ts-expect-error `to` is an address or a list of addresses',
    "  await client.POST('/api/send', { body: { to: 1, from_email: 'a@acme.com', subject: 's', message: 'm' } });",
    '  // @ts-expect-error a batch message is a send request',
    "  await client.POST('/api/send/batch', { body: { messages: [{ to: 1 }] } });",
    '  // @ts-expect-error no such route',
    "  await client.GET('/api/nothing');",
    '}',
  ].join('\n'));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], skipLibCheck: true },
    files: ['client.ts'],
  }));
  const checked = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: ROOT }).then(() => 'ok', (error: { stdout?: string }) => error.stdout ?? String(error));
  expect(checked).toBe('ok');
});
