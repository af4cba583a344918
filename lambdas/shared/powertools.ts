/**
 * Powertools for AWS Lambda (TypeScript), configured once: one Logger and one Metrics instance per
 * process, and the middy middleware that gives every log line the Lambda context and flushes the
 * invocation's metrics once.
 *
 * - Logger: JSON lines with `level`, `message`, `timestamp`, `service`, `cold_start`,
 *   `function_request_id` and `xray_trace_id`; level from `POWERTOOLS_LOG_LEVEL` (default INFO),
 *   service from `POWERTOOLS_SERVICE_NAME`. The incoming event is never logged, whatever
 *   `POWERTOOLS_LOGGER_LOG_EVENT` says: it carries addresses, subjects and bodies.
 * - Metrics: CloudWatch EMF in namespace `SendFleet` (`POWERTOOLS_METRICS_NAMESPACE`), dimensions
 *   `service`, `stage` (from `SENDFLEET_STAGE`, set by the stack; absent locally) plus the
 *   low-cardinality ones a caller names — never a tenant, never content. The stage keeps two
 *   stages in one account out of each other's alarms.
 *
 * Both write through one swappable sink (stdout by default), so tests capture every line and
 * every metric Powertools prints and scan them for privacy canaries.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { MiddlewareObj } from '@middy/core';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAMESPACE, STAGE_ENVIRONMENT_VARIABLE } from './metric-dimensions';


let sink: (line: string) => void = (line) => process.stdout.write(line + '\n');

/** Replaces where log lines and EMF metrics go; returns a function that restores the previous sink. */
export function setLogSink(next: (line: string) => void): () => void {
  const previous = sink;
  sink = next;
  return () => { sink = previous; };
}

const sinkStream = new Writable({
  write(chunk: Buffer | string, _encoding, done) {
    // One console call is one write: one JSON document and its newline.
    sink(chunk.toString().replace(/\n$/, ''));
    done();
  },
});
const sinkConsole = new Console({ stdout: sinkStream, stderr: sinkStream });

/**
 * Powertools prints through a private Console it builds on process.stdout (pinned version 2.35.0);
 * pointing it at the sink keeps production output identical and lets tests see every line.
 * test/unit/logger.test.ts fails if a Powertools upgrade stops honouring this.
 */
function printThroughSink<T extends object>(instance: T): T {
  (instance as unknown as { console: Console }).console = sinkConsole;
  return instance;
}

export const powertoolsLogger = printThroughSink(new PowertoolsLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'sendfleet',
}));

export const metrics = printThroughSink(new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || SERVICE_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'sendfleet',
  defaultDimensions: process.env[STAGE_ENVIRONMENT_VARIABLE] ? { stage: process.env[STAGE_ENVIRONMENT_VARIABLE] } : {},
  logger: powertoolsLogger,
}));

/** Dimension values of the metrics stored since the last flush (EMF gives one value per dimension per document). */
let storedDimensions: string | undefined;

/**
 * Stores one metric for the end-of-invocation flush. A metric whose dimension values differ from
 * those already stored flushes the stored ones first (one EMF document per dimension set).
 */
export function addMetric(name: string, dimensions: Record<string, string>, value: number, unit: 'Count' | 'Milliseconds'): void {
  const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
  if (metrics.hasStoredMetrics() && key !== storedDimensions) flushMetrics();
  if (key !== storedDimensions) {
    for (const [dimension, dimensionValue] of Object.entries(dimensions)) metrics.addDimension(dimension, dimensionValue);
    storedDimensions = key;
  }
  metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
}

/** Writes the stored metrics as one EMF line; nothing when there are none (no empty-metrics warning). */
export function flushMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  metrics.publishStoredMetrics();
  storedDimensions = undefined;
}

/** Flushes the invocation's metrics once, after the handler or its error handler ran. */
export function metricsFlush(): MiddlewareObj {
  const flush = async (): Promise<void> => { flushMetrics(); };
  return { after: flush, onError: flush };
}

/**
 * The one middleware list every handler uses: Lambda context on every log line (cold start,
 * request id; the trace id comes from the environment), the event never logged, metrics flushed
 * once per invocation. `middy(handler).use(observability())`.
 */
export function observability(): MiddlewareObj[] {
  return [injectLambdaContext(powertoolsLogger, { logEvent: false, resetKeys: true }), metricsFlush()];
}
