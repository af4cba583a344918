/**
 * Lambda entry: the EventBridge schedule `cron(0 0 1 * ? *)` (00:00 UTC on the 1st). An incomplete
 * run throws, so the invocation is retried (and lands in the DLQ with an alarm once retries are
 * spent); every retry resumes where the last run stopped.
 */
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { dynamoDocumentClient, lambdaWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { observability } from '../../shared/powertools';
import { createMonthlyReset, type ResetReport } from './monthly-reset';

const aws = lambdaWiring();
const monthlyReset = createMonthlyReset({ db: dynamoDocumentClient(aws), tableName: requireEnv('RELAY_TABLE'), clock: aws.clock });

export class ResetIncompleteError extends Error {
  override readonly name = 'ResetIncompleteError';
}

export const handler = middy(async (_event: ScheduledEvent, context: Context): Promise<ResetReport> => {
  const report = await monthlyReset({ deadlineMs: () => context.getRemainingTimeInMillis() });
  if (!report.complete) {
    throw new ResetIncompleteError(`monthly reset stopped before the timeout after deleting ${report.deleted} old counts; the retry resumes`);
  }
  return report;
}).use(observability());
