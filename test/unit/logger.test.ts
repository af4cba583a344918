/**
 * The shared logger and metrics on Powertools: what every line carries, that the event is never
 * logged, that metrics are flushed once per invocation, and that the sink sees everything
 * Powertools prints (the privacy canaries depend on it).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger, emitMetric, logger, setLogSink } from '../../lambdas/shared/logger';
import { flushMetrics, observability } from '../../lambdas/shared/powertools';

let lines: string[];
let restore: () => void;
beforeEach(() => {
  lines = [];
  restore = setLogSink((line) => lines.push(line));
});
afterEach(() => {
  flushMetrics();
  restore();
});

const context = {
  awsRequestId: 'req-1234', functionName: 'send', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:send', getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

test('log lines are Powertools JSON with level, time, message, service and the child fields', () => {
  createLogger({ component: 's' }).child({ request_id: 'r1' }).child({ tenant_id: 't1' }).info('hello', { outcome: 'accepted' });
  expect(parsed()[0]).toMatchObject({
    level: 'INFO', timestamp: expect.any(String), message: 'hello', service: 'sendfleet',
    component: 's', request_id: 'r1', tenant_id: 't1', outcome: 'accepted',
  });
});

test('inside a handler every line carries cold start, the Lambda request id and the X-Ray trace id', async () => {
  // Lambda sets both; a fresh module instance sees them at construction, as a new container would.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  try {
    let fresh!: { logger: typeof import('../../lambdas/shared/logger'); powertools: typeof import('../../lambdas/shared/powertools') };
    jest.isolateModules(() => {
      fresh = { logger: require('../../lambdas/shared/logger'), powertools: require('../../lambdas/shared/powertools') };
    });
    const restoreFresh = fresh.logger.setLogSink((line) => lines.push(line));
    const handler = middy(async () => { fresh.logger.logger.info('inside'); return 'ok'; }).use(fresh.powertools.observability());
    await handler({}, context);
    await handler({}, { ...context, awsRequestId: 'req-5678' });
    restoreFresh();
  } finally {
    delete process.env._X_AMZN_TRACE_ID;
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  }
  const [first, second] = parsed();
  expect(first).toMatchObject({
    message: 'inside', cold_start: true, function_request_id: 'req-1234', function_name: 'send',
    xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
  });
  expect(second).toMatchObject({ message: 'inside', cold_start: false, function_request_id: 'req-5678' });
});

test('the event is never logged, even when POWERTOOLS_LOGGER_LOG_EVENT asks for it', async () => {
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
  try {
    let fresh!: { logger: typeof import('../../lambdas/shared/logger'); powertools: typeof import('../../lambdas/shared/powertools') };
    jest.isolateModules(() => {
      fresh = { logger: require('../../lambdas/shared/logger'), powertools: require('../../lambdas/shared/powertools') };
    });
    const restoreFresh = fresh.logger.setLogSink((line) => lines.push(line));
    const handler = middy(async () => { fresh.logger.logger.info('handled'); return 'ok'; }).use(fresh.powertools.observability());
    await handler({ body: '{"to":"zqxeventcanary7@example.com"}' }, context);
    restoreFresh();
  } finally {
    delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  }
  expect(parsed().map((l) => l.message)).toEqual(['handled']);
  expect(lines.join('\n')).not.toContain('zqxeventcanary7');
});

test('metrics are EMF in namespace SendFleet, stored during the invocation and flushed once at its end', async () => {
  const handler = middy(async () => {
    emitMetric('Sends', { outcome: 'accepted' });
    emitMetric('Sends', { outcome: 'accepted' });
    expect(lines).toEqual([]);
    return 'ok';
  }).use(observability());
  await handler({}, context);
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ outcome: 'accepted', service: 'sendfleet', Sends: [1, 1] });
  expect(line._aws.CloudWatchMetrics).toEqual([{ Namespace: 'SendFleet', Dimensions: [['service', 'outcome']], Metrics: [{ Name: 'Sends', Unit: 'Count' }] }]);
});

test('every metric carries the stage the stack sets in SENDFLEET_STAGE (none locally)', () => {
  const saved = process.env.SENDFLEET_STAGE;
  process.env.SENDFLEET_STAGE = 'alice';
  try {
    jest.isolateModules(() => {
      const isolated = require('../../lambdas/shared/powertools') as typeof import('../../lambdas/shared/powertools');
      const restoreIsolated = isolated.setLogSink((line) => lines.push(line));
      isolated.addMetric('Sends', { outcome: 'accepted' }, 1, 'Count');
      isolated.flushMetrics();
      restoreIsolated();
    });
  } finally {
    if (saved === undefined) delete process.env.SENDFLEET_STAGE;
    else process.env.SENDFLEET_STAGE = saved;
  }
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ stage: 'alice', outcome: 'accepted', service: 'sendfleet' });
  expect(line._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['service', 'stage', 'outcome']));
});

test('metrics are flushed when the handler fails too', async () => {
  const handler = middy(async () => {
    emitMetric('Sends', { outcome: 'ses_unavailable' });
    throw new Error('boom');
  }).use(observability());
  await expect(handler({}, context)).rejects.toThrow('boom');
  expect(parsed()).toEqual([expect.objectContaining({ outcome: 'ses_unavailable', Sends: 1 })]);
});

test('a second outcome in one invocation gets its own EMF document instead of overwriting the first', async () => {
  const handler = middy(async () => {
    emitMetric('Sends', { outcome: 'accepted' });
    emitMetric('Sends', { outcome: 'ses_rejected' });
    return 'ok';
  }).use(observability());
  await handler({}, context);
  expect(parsed().map((l) => [l.outcome, l.Sends])).toEqual([['accepted', 1], ['ses_rejected', 1]]);
});

test('an invocation without metrics prints nothing (no empty-metrics warning)', async () => {
  await middy(async () => 'ok').use(observability())({}, context);
  expect(lines).toEqual([]);
});
