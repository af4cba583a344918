/**
 * Structured JSON logs. Privacy rule: callers pass only identifiers and outcomes (request id,
 * tenant id, error codes, counts, durations) — never request bodies, addresses, subjects or names.
 * The sink is swappable so tests can capture every line and scan it for canaries.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
type Level = 'debug' | 'info' | 'warn' | 'error';

let sink: (line: string) => void = (line) => process.stdout.write(line + '\n');
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const minLevel = order[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? order.info;

export function setLogSink(next: (line: string) => void): () => void {
  const previous = sink;
  sink = next;
  return () => { sink = previous; };
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(base: LogFields = {}): Logger {
  const write = (level: Level, message: string, fields?: LogFields) => {
    if (order[level] < minLevel) return;
    sink(JSON.stringify({ level, timestamp: new Date().toISOString(), message, ...base, ...fields }));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const logger = createLogger({ service: process.env.SERVICE_NAME ?? 'sendfleet' });

/**
 * One CloudWatch metric as an Embedded Metric Format log line (CloudWatch extracts it; no API call
 * on the hot path). Dimensions are low-cardinality outcomes, never tenants or content.
 */
export function emitMetric(name: string, dimensions: Record<string, string>, value = 1, unit: 'Count' | 'Milliseconds' = 'Count'): void {
  sink(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: 'SendFleet', Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
    },
    ...dimensions,
    [name]: value,
  }));
}
