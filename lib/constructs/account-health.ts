/**
 * Continuous account health (lambdas/relay/health/): an EventBridge schedule (every 6 hours by
 * default) invokes the scheduler, which lists BYOC tenants from the table's index and queues them ten
 * per message; the consumer checks them from the queue at a bounded concurrency, so 10,000 tenants
 * spread over about an hour instead of one function looping over all of them. The queue's failures
 * go to a dead-letter queue, the scheduler's to its own; both alarm on depth. An operator metric
 * counts tenants checked per health state, and an alarm fires on a sudden rise of tenants turning
 * failing: customers drift one by one, a relay-side fault (STS, a bad deploy) turns many at once.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { WebhookDelivery } from './webhook-delivery';
import { Construct } from 'constructs';
import { SERVICE_NAMESPACE } from '../../lambdas/shared/metric-dimensions';
import { FUNCTIONS } from '../function-catalog';
import { stageOf } from '../stage';
import { asyncLambdaTarget } from './async-lambda-target';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

/** The defaults; `AccountHealthProps` overrides them. */
export const ACCOUNT_HEALTH = {
  interval: Duration.hours(6),
  /** Consumer instances at once (SQS event source maximum concurrency; 2 is SQS's minimum). */
  maxConcurrency: 2,
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: 3,
  /** Tenants turning failing within an hour that page an operator. */
  failingRiseThreshold: 25,
} as const;

export interface AccountHealthProps {
  readonly table: dynamodb.ITable;
  readonly removalPolicy: RemovalPolicy;
  /** Where health transitions go (the tenant's webhook endpoint). */
  readonly webhooks: WebhookDelivery;
  /** How often every BYOC tenant is checked. @default 6 hours */
  readonly interval?: Duration;
  readonly maxConcurrency?: number;
  readonly failingRiseThreshold?: number;
}

export class AccountHealth extends Construct {
  /** Check requests: the scheduler's, the manual check's (onboarding) and failing sends'. */
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly scheduleDeadLetters: DeadLetterQueue;
  readonly schedulerFunction: ServiceFunction;
  readonly checkFunction: ServiceFunction;
  readonly schedule: events.Rule;
  /** Tenants turning failing per hour above the threshold. */
  readonly failingRiseAlarm: cloudwatch.Alarm;
  /** The oldest queued check older than the interval: the checks do not keep up with the schedule. */
  readonly backlogAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AccountHealthProps) {
    super(scope, id);
    const relayAccountId = Stack.of(this).account;
    this.deadLetters = new DeadLetterQueue(this, 'CheckDeadLetters', {
      purpose: 'account health checks that failed on the relay\'s side after retries (the tenants are checked again at the next scheduled run)',
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout, as AWS advises for a Lambda event source.
      visibilityTimeout: Duration.seconds(FUNCTIONS.healthCheck.timeoutSeconds * 6),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: ACCOUNT_HEALTH.maxReceiveCount },
    });

    this.checkFunction = ServiceFunction.fromCatalog(this, 'Check', 'healthCheck', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId, ...props.webhooks.producerEnvironment },
      removalPolicy: props.removalPolicy,
    });
    props.webhooks.grantEnqueue(this.checkFunction);
    this.checkFunction.addEventSource(new SqsEventSource(this.queue, {
      batchSize: 1,
      maxConcurrency: props.maxConcurrency ?? ACCOUNT_HEALTH.maxConcurrency,
      reportBatchItemFailures: true,
    }));

    this.schedulerFunction = ServiceFunction.fromCatalog(this, 'Scheduler', 'healthScheduler', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId, HEALTH_QUEUE_URL: this.queue.queueUrl },
      removalPolicy: props.removalPolicy,
    });
    this.queue.grantSendMessages(this.schedulerFunction);
    this.scheduleDeadLetters = new DeadLetterQueue(this, 'ScheduleDeadLetters', {
      purpose: 'account health schedule runs that failed after retries (invoke the scheduler again once fixed; a repeat only checks early)',
    });
    const interval = props.interval ?? ACCOUNT_HEALTH.interval;
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `SendFleet account health check of every BYOC tenant, every ${interval.toHumanString()}`,
      schedule: events.Schedule.rate(interval),
      targets: [asyncLambdaTarget(this.schedulerFunction, this.scheduleDeadLetters, {
        retryAttempts: 10,
        maxEventAge: Duration.hours(1),
        functionRetryAttempts: 2,
        functionMaxEventAge: Duration.hours(1),
      })],
    });

    this.backlogAlarm = new cloudwatch.Alarm(this, 'BacklogAlarm', {
      alarmDescription: `A queued account health check has waited longer than the schedule's interval (${interval.toHumanString()}): the consumer does not keep up (raise maxConcurrency) or is failing (see its Errors alarm).`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: interval.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const threshold = props.failingRiseThreshold ?? ACCOUNT_HEALTH.failingRiseThreshold;
    this.failingRiseAlarm = new cloudwatch.Alarm(this, 'FailingRiseAlarm', {
      alarmDescription: `${threshold} or more BYOC tenants turned failing within an hour (account health). Customers drift one at a time; many at once points at the relay (STS, a deploy, the relay account's IAM). Check the healthCheck function's logs (tenant health checked, state) and GET /api/byoc/health of a few tenants.`,
      metric: this.metric('HealthTransitionsToFailing', {}, Duration.hours(1)),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Tenants checked per health state (`healthy`, `failing`, `unknown`), summed over `period`: the operator's view. */
  tenantsByState(state: 'healthy' | 'failing' | 'unknown', period = Duration.hours(6)): cloudwatch.Metric {
    return this.metric('TenantHealthChecked', { state }, period);
  }

  private metric(metricName: string, dimensions: Record<string, string>, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SERVICE_NAMESPACE, metricName, statistic: 'Sum', period,
      dimensionsMap: { service: 'healthCheck', stage: stageOf(this), ...dimensions },
    });
  }
}
