/**
 * `npm run bench:batch`: a 100-message batch against 100 single sends (messages/s and remote calls
 * per message, at 1 and 16 clients), the cost of a 1 MB attachment, and dollars per million messages
 * computed from the measured calls. Written to BENCHMARKS-BATCH.md (BENCHMARKS.md is `npm run
 * bench`'s own output and is rewritten whole by it).
 *
 * Same setup as bench/run.ts: DynamoDB Local behind the counting proxy, the simulator, injected
 * latency per AWS call, the send handler invoked in-process with API Gateway proxy events. The
 * account's MaxSendRate is set far above what the run sends, so pacing does not hide the relay's cost.
 *
 * Environment: BENCH_LATENCY_MS (10), BENCH_BATCH_ROUNDS (3), BENCH_OUT_BATCH (BENCHMARKS-BATCH.md; "-" prints only).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { setLogSink } from '../lambdas/shared/logger';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { lambdaContext } from '../local/http-adapter';
import { startLocalSystem } from '../local/local-system';
import { startDynamoProxy, type DynamoProxy } from './dynamodb-proxy';
import { runPool } from './load';
import { call, createTenant, onboard } from './support';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_BATCH_ROUNDS ?? 3));
const OUT = process.env.BENCH_OUT_BATCH ?? path.resolve(__dirname, '..', 'BENCHMARKS-BATCH.md');
const ACCOUNT = '777777777777';
const BATCH = 100;
/** The send function's configured memory (lib/function-catalog.ts: default 512 MB). */
const MEMORY_GB = 0.5;
/** The naive relay's warm p50 at 1 client in BENCHMARKS.md's last run (bench/run.ts variant b). */
const NAIVE_P50_MS = 43.0;

/** AWS list prices, us-east-1, on-demand (per unit). */
const PRICE = {
  apiGatewayRequest: 3.5 / 1e6, // REST API, first 333 M requests a month
  lambdaGbSecond: 0.0000166667, // x86
  lambdaRequest: 0.2 / 1e6,
  dynamoWrite: 0.625 / 1e6, // on-demand write request unit (≤ 1 KB)
  dynamoRead: 0.125 / 1e6, // on-demand read request unit (strongly consistent ≤ 4 KB)
  logsGb: 0.5, // CloudWatch Logs ingestion
};

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function proxyEvent(resource: string, body: string, apiKey: string): APIGatewayProxyEvent {
  const requestId = randomUUID();
  const headers = { 'X-API-Key': apiKey, 'Content-Type': 'application/json' };
  return {
    httpMethod: 'POST', path: resource, resource, pathParameters: null, headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null, multiValueQueryStringParameters: null, stageVariables: null, body, isBase64Encoded: false,
    requestContext: { requestId, resourcePath: resource, httpMethod: 'POST', stage: 'bench' } as APIGatewayProxyEvent['requestContext'],
  };
}

interface Calls { ses: number; sts: number; reads: number; writes: number }
function snapshot(simCalls: Record<string, number>, proxy: DynamoProxy): Calls {
  const sum = (prefix: string) => Object.entries(simCalls).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
  const ddb = proxy.counts();
  return { ses: sum('ses:'), sts: sum('sts:'), reads: ddb.read, writes: ddb.write };
}
const minus = (a: Calls, b: Calls): Calls => ({ ses: a.ses - b.ses, sts: a.sts - b.sts, reads: a.reads - b.reads, writes: a.writes - b.writes });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

interface Row { variant: string; clients: number; messages: number; requests: number; wallMs: number; requestMs: number[]; calls: Calls; logBytes: number }

async function main(): Promise<void> {
  let logBytes = 0;
  setLogSink((line) => { logBytes += Buffer.byteLength(line) + 1; });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoDbLocal();
  const proxy = await startDynamoProxy({ target: dynamo.endpoint, latencyMs: 0 });
  const system = await startLocalSystem({ dynamoEndpoint: proxy.url, tablePrefix: 'benchbatch', simLatencyMs: 0 });
  const send = system.sendHandler;
  try {
    const tenant = await createTenant(system, 'byoc', { sends_per_minute: 10_000 });
    await onboard(system, tenant.apiKey, { accountId: ACCOUNT, domain: 'batchbench.com' });
    system.simulator.createAccount({ account_id: ACCOUNT, max_send_rate: 100_000 });
    await call(system.relayUrl, 'POST', '/api/byoc/validate', { apiKey: tenant.apiKey });

    const message = { to: 'reader@example.com', from_email: 'hello@batchbench.com', subject: 'Benchmark', message: 'A short transactional message.' };
    const single = JSON.stringify(message);
    const batch = JSON.stringify({ messages: Array.from({ length: BATCH }, () => message) });
    const attachment = JSON.stringify({ ...message, attachments: [{ filename: 'report.pdf', content: Buffer.alloc(1024 * 1024, 7).toString('base64'), content_type: 'application/pdf' }] });
    const invoke = async (resource: string, body: string) => {
      const event = proxyEvent(resource, body, tenant.apiKey);
      const result = await send(event, lambdaContext(event.requestContext.requestId, 'send'));
      if (result.statusCode !== 200) throw new Error(`${resource} answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
      if (resource.endsWith('batch') && !(JSON.parse(result.body) as { results: Array<{ success: boolean }> }).results.every((r) => r.success)) throw new Error('a batch message failed');
    };

    // Warm-up without latency (JIT, caches, session), then latency on.
    for (let i = 0; i < 100; i++) await invoke('/api/send', single);
    for (let i = 0; i < 3; i++) await invoke('/api/send/batch', batch);
    for (let i = 0; i < 3; i++) await invoke('/api/send', attachment);
    proxy.setLatency(LATENCY_MS);
    system.simulator.setLatency(LATENCY_MS);

    const rows: Row[] = [];
    for (const clients of [1, 16]) {
      const variants = [
        { variant: '100 single sends (`POST /api/send`)', resource: '/api/send', body: single, requests: BATCH * clients, perRequest: 1 },
        { variant: 'one batch of 100 (`POST /api/send/batch`)', resource: '/api/send/batch', body: batch, requests: clients, perRequest: BATCH },
      ];
      for (const v of variants) {
        const row: Row = { variant: v.variant, clients, messages: 0, requests: 0, wallMs: 0, requestMs: [], calls: { ses: 0, sts: 0, reads: 0, writes: 0 }, logBytes: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          const before = snapshot(system.simulator.calls(), proxy);
          const logBefore = logBytes;
          row.wallMs += await runPool(() => invoke(v.resource, v.body), v.requests, clients, row.requestMs);
          const used = minus(snapshot(system.simulator.calls(), proxy), before);
          row.calls = { ses: row.calls.ses + used.ses, sts: row.calls.sts + used.sts, reads: row.calls.reads + used.reads, writes: row.calls.writes + used.writes };
          row.messages += v.requests * v.perRequest;
          row.requests += v.requests;
          row.logBytes += logBytes - logBefore;
        }
        rows.push(row);
        system.simulator.clearMailbox();
      }
    }

    const attachmentMs: number[] = [];
    const plainMs: number[] = [];
    for (let i = 0; i < 10 * ROUNDS; i++) {
      await runPool(() => invoke('/api/send', attachment), 1, 1, attachmentMs);
      await runPool(() => invoke('/api/send', single), 1, 1, plainMs);
    }
    system.simulator.clearMailbox();

    const perMessage = (r: Row, n: number) => (n / r.messages).toFixed(3);
    const cost = (r: Row) => {
      const m = r.messages;
      const lambdaSeconds = (median(r.requestMs) / 1000) * r.requests;
      const parts = {
        apiGateway: r.requests * PRICE.apiGatewayRequest,
        lambda: r.requests * PRICE.lambdaRequest + lambdaSeconds * MEMORY_GB * PRICE.lambdaGbSecond,
        dynamo: r.calls.writes * PRICE.dynamoWrite + r.calls.reads * PRICE.dynamoRead,
        logs: (r.logBytes / 1e9) * PRICE.logsGb,
      };
      const total = Object.values(parts).reduce((a, b) => a + b, 0);
      const perMillion = (x: number) => `$${((x / m) * 1e6).toFixed(2)}`;
      return `| ${r.variant} | ${r.clients} | ${perMillion(parts.apiGateway)} | ${perMillion(parts.lambda)} | ${perMillion(parts.dynamo)} | ${perMillion(parts.logs)} | **${perMillion(total)}** |`;
    };
    const lines = [
      '# Batch and attachment benchmarks',
      '',
      `Generated by \`npm run bench:batch\` (\`bench/batch.ts\`) — do not edit by hand; rerun it. Run of ${new Date().toISOString()}.`,
      '',
      `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end.`,
      `- Injected latency: **${LATENCY_MS} ms per AWS call** (simulator and DynamoDB proxy), as in BENCHMARKS.md. Handlers in-process, warm caches (5 s TTLs), BYOC key with 10,000 sends/minute, the account's MaxSendRate raised to 100,000/s so that pacing does not dominate. ${ROUNDS} rounds per row.`,
      '',
      '## 1. A batch of 100 against 100 single sends',
      '',
      '| variant | clients | messages | messages/s | p50 ms per request | SES per message | DynamoDB writes per message | DynamoDB reads per message | STS per message | remote calls per message |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.variant} | ${r.clients} | ${r.messages} | ${Math.round(r.messages / (r.wallMs / 1000))} | ${median(r.requestMs).toFixed(1)} | ${perMessage(r, r.calls.ses)} | ${perMessage(r, r.calls.writes)} | ${perMessage(r, r.calls.reads)} | ${perMessage(r, r.calls.sts)} | ${perMessage(r, r.calls.ses + r.calls.sts + r.calls.reads + r.calls.writes)} |`),
      '',
      '## 2. The cost of a 1 MB attachment (1 client, SendRawEmail with MIME built by MailComposer)',
      '',
      '| message | sends | p50 ms | max ms |',
      '| --- | ---: | ---: | ---: |',
      `| plain (SendEmail) | ${plainMs.length} | ${median(plainMs).toFixed(1)} | ${Math.max(...plainMs).toFixed(1)} |`,
      `| 1 MB attachment (SendRawEmail, 1.44 MB built) | ${attachmentMs.length} | ${median(attachmentMs).toFixed(1)} | ${Math.max(...attachmentMs).toFixed(1)} |`,
      '',
      '## 3. Dollars per million messages (AWS list prices, us-east-1)',
      '',
      `API Gateway REST $3.50 per million requests; Lambda $0.20 per million requests and $0.0000166667 per GB-second at the send function's ${MEMORY_GB * 1024} MB, with the measured p50 request time as duration (an in-process figure: an estimate, not a bill); DynamoDB on-demand $0.625 per million writes and $0.125 per million reads, from the measured calls per message; CloudWatch Logs ingestion $0.50 per GB of the log bytes the relay wrote. SES itself ($0.10 per 1,000 messages) is billed to the customer's own account and left out.`,
      '',
      '| variant | clients | API Gateway | Lambda | DynamoDB | Logs | total |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(cost),
      '',
      `The naive relay of BENCHMARKS.md (one STS AssumeRole, one DynamoDB read and one SES call per message; its p50 of ${NAIVE_P50_MS} ms at 1 client from that file's last run) on the same prices: API Gateway $3.50 + Lambda $${(0.2 + (NAIVE_P50_MS / 1000) * MEMORY_GB * PRICE.lambdaGbSecond * 1e6).toFixed(2)} + DynamoDB $0.13 = **$${(3.5 + 0.2 + (NAIVE_P50_MS / 1000) * MEMORY_GB * PRICE.lambdaGbSecond * 1e6 + 0.125).toFixed(2)}** per million messages before logs. A single relay send costs more in DynamoDB (a write, $0.63, where the naive relay reads) and less in Lambda time; a batch removes almost all of the per-request cost (API Gateway, Lambda invocations, window writes, log lines).`,
      '',
      'The attachment row includes the simulator parsing the 1.44 MB message with mailparser in the same process (in AWS that is SES\'s work), so it overstates the relay\'s own cost; the relay\'s part alone (JSON parse, validation, MIME build) is about 36 ms (docs/decisions.md). At 16 clients all batches share one process, so their per-request time is queueing inside it: read the messages/s column.',
      '',
    ];
    const report = lines.join('\n');
    process.stdout.write(report + '\n');
    if (OUT !== '-') writeFileSync(OUT, report);
  } finally {
    await system.stop();
    await proxy.close();
    await dynamo.stop();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error('[bench:batch] failed:', error);
  process.exit(1);
});
