/**
 * The health check's composition: its queue (SQS in AWS; whatever local mode and the test bed pass)
 * and the consumer with its clients, created once per function.
 */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { ConfigurationError } from '../../shared/env';
import { logger } from '../../shared/logger';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { customerSessionsFor } from '../customer-account/sessions';
import type { RelayConfig } from '../relay-config';
import { ByocConfigStore } from '../store/config-store';
import { DomainStore } from '../store/domain-store';
import { HealthStore } from '../store/health-store';
import type { WebhookOutbox } from '../webhooks/outbox';
import { createHealthConsumer, createHealthScheduler, type HealthQueue } from './health-run';

/** Per-attempt timeout of the check's STS and SES calls: control-plane answers take well under a second. */
const HEALTH_ATTEMPT_TIMEOUT_MS = 3_000;

/** Control-plane pacing of the check per account and region: 0.8 requests per second, one at a time. */
export const HEALTH_PACING = { controlPlaneRate: 0.8, controlPlaneBurst: 1 } as const;

/** The given queue (local mode, tests), else SQS at `healthQueueUrl`; without either, using it is a deployment bug. */
export function healthQueueFor(config: RelayConfig, aws: AwsWiring, given?: HealthQueue): HealthQueue {
  if (given) return given;
  if (!config.healthQueueUrl) {
    return { enqueue: () => Promise.reject(new ConfigurationError('environment variable HEALTH_QUEUE_URL is not set')) };
  }
  const queueUrl = config.healthQueueUrl;
  // The SQS client (~25 KB of bundle) loads on the first enqueue: the send function enqueues only
  // after a send failed the way the health check detects, so its cold start never pays for it.
  // `require`, not `import()`: bundled as a CommonJS chunk of its own beside index.js (see mime.ts).
  let queue: HealthQueue | undefined;
  return {
    enqueue: (messages) => {
      queue ??= (require('./sqs-health-queue') as typeof import('./sqs-health-queue')).sqsHealthQueue(aws, queueUrl);
      return queue.enqueue(messages);
    },
  };
}

export function createHealthChecker(config: RelayConfig, aws: AwsWiring, ports: { outbox: WebhookOutbox; budgetMs?: number; concurrency?: number }) {
  const db = dynamoDocumentClient(aws);
  const sessions = customerSessionsFor(aws, HEALTH_ATTEMPT_TIMEOUT_MS);
  return createHealthConsumer({
    configs: new ByocConfigStore(db, config.relayTable),
    domains: new DomainStore(db, config.relayTable),
    health: new HealthStore(db, config.relayTable),
    // One pacer for every tenant this container checks (onboarding's): each account's control calls
    // one at a time (burst 1) and a little under SES's 1/s, so network jitter never lands two of
    // them within one second at SES: a check is not in a hurry.
    accounts: new AssumedRoleAccounts(sessions, { clock: aws.clock, attemptTimeoutMs: HEALTH_ATTEMPT_TIMEOUT_MS, ...HEALTH_PACING, ...(config.controlPlaneRate ? { controlPlaneRate: Math.min(config.controlPlaneRate, HEALTH_PACING.controlPlaneRate) } : {}) }),
    outbox: ports.outbox,
    relayAccountId: config.relayAccountId,
    clock: aws.clock,
    budgetMs: ports.budgetMs,
    concurrency: ports.concurrency,
    log: logger.child({ component: 'account-health' }),
  });
}

export function createHealthSchedule(config: RelayConfig, aws: AwsWiring, queue: HealthQueue) {
  return createHealthScheduler({ health: new HealthStore(dynamoDocumentClient(aws), config.relayTable), queue, log: logger.child({ component: 'account-health' }) });
}
