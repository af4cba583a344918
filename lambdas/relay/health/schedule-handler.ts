/**
 * Lambda entry: the account health schedule (EventBridge, every 6 hours by default). Lists the BYOC
 * tenants from the index and enqueues them; the checks themselves run in the consumer (check-handler.ts).
 * A failure throws, so the invocation is retried and then dead-lettered; a repeated run only
 * re-checks tenants early.
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { lambdaWiring } from '../../shared/clients';
import { observability } from '../../shared/powertools';
import { relayConfigFromEnv } from '../relay-config';
import type { ScheduleReport } from './health-run';
import { createHealthSchedule, healthQueueFor } from './health-wiring';

const aws = lambdaWiring();
const config = relayConfigFromEnv();
const schedule = createHealthSchedule(config, aws, healthQueueFor(config, aws));

export const handler = middy(async (_event: ScheduledEvent): Promise<ScheduleReport> => schedule()).use(observability());
