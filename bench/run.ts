/**
 * `npm run bench`: the relay's performance figures on one machine, without an AWS account, written
 * to BENCHMARKS.md (and printed).
 *
 * - DynamoDB Local behind bench/dynamodb-proxy.ts (injected latency + request counting), the
 *   customer-account simulator with the same injected latency on STS/SES.
 * - Handlers invoked in-process with API Gateway proxy events (no local HTTP server in the timed
 *   path): (a) the relay's send handler, (b) bench/naive-relay.ts, (c) a bare SES SendEmail with
 *   fixed credentials (the floor), plus (d) a bare DynamoDB UpdateItem for reference. Variants run
 *   in interleaved rounds with a rotating order so machine noise hits them alike.
 *
 * Environment: BENCH_LATENCY_MS (10), BENCH_REQUESTS_C1 (300), BENCH_REQUESTS_C16 (1000),
 * BENCH_WARMUP (50), BENCH_PRIME (300, JIT warm-up without latency), BENCH_ROUNDS (10), BENCH_LOAD_RUNS (15), BENCH_COUNT_SENDS (500),
 * BENCH_OUT (BENCHMARKS.md; "-" prints only).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { setLogSink } from '../lambdas/shared/logger';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { lambdaContext } from '../local/http-adapter';
import { startLocalSystem } from '../local/local-system';
import { awsRequestHandler } from '../lambdas/relay/customer-account/sessions';
import { BYOC_ROLE_NAME } from '../lambdas/relay/byoc/policies';
import { relayKeys, utcMonth } from '../lambdas/relay/store/relay-table';
import { toSendEmailInput } from '../lambdas/relay/customer-account/ses-request';
import { parseSendRequest } from '../lambdas/relay/send/message/request';
import { analyseBundle, buildBundles, bundleEntries, timeLoads } from './bundles';
import { startDynamoProxy, type DynamoProxy } from './dynamodb-proxy';
import { rotate, runPool, type SendFn } from './load';
import { createNaiveRelay } from './naive-relay';
import { patternKey, renderReport, type CallCounts, type Measurement, type VariantId } from './report';
import { createTenant, onboard, useSystemEndpoints } from './support';
import { markdownTable, summarize } from './stats';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

const config = {
  latencyMs: num('BENCH_LATENCY_MS', 10),
  requestsC1: num('BENCH_REQUESTS_C1', 300),
  requestsC16: num('BENCH_REQUESTS_C16', 1000),
  warmup: num('BENCH_WARMUP', 50),
  prime: num('BENCH_PRIME', 300),
  rounds: Math.max(1, num('BENCH_ROUNDS', 10)),
  loadRuns: Math.max(1, num('BENCH_LOAD_RUNS', 15)),
  countSends: num('BENCH_COUNT_SENDS', 500),
};
const OUT = process.env.BENCH_OUT ?? path.resolve(__dirname, '..', 'BENCHMARKS.md');

const BYOC_ACCOUNT = '444444444444';
const STARTER_ACCOUNT = '555555555555';
const STARTER_LATENCY_ACCOUNT = '666666666666';
/** Starter warm sends measured at 1 client: its monthly limit caps warm-up + measured sends. */
const STARTER_WARMUP = 5;
const REGION = 'eu-west-1';
/** The admin API's ceiling; far above what a run sends per minute, so the rate limit never refuses. */
const SENDS_PER_MINUTE = 10_000;
const STARTER_MONTHLY_LIMIT = 50;
const BURST_ACCOUNT = '777777777777';
const BATCH_ACCOUNT = '888888888888';
const BATCH_SIZE = 100;
const BATCH_ROUNDS = 3;
const BURST_RATE = 14;
const BURST_SENDS = 100;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function proxyEvent(body: string, headers: Record<string, string>, resource = '/api/send'): APIGatewayProxyEvent {
  const requestId = randomUUID();
  return {
    httpMethod: 'POST',
    path: resource,
    resource,
    pathParameters: null,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId, resourcePath: resource, httpMethod: 'POST', stage: 'bench' } as APIGatewayProxyEvent['requestContext'],
  };
}

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function snapshot(simCalls: Record<string, number>, proxy: DynamoProxy): CallCounts {
  const sum = (prefix: string) => Object.entries(simCalls).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
  const ddb = proxy.counts();
  return { sts: sum('sts:'), ses: sum('ses:'), ddbReads: ddb.read, ddbWrites: ddb.write, ddbOther: ddb.other };
}

const minus = (a: CallCounts, b: CallCounts): CallCounts => ({
  sts: a.sts - b.sts, ses: a.ses - b.ses, ddbReads: a.ddbReads - b.ddbReads, ddbWrites: a.ddbWrites - b.ddbWrites, ddbOther: a.ddbOther - b.ddbOther,
});
const plus = (a: CallCounts, b: CallCounts): CallCounts => ({
  sts: a.sts + b.sts, ses: a.ses + b.ses, ddbReads: a.ddbReads + b.ddbReads, ddbWrites: a.ddbWrites + b.ddbWrites, ddbOther: a.ddbOther + b.ddbOther,
});
const ZERO: CallCounts = { sts: 0, ses: 0, ddbReads: 0, ddbWrites: 0, ddbOther: 0 };

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = os.loadavg();
  // Log lines are still built (JSON.stringify) as in Lambda, but not written to the terminal.
  let logLines = 0;
  setLogSink(() => { logLines += 1; });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  // 1. Cold-start proxy first, while nothing else of the bench runs (no JVM, no servers).
  log('bundling the functions with the CDK stacks\' esbuild options');
  const bundles = await buildBundles(bundleEntries());
  const sendBundle = bundles.find((b) => b.name === 'send');
  const clientsBundle = bundles.find((b) => b.name === 'threeClients');
  const sizeBreakdown = sendBundle && clientsBundle ? analyseBundle(sendBundle, clientsBundle) : [];
  log(`timing require() of ${bundles.length} bundles, ${config.loadRuns} runs each`);
  const loads = timeLoads(bundles, config.loadRuns);

  // 2. The system: DynamoDB Local behind the counting proxy, simulator, relay and platform APIs.
  log('starting DynamoDB Local, the proxy and the local system');
  const dynamo = await startDynamoDbLocal();
  const proxy = await startDynamoProxy({ target: dynamo.endpoint, latencyMs: 0 });
  const system = await startLocalSystem({ dynamoEndpoint: proxy.url, tablePrefix: 'bench', simLatencyMs: 0 });
  const sendHandler = system.sendHandler;
  useSystemEndpoints(system);

  try {
    log('onboarding a BYOC tenant and a Starter tenant through the relay API');
    const byoc = await createTenant(system, 'byoc', { sends_per_minute: SENDS_PER_MINUTE });
    await onboard(system, byoc.apiKey, { accountId: BYOC_ACCOUNT, domain: 'benchmail.com', region: REGION, configurationSet: { tenantId: byoc.tenantId } });
    const starter = await createTenant(system, 'starter', { sends_per_minute: SENDS_PER_MINUTE });
    await onboard(system, starter.apiKey, { accountId: STARTER_ACCOUNT, domain: 'startermail.com', region: REGION });
    const starterWarm = await createTenant(system, 'starter', { sends_per_minute: SENDS_PER_MINUTE });
    await onboard(system, starterWarm.apiKey, { accountId: STARTER_LATENCY_ACCOUNT, domain: 'starterbench.com', region: REGION });

    const body = JSON.stringify({ to: 'reader@example.com', from_email: 'hello@benchmail.com', from_name: 'Bench', subject: 'Benchmark', message: 'A short transactional message.' });
    const starterBody = body.replace('benchmail.com', 'startermail.com');
    const starterWarmBody = body.replace('benchmail.com', 'starterbench.com');
    const expectOk = (variant: string, result: APIGatewayProxyResult) => {
      if (result.statusCode !== 200) throw new Error(`${variant} answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
    };

    // (a) the relay, through its Lambda handler
    const relay: SendFn = async () => {
      const event = proxyEvent(body, { 'X-API-Key': byoc.apiKey, 'Content-Type': 'application/json' });
      expectOk('relay', await sendHandler(event, lambdaContext(event.requestContext.requestId, 'send')));
    };
    // (a') the relay with a Starter tenant's key: adds the monthly reservation (1 client only, ≤ 50 sends)
    const relayStarter: SendFn = async () => {
      const event = proxyEvent(starterWarmBody, { 'X-API-Key': starterWarm.apiKey, 'Content-Type': 'application/json' });
      expectOk('relay (Starter)', await sendHandler(event, lambdaContext(event.requestContext.requestId, 'send')));
    };
    // (b) the naive relay, same event shape
    const naiveHandler = createNaiveRelay({ db: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: system.tables.relay });
    const naive: SendFn = async () => {
      expectOk('naive relay', await naiveHandler(proxyEvent(body, { 'x-tenant-id': byoc.tenantId, 'Content-Type': 'application/json' })));
    };
    // (c) the floor: one SES client with credentials from one AssumeRole made before timing
    const requestHandler = awsRequestHandler();
    const externalId = await readExternalId(dynamo.endpoint, system.tables.relay, byoc.tenantId);
    const assumed = await new STSClient({ requestHandler }).send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${BYOC_ACCOUNT}:role/${BYOC_ROLE_NAME}`, ExternalId: externalId, RoleSessionName: 'bench-floor', DurationSeconds: 900,
    }));
    const floorSes = new SESClient({
      region: REGION, requestHandler, maxAttempts: 3,
      credentials: { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken },
    });
    const floorInput = toSendEmailInput(parseSendRequest(JSON.parse(body)));
    const floor: SendFn = async () => {
      const out = await floorSes.send(new SendEmailCommand(floorInput));
      if (!out.MessageId) throw new Error('floor: no MessageId');
    };
    // (d) reference: the relay's rate-window write alone (same UpdateItem shape, its own key)
    const ddbClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const ddbWrite: SendFn = async () => {
      const minute = new Date().toISOString().slice(0, 16);
      await ddbClient.send(new UpdateCommand({
        TableName: system.tables.relay,
        Key: relayKeys.rateWindow('bench-reference', minute),
        UpdateExpression: 'ADD #n :one SET expires_at = if_not_exists(expires_at, :ttl)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1, ':limit': 1_000_000_000, ':ttl': Math.floor(Date.now() / 1000) + 120 },
        ReturnValues: 'UPDATED_NEW',
      }));
    };

    // (e) the relay's two calls and nothing else, overlapped as a warm send overlaps them: what the
    // relay's design costs on this machine before any of its own work.
    const pair: SendFn = async () => { await Promise.all([floor(), ddbWrite()]); };

    const variants: Array<{ id: VariantId; send: SendFn }> = [
      { id: 'relay', send: relay }, { id: 'naive', send: naive }, { id: 'floor', send: floor }, { id: 'ddb', send: ddbWrite }, { id: 'pair', send: pair },
    ];

    // JIT warm-up of DynamoDB Local's JVM and of this process, without injected latency.
    log(`priming: ${config.prime} sends per variant at 8 clients, no injected latency`);
    for (const v of variants) await runPool(v.send, config.prime, 8, []);

    // The two calls with nothing injected, 1 client: what overlapping them costs in CPU on this machine.
    const unloaded = variants.filter((v) => v.id === 'floor' || v.id === 'ddb' || v.id === 'pair').map((v) => ({ variant: v.id, send: v.send, latenciesMs: [] as number[] }));
    const unloadedPerRound = Math.max(1, Math.round(config.requestsC1 / config.rounds));
    log(`no injected latency: ${unloadedPerRound * config.rounds} sends each of (c), (d) and (e) at 1 client`);
    for (let round = 0; round < config.rounds; round++) {
      for (const u of rotate(unloaded, round)) await runPool(u.send, unloadedPerRound, 1, u.latenciesMs);
    }

    // 3. Injected latency on from here: every STS, SES and DynamoDB request waits latencyMs.
    proxy.setLatency(config.latencyMs);
    system.simulator.setLatency(config.latencyMs);

    log(`warm-up: ${config.warmup} sends per variant at 1 and at 16 clients`);
    for (const v of variants) {
      await runPool(v.send, config.warmup, 1, []);
      await runPool(v.send, config.warmup, 16, []);
    }
    await runPool(relayStarter, STARTER_WARMUP, 1, []);

    const measurements: Measurement[] = [];
    for (const concurrency of [1, 16]) {
      const total = concurrency === 1 ? config.requestsC1 : config.requestsC16;
      const perRound = Math.max(1, Math.round(total / config.rounds));
      log(`measuring: ${perRound * config.rounds} sends per variant at ${concurrency} client(s), ${config.rounds} interleaved rounds`);
      // The Starter variant only at 1 client, a few sends per round: its monthly limit is 50.
      const starterPerRound = Math.floor((STARTER_MONTHLY_LIMIT - STARTER_WARMUP) / config.rounds);
      const here = concurrency === 1 && starterPerRound > 0 ? [...variants.slice(0, 1), { id: 'starter' as const, send: relayStarter }, ...variants.slice(1)] : variants;
      const acc = new Map(here.map((v) => [v.id, { latencies: [] as number[], wallMs: 0, calls: ZERO, patterns: {} as Record<string, number[]> }]));
      for (let round = 0; round < config.rounds; round++) {
        for (const v of rotate(here, round)) {
          const slot = acc.get(v.id)!;
          const count = v.id === 'starter' ? Math.min(perRound, starterPerRound) : perRound;
          // One client: each send's own remote calls are known (a few microseconds of counter reads).
          const send: SendFn = concurrency !== 1 ? v.send : async () => {
            const mark = snapshot(system.simulator.calls(), proxy);
            const t0 = process.hrtime.bigint();
            await v.send();
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            (slot.patterns[patternKey(minus(snapshot(system.simulator.calls(), proxy), mark))] ??= []).push(ms);
          };
          const before = snapshot(system.simulator.calls(), proxy);
          slot.wallMs += await runPool(send, count, concurrency, slot.latencies);
          slot.calls = plus(slot.calls, minus(snapshot(system.simulator.calls(), proxy), before));
        }
      }
      for (const v of here) {
        const slot = acc.get(v.id)!;
        measurements.push({ variant: v.id, concurrency, latenciesMs: slot.latencies, wallMs: slot.wallMs, calls: slot.calls, patterns: concurrency === 1 ? slot.patterns : undefined });
      }
    }
    system.simulator.clearMailbox();

    // 3b. A batch of 100 against 100 single sends, 1 client, on an account whose MaxSendRate does not pace them.
    log(`batch: ${BATCH_ROUNDS} rounds of ${BATCH_SIZE} single sends against one batch of ${BATCH_SIZE}`);
    const batchTenant = await createTenant(system, 'byoc', { sends_per_minute: SENDS_PER_MINUTE });
    await onboard(system, batchTenant.apiKey, { accountId: BATCH_ACCOUNT, domain: 'batchbench.com', region: REGION, maxSendRate: 100_000 });
    const batchMessage = { to: 'reader@example.com', from_email: 'hello@batchbench.com', subject: 'Benchmark', message: 'A short transactional message.' };
    const batchSingleBody = JSON.stringify(batchMessage);
    const batchBody = JSON.stringify({ messages: Array.from({ length: BATCH_SIZE }, () => batchMessage) });
    const invokeBatchTenant = async (resource: string, payload: string) => {
      const event = proxyEvent(payload, { 'X-API-Key': batchTenant.apiKey, 'Content-Type': 'application/json' }, resource);
      expectOk(resource, await sendHandler(event, lambdaContext(event.requestContext.requestId, 'send')));
    };
    for (let i = 0; i < 20; i++) await invokeBatchTenant('/api/send', batchSingleBody);
    await invokeBatchTenant('/api/send/batch', batchBody);
    let singleWallMs = 0;
    let batchWallMs = 0;
    let singleCalls = ZERO;
    let batchCalls = ZERO;
    for (let round = 0; round < BATCH_ROUNDS; round++) {
      let before = snapshot(system.simulator.calls(), proxy);
      singleWallMs += await runPool(() => invokeBatchTenant('/api/send', batchSingleBody), BATCH_SIZE, 1, []);
      singleCalls = plus(singleCalls, minus(snapshot(system.simulator.calls(), proxy), before));
      before = snapshot(system.simulator.calls(), proxy);
      batchWallMs += await runPool(() => invokeBatchTenant('/api/send/batch', batchBody), 1, 1, []);
      batchCalls = plus(batchCalls, minus(snapshot(system.simulator.calls(), proxy), before));
    }
    const batchFigures = {
      rounds: BATCH_ROUNDS,
      singleMsgPerS: (BATCH_SIZE * BATCH_ROUNDS) / (singleWallMs / 1000),
      batchMsgPerS: (BATCH_SIZE * BATCH_ROUNDS) / (batchWallMs / 1000),
      singleCalls, batchCalls,
    };
    system.simulator.clearMailbox();

    // 4. Counting under load: a Starter tenant, cold caches, all sends at once.
    log(`counting: ${config.countSends} concurrent sends on a Starter tenant (limit ${STARTER_MONTHLY_LIMIT})`);
    const countBefore = snapshot(system.simulator.calls(), proxy);
    const statuses = new Map<number, number>();
    const errors = new Map<string, number>();
    const burstStarted = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.countSends }, async () => {
      const event = proxyEvent(starterBody, { 'X-API-Key': starter.apiKey, 'Content-Type': 'application/json' });
      const result = await sendHandler(event, lambdaContext(event.requestContext.requestId, 'send'));
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      if (result.statusCode !== 200) {
        const code = String((JSON.parse(result.body) as { error?: string }).error);
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }));
    const burstMs = Number(process.hrtime.bigint() - burstStarted) / 1e6;
    const countCalls = minus(snapshot(system.simulator.calls(), proxy), countBefore);
    const usage = await readUsage(dynamo.endpoint, system.tables.relay, starter.tenantId);
    const mailbox = system.simulator.mailbox().filter((m) => m.account_id === STARTER_ACCOUNT).length;

    // 5. A burst at a real account's rate: 100 concurrent BYOC sends to an account allowing 14/s.
    log(`burst: ${BURST_SENDS} concurrent sends to an account whose MaxSendRate is ${BURST_RATE}/s`);
    system.simulator.setLatency(config.latencyMs);
    const burstTenant = await createTenant(system, 'byoc', { sends_per_minute: SENDS_PER_MINUTE });
    await onboard(system, burstTenant.apiKey, { accountId: BURST_ACCOUNT, domain: 'burst-bench.com', maxSendRate: BURST_RATE });
    const burstBody = JSON.stringify({ to: 'customer@example.com', from_email: 'hello@burst-bench.com', subject: 'Burst', message: 'Hello' });
    const burstWarm = proxyEvent(burstBody, { 'X-API-Key': burstTenant.apiKey, 'Content-Type': 'application/json' });
    await sendHandler(burstWarm, lambdaContext(burstWarm.requestContext.requestId, 'send')); // session and caches warm, as in a busy container
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the account's bucket refills
    const burstCallsBefore = system.simulator.calls()['ses:SendEmail'] ?? 0;
    const burstLatencies: number[] = [];
    const burstStatuses = new Map<string, number>();
    const burstT0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: BURST_SENDS }, async () => {
      const event = proxyEvent(burstBody, { 'X-API-Key': burstTenant.apiKey, 'Content-Type': 'application/json' });
      const t = process.hrtime.bigint();
      const result = await sendHandler(event, lambdaContext(event.requestContext.requestId, 'send'));
      burstLatencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      const key = result.statusCode === 200 ? '200' : String((JSON.parse(result.body) as { error?: string }).error);
      burstStatuses.set(key, (burstStatuses.get(key) ?? 0) + 1);
    }));
    const burstWallMs = Number(process.hrtime.bigint() - burstT0) / 1e6;
    const burstSesCalls = (system.simulator.calls()['ses:SendEmail'] ?? 0) - burstCallsBefore;
    const burstSummary = summarize(burstLatencies);
    const burstSection = [
      '',
      `## Burst at a real account's rate (${BURST_SENDS} concurrent sends, MaxSendRate ${BURST_RATE}/s)`,
      '',
      `The simulator enforces SES's MaxSendRate (${BURST_RATE} recipients/s, burst of 3) as real SES does; ${config.latencyMs} ms per AWS call.`,
      '',
      markdownTable(['outcome', 'accepted', 'SES calls per message', 'wall time', 'p50', 'p99'], [[
        [...burstStatuses.entries()].map(([k, v]) => `${k}: ${v}`).join(', '),
        String(burstStatuses.get('200') ?? 0),
        (burstSesCalls / BURST_SENDS).toFixed(2),
        `${(burstWallMs / 1000).toFixed(2)} s`,
        `${burstSummary.p50.toFixed(0)} ms`,
        `${burstSummary.p99.toFixed(0)} ms`,
      ]]),
      '',
      `One container paces its own sends to the account's rate (read by validation), so a burst queues in the container instead of`,
      `being refused; throttling caused by other containers is retried with backoff and jitter inside the 20 s budget. At ${BURST_RATE}/s a`,
      `burst of ${BURST_SENDS} needs about ${(BURST_SENDS / BURST_RATE).toFixed(1)} s: p99 is that queue, not relay overhead.`,
    ].join('\n');

    const report = renderReport({
      startedAt: started,
      finishedAt: new Date(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}`, loadBefore, loadAfter: os.loadavg() },
      config,
      measurements,
      bundles,
      sizeBreakdown,
      loads,
      counting: {
        sends: config.countSends, limit: STARTER_MONTHLY_LIMIT, accepted: statuses.get(200) ?? 0,
        statuses: Object.fromEntries(statuses), errors: Object.fromEntries(errors), counter: usage, mailbox, burstMs, calls: countCalls,
      },
      logLines,
      batch: batchFigures,
      unloaded,
    });
    const fullReport = report + '\n' + burstSection;
    process.stdout.write(fullReport + '\n');
    if (OUT !== '-') {
      writeFileSync(OUT, fullReport + '\n');
      log(`wrote ${OUT}`);
    }
  } finally {
    await system.stop();
    await proxy.close();
    await dynamo.stop();
  }
}

/** Direct reads (bypassing the counting proxy) of what the relay stored. */
async function readItem(endpoint: string, table: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }));
  try {
    return (await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}

async function readExternalId(endpoint: string, table: string, tenantId: string): Promise<string> {
  const item = await readItem(endpoint, table, relayKeys.byocConfig(tenantId));
  const id = item?.external_id;
  if (typeof id !== 'string') throw new Error('bench: the BYOC tenant has no ExternalId');
  return id;
}

async function readUsage(endpoint: string, table: string, tenantId: string): Promise<number | null> {
  const item = await readItem(endpoint, table, relayKeys.usage(tenantId, utcMonth(new Date())));
  return item?.used === undefined ? null : Number(item.used);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(1);
  },
);
