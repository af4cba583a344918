/**
 * The alarms every stack gets from what it contains, with the thresholds and their reasons in one
 * place (docs/deploying.md, "Operations", lists them with what to do):
 * - each catalogued function: Lambda Errors and Throttles;
 * - a REST API: its 5xx rate and its p99 latency;
 * - a DynamoDB table: throttled reads and writes.
 * The alarm topic becomes their action afterwards (OperatorAlarms.notifyEveryAlarm).
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { FUNCTIONS } from '../function-catalog';
import { ServiceFunction } from './service-function';

const FIVE_MINUTES = Duration.minutes(5);

export const ALARM_THRESHOLDS = {
  /**
   * Lambda Errors of a function behind an API, per 5 minutes, two periods in a row. The handlers
   * answer every expected failure themselves, so an error is a crash, a timeout or a failed cold
   * start; a stray timeout while SES is slow is the SES alarm's business, five in 5 minutes for
   * 10 minutes is something systemic.
   */
  apiFunctionErrors: 5,
  /** Lambda Errors of an event-driven function, per 5 minutes: each one is an event retried, then dead-lettered. */
  eventFunctionErrors: 1,
  /** Throttles, per 5 minutes: any means the account's concurrency is used up (10 on a new account) and callers get errors. */
  throttles: 1,
  /** Answers over 5xx, percent of requests per 5 minutes, two periods in a row (as the customer API's before). */
  serverErrorPercent: 5,
  /**
   * p99 latency (ms) per 5 minutes, three periods in a row. Customer API: sends take well under a
   * second; 10 s at p99 for 15 minutes means SES or STS in customers' accounts are slow and calls
   * approach API Gateway's 29 s cut-off. Admin API: a DynamoDB write and an EventBridge put; 3 s is
   * far off normal.
   */
  customerApiP99Ms: 10_000,
  adminApiP99Ms: 3_000,
  /**
   * Throttled reads and writes of an on-demand table, per 5 minutes, two periods in a row. The SDK
   * retries a throttled call (3 attempts), so one burst passes; throttling that lasts 10 minutes
   * turns into failed requests.
   */
  tableThrottleEvents: 1,
} as const;

/** Errors and Throttles alarms on every catalogued function under `scope`, each created beside its function. */
export function alarmOnFunctions(scope: Construct): void {
  for (const fn of ServiceFunction.catalogued(scope)) {
    const spec = FUNCTIONS[fn.catalogName!];
    const event = spec.invocation === 'event';
    new cloudwatch.Alarm(fn, 'ErrorsAlarm', {
      alarmDescription: `${fn.catalogName} failed (threw, timed out or could not start)` +
        (event ? ': the event is retried, then dead-lettered. Read the function\'s logs.' : ' repeatedly. Read the function\'s logs (error_name).'),
      metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: event ? ALARM_THRESHOLDS.eventFunctionErrors : ALARM_THRESHOLDS.apiFunctionErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: event ? 1 : 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(fn, 'ThrottlesAlarm', {
      alarmDescription: `${fn.catalogName} was throttled: the account's Lambda concurrency is used up. Check the account's ` +
        'concurrency quota and which function takes it (docs/deploying.md, new accounts).',
      metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: ALARM_THRESHOLDS.throttles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/** 5xx rate and p99 latency of a REST API's stage. */
export function alarmOnApi(scope: Construct, api: apigateway.RestApi, props: { name: string; p99Ms: number; whatToCheck: string }): { serverErrors: cloudwatch.Alarm; latency: cloudwatch.Alarm } {
  const serverErrors = new cloudwatch.Alarm(scope, 'ServerErrorsAlarm', {
    alarmDescription: `More than ${ALARM_THRESHOLDS.serverErrorPercent}% of ${props.name} requests answered 5xx for 10 minutes. ${props.whatToCheck}`,
    metric: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Average' }),
    threshold: ALARM_THRESHOLDS.serverErrorPercent / 100,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const latency = new cloudwatch.Alarm(scope, 'LatencyAlarm', {
    alarmDescription: `The ${props.name}'s p99 latency was over ${props.p99Ms / 1000} s for 15 minutes. ${props.whatToCheck}`,
    metric: api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
    threshold: props.p99Ms,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { serverErrors, latency };
}

/** Throttled reads and writes of a table (the table's own, not its indexes'). */
export function alarmOnTableThrottling(table: dynamodb.Table): cloudwatch.Alarm {
  const events = (metricName: string) => table.metric(metricName, { period: FIVE_MINUTES, statistic: 'Sum' });
  return new cloudwatch.Alarm(table, 'ThrottlingAlarm', {
    alarmDescription: 'DynamoDB throttled this table\'s reads or writes for 10 minutes (on-demand: a hot partition, or traffic ' +
      'beyond twice its previous peak). Requests fail once the SDK\'s retries run out; find the hot key in CloudWatch Contributor Insights.',
    metric: new cloudwatch.MathExpression({
      label: 'Throttled read and write events',
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: { reads: events('ReadThrottleEvents'), writes: events('WriteThrottleEvents') },
      period: FIVE_MINUTES,
    }),
    threshold: ALARM_THRESHOLDS.tableThrottleEvents,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
