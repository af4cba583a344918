/**
 * An EventBridge → Lambda target that never loses an event silently. Two failure points, one DLQ:
 * - delivery (EventBridge cannot invoke the function): the target's retry policy, then the DLQ;
 * - execution (the function throws): Lambda's async retries, then the same DLQ (on-failure destination).
 */
import type { Duration } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { DeadLetterQueue } from './dead-letter-queue';
import type { ServiceFunction } from './service-function';

export interface AsyncLambdaTargetProps {
  /** EventBridge delivery retries (0–185). */
  readonly retryAttempts: number;
  /** How long EventBridge keeps retrying delivery (up to 24 h). */
  readonly maxEventAge: Duration;
  /** Lambda's own retries after the function throws (0–2). */
  readonly functionRetryAttempts: number;
  /** How long Lambda keeps an async event before dead-lettering it (up to 6 h). */
  readonly functionMaxEventAge: Duration;
}

export function asyncLambdaTarget(fn: ServiceFunction, deadLetters: DeadLetterQueue, props: AsyncLambdaTargetProps): targets.LambdaFunction {
  fn.configureAsyncInvoke({
    retryAttempts: props.functionRetryAttempts,
    maxEventAge: props.functionMaxEventAge,
    onFailure: new SqsDestination(deadLetters.queue),
  });
  return new targets.LambdaFunction(fn, {
    deadLetterQueue: deadLetters.queue,
    retryAttempts: props.retryAttempts,
    maxEventAge: props.maxEventAge,
  });
}
