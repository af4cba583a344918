/**
 * `npx tsx bench/profile-send.ts`: where a warm BYOC send's own time goes. The same system as
 * `npm run bench` (DynamoDB Local, the simulator, the send handler in-process), no injected latency;
 * the V8 CPU profiler runs over BENCH_PROFILE_SENDS (1000) sequential warm sends, and self time is
 * summed per source (project file, package, or node internals), in microseconds per send. The
 * simulator, the proxy-less DynamoDB Local client side and the SDK are in the same process, so read
 * the `lambdas/` rows as the relay's own work and the rest as what its calls cost in-process.
 */
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { setLogSink } from '../lambdas/shared/logger';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { lambdaContext } from '../local/http-adapter';
import { startLocalSystem } from '../local/local-system';
import { createTenant, onboard } from './support';

const SENDS = Number(process.env.BENCH_PROFILE_SENDS ?? 1000);
/** Sources whose functions are listed one by one (a regular expression); default the relay's own code. */
const DETAIL = new RegExp(process.env.BENCH_PROFILE_DETAIL ?? '^lambdas/');
const ROOT = path.resolve(__dirname, '..');

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

function sourceOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return path.relative(ROOT, file);
}

async function main(): Promise<void> {
  setLogSink(() => undefined);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoDbLocal();
  const system = await startLocalSystem({ dynamoEndpoint: dynamo.endpoint, tablePrefix: 'profile', simLatencyMs: 0 });
  try {
    const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
    await onboard(system, tenant.apiKey, { accountId: '999999999999', domain: 'profilemail.com' });
    const body = JSON.stringify({ to: 'reader@example.com', from_email: 'hello@profilemail.com', from_name: 'Bench', subject: 'Benchmark', message: 'A short transactional message.' });
    const send = async () => {
      const requestId = randomUUID();
      const headers = { 'X-API-Key': tenant.apiKey, 'Content-Type': 'application/json' };
      const event = {
        httpMethod: 'POST', path: '/api/send', resource: '/api/send', pathParameters: null, headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: null, multiValueQueryStringParameters: null, stageVariables: null, body, isBase64Encoded: false,
        requestContext: { requestId, resourcePath: '/api/send', httpMethod: 'POST', stage: 'bench' },
      } as unknown as APIGatewayProxyEvent;
      const result = await system.sendHandler(event, lambdaContext(requestId, 'send'));
      if (result.statusCode !== 200) throw new Error(`send answered ${result.statusCode}`);
    };
    for (let i = 0; i < 300; i++) await send();

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < SENDS; i++) await send();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    const byFunction = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const node = byId.get(id)!;
      const us = profile.timeDeltas[i] ?? 0;
      const source = node.callFrame.functionName === '(idle)' ? '(idle: waiting on I/O)' : sourceOf(node.callFrame.url);
      self.set(source, (self.get(source) ?? 0) + us);
      if (DETAIL.test(source)) {
        const file = node.callFrame.url.includes('node_modules/') ? node.callFrame.url.slice(node.callFrame.url.lastIndexOf('node_modules/') + 13) : source;
        const fn = `${file}:${node.callFrame.lineNumber + 1} ${node.callFrame.functionName || '(anonymous)'}`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      }
    });
    const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
    const perSend = (us: number) => (us / SENDS).toFixed(1);
    console.log(`${SENDS} warm sends, ${(wallMs / SENDS).toFixed(2)} ms each (no injected latency)\n`);
    console.log('| source | µs per send (self) |\n| --- | ---: |');
    for (const [source, us] of rows.slice(0, 30)) console.log(`| ${source} | ${perSend(us)} |`);
    const own = rows.filter(([s]) => s.startsWith('lambdas/')).reduce((a, [, us]) => a + us, 0);
    console.log(`\nlambdas/ (the relay's own code, self time): ${perSend(own)} µs per send`);
    console.log(`\n| function (${DETAIL.source}) | µs per send (self) |\n| --- | ---: |`);
    for (const [fn, us] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`| ${fn} | ${perSend(us)} |`);
  } finally {
    await system.stop();
    await dynamo.stop();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error('[profile] failed:', error);
  process.exit(1);
});
