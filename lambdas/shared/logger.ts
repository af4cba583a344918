/**
 * The logging and metrics API the code uses, on Powertools (lambdas/shared/powertools.ts).
 * Privacy rule: callers pass only identifiers and outcomes (request id, tenant id, error codes,
 * counts, durations) — never request bodies, addresses, subjects, names, keys or AWS error text.
 */
import { addMetric, powertoolsLogger, setLogSink } from './powertools';

export { setLogSink };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger adding `base` to every line; children share the process's one Powertools logger. */
export function createLogger(base: LogFields = {}): Logger {
  const fieldsOf = (fields?: LogFields) => ({ ...base, ...fields });
  return {
    debug: (message, fields) => powertoolsLogger.debug(message, fieldsOf(fields)),
    info: (message, fields) => powertoolsLogger.info(message, fieldsOf(fields)),
    warn: (message, fields) => powertoolsLogger.warn(message, fieldsOf(fields)),
    error: (message, fields) => powertoolsLogger.error(message, fieldsOf(fields)),
    child: (fields) => createLogger(fieldsOf(fields)),
  };
}

export const logger = createLogger();

/**
 * One CloudWatch metric (Embedded Metric Format, flushed once per invocation by the
 * `observability()` middleware: no extra call on the hot path). Dimensions are low-cardinality
 * outcomes, never tenants or content.
 */
export function emitMetric(name: string, dimensions: Record<string, string>, value = 1, unit: 'Count' | 'Milliseconds' = 'Count'): void {
  addMetric(name, dimensions, value, unit);
}
