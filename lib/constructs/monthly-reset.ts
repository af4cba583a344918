/**
 * The monthly counter reset: an EventBridge schedule at 00:00 UTC on the 1st, retried, dead-lettered
 * and alarmed. Counts are keyed by month, so a late or repeated reset is harmless; a failed one
 * must still reach an operator (the Errors alarm every event-driven function gets, DLQ depth alarm).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { asyncLambdaTarget } from './async-lambda-target';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

/** `cron(0 0 1 * ? *)`: 00:00 UTC on the first day of every month. */
export const MONTHLY_RESET_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '0', day: '1', month: '*', year: '*' });

export interface MonthlyResetProps {
  readonly table: dynamodb.ITable;
  readonly removalPolicy: RemovalPolicy;
}

export class MonthlyReset extends Construct {
  readonly resetFunction: ServiceFunction;
  readonly schedule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: MonthlyResetProps) {
    super(scope, id);
    this.resetFunction = ServiceFunction.fromCatalog(this, 'Reset', 'monthlyReset', {
      table: props.table,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetters = new DeadLetterQueue(this, 'ResetDeadLetters', {
      purpose: 'monthly reset runs that failed after retries (invoke the function again once fixed; it is idempotent)',
    });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'SendFleet monthly usage reset, 00:00 UTC on the 1st',
      schedule: MONTHLY_RESET_SCHEDULE,
      targets: [asyncLambdaTarget(this.resetFunction, this.deadLetters, {
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
        functionRetryAttempts: 2,
        functionMaxEventAge: Duration.hours(6),
      })],
    });
  }
}
