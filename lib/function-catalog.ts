/**
 * Every Lambda function of both stacks, declared once: entry file, exported handler, the exact
 * DynamoDB actions it may use, its extra environment and whether it may assume customer roles.
 * The constructs build functions from this table (`ServiceFunction.fromCatalog`) and the
 * least-privilege tests read the same table, so a permission cannot be widened in one place only.
 */
import * as path from 'path';
import { GSI1 } from '../lambdas/relay/store/relay-table';

/** Repository root: entries below are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

export type DynamoDbAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchWriteItem';

export interface TableAccess {
  /** Environment variable that carries the table name. */
  readonly envVar: 'TENANTS_TABLE' | 'RELAY_TABLE';
  /** Exactly these actions on the table, nothing more. */
  readonly actions: readonly DynamoDbAction[];
  /** Indexes the read actions (Query) also apply to. */
  readonly indexes?: readonly string[];
}

export interface FunctionSpec {
  readonly stack: 'platform' | 'relay';
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** Name of the exported handler in the entry file. */
  readonly handler: string;
  readonly description: string;
  /** None for a function that touches no table (the dashboard). */
  readonly table?: TableAccess;
  /** Environment variables besides the table's, supplied by the construct that creates the function. */
  readonly environment: readonly string[];
  /** `sts:AssumeRole` on `arn:aws:iam::*:role/SendFleet-BYOC-Role` (relay only). */
  readonly assumesByocRole: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  /** `api`: behind API Gateway, answers its own failures; `event`: invoked asynchronously, retried, dead-lettered (alarm thresholds differ). */
  readonly invocation: 'api' | 'event';
  /**
   * Modules the entry loads with a literal `require('./<name>')` on first use, shipped as their own
   * `<name>.js` beside index.js so a cold start does not parse them (name → entry file).
   */
  readonly lazyModules?: Readonly<Record<string, string>>;
}

export const FUNCTIONS = {
  adminApi: {
    stack: 'platform',
    entry: 'lambdas/platform/admin-api/handler.ts',
    handler: 'handler',
    description: 'SendFleet admin API: tenants, plans and API keys; publishes tenant snapshots',
    // What the tenant store calls: Put (create), Update (change), Query (snapshot), Scan (the
    // paged tenant list: profiles only, filtered); its transactions (key issue/rotate/revoke) are
    // Updates and a Put, which need exactly those per-item actions.
    table: {
      envVar: 'TENANTS_TABLE',
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan'],
    },
    environment: ['EVENT_BUS_NAME'],
    assumesByocRole: false,
    timeoutSeconds: 10,
    invocation: 'api',
  },
  customerKeys: {
    stack: 'platform',
    entry: 'lambdas/platform/customer-keys/handler.ts',
    handler: 'handler',
    description: 'SendFleet customer keys: lists, issues and revokes a tenant\'s API keys for the relay\'s self-service keys API; publishes tenant snapshots',
    // The tenant store's snapshot (Query) and its key transactions (Updates and a Put); no tenant list (Scan).
    table: { envVar: 'TENANTS_TABLE', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
    environment: ['EVENT_BUS_NAME'],
    assumesByocRole: false,
    timeoutSeconds: 10,
    // Invoked synchronously by the relay's keys function, which answers the customer.
    invocation: 'api',
  },
  tenantSync: {
    stack: 'relay',
    entry: 'lambdas/relay/tenant-sync/handler.ts',
    handler: 'handler',
    description: 'SendFleet tenant sync: applies tenant snapshots from the platform account',
    // Put (versioned projection items); Query + Delete: a deleted tenant's partition is emptied.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'] },
    environment: [],
    assumesByocRole: false,
    timeoutSeconds: 30,
    invocation: 'event',
  },
  onboarding: {
    stack: 'relay',
    entry: 'lambdas/relay/onboarding/handler.ts',
    handler: 'handler',
    description: 'SendFleet BYOC onboarding API: config, validation, domains',
    // The domain cap's transactions (record + slot; a slot given back only if no record) need ConditionCheckItem.
    table: {
      envVar: 'RELAY_TABLE',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
    },
    environment: ['RELAY_ACCOUNT_ID', 'PLATFORM_ACCOUNT_ID', 'REGISTRATION_TOPIC_ARN', 'CUSTOMER_TEMPLATE_URL', 'REGISTRATION_REGIONS', 'HEALTH_QUEUE_URL', 'DELIVERY_EVENTS_BUS_ARN'],
    assumesByocRole: true,
    timeoutSeconds: 28,
    invocation: 'api',
  },
  registration: {
    stack: 'relay',
    entry: 'lambdas/relay/registration/handler.ts',
    handler: 'handler',
    description: 'SendFleet stack registration: answers the SendFleet-BYOC stack\'s custom resource (SNS), validates the role',
    // The ExternalId index and the config (Get), saveValidation/markDisconnected (Update),
    // the index's own writes in the config's transactions (Put, Delete, ConditionCheck).
    table: {
      envVar: 'RELAY_TABLE',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    },
    environment: ['RELAY_ACCOUNT_ID', 'PLATFORM_ACCOUNT_ID'],
    assumesByocRole: true,
    // The validation waits out IAM propagation (40 s, register-stack.ts) plus its AWS calls
    // (3 s attempts); the answer's PUT has 10 s: 90 s leaves a margin of about half a minute.
    timeoutSeconds: 90,
    invocation: 'event',
  },
  templatePublisher: {
    stack: 'relay',
    entry: 'lambdas/relay/template-publisher/handler.ts',
    handler: 'handler',
    description: 'SendFleet customer template publisher: writes the BYOC template to its public key while the relay stack deploys',
    // No table; s3:PutObject on the one template key, granted by CustomerTemplateHosting.
    environment: [],
    assumesByocRole: false,
    timeoutSeconds: 30,
    invocation: 'event',
  },
  send: {
    stack: 'relay',
    entry: 'lambdas/relay/send/handler.ts',
    handler: 'handler',
    description: 'SendFleet send: one email through the tenant\'s own SES',
    // Query: the send context lists the tenant's domains (DomainStore.list) on a cache miss.
    table: {
      envVar: 'RELAY_TABLE',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    },
    // The handler refuses to start without it (refuses role ARNs in the relay's own account); the
    // health queue takes re-check requests of sends that failed the way the health check detects.
    environment: ['RELAY_ACCOUNT_ID', 'HEALTH_QUEUE_URL'],
    assumesByocRole: true,
    // API Gateway gives up after 29 s: answer before it does.
    timeoutSeconds: 28,
    invocation: 'api',
    // The MIME builder (nodemailer, ~140 KB): only messages with headers or attachments need it.
    // The health queue's SQS client (~25 KB): only a send that failed the way the health check
    // detects asks for a re-check.
    lazyModules: { mime: 'lambdas/relay/send/message/mime.ts', 'sqs-health-queue': 'lambdas/relay/health/sqs-health-queue.ts' },
  },
  webhooks: {
    stack: 'relay',
    entry: 'lambdas/relay/webhooks/handler.ts',
    handler: 'handler',
    description: 'SendFleet webhook endpoint API: PUT/GET/DELETE /api/webhooks',
    // GetItem: the API key (authenticator) and the endpoint; UpdateItem: create or update in one
    // write (the secret kept); DeleteItem: delete.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
    // relayConfigFromEnv reads it (the webhook API itself does not use it).
    environment: ['RELAY_ACCOUNT_ID'],
    assumesByocRole: false,
    // A DNS lookup of the URL and two DynamoDB calls.
    timeoutSeconds: 10,
    invocation: 'api',
  },
  keys: {
    stack: 'relay',
    entry: 'lambdas/relay/keys/handler.ts',
    handler: 'handler',
    description: 'SendFleet self-service API keys: GET/POST /api/keys, DELETE /api/keys/{id}, through the platform\'s customer-keys function',
    // GetItem: the API key (authenticator); PutItem: the answered snapshot applied to the projection
    // (versioned puts, as the tenant sync); Query: the tenant's domains a sending key may be limited to.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'] },
    // lambda:InvokeFunction on that one ARN, granted by CustomerApi.
    environment: ['RELAY_ACCOUNT_ID', 'CUSTOMER_KEYS_FUNCTION_ARN'],
    assumesByocRole: false,
    // Three DynamoDB calls and one invoke of the platform function (at most 10 s, lambda-key-registry.ts).
    timeoutSeconds: 20,
    invocation: 'api',
  },
  webhookDelivery: {
    stack: 'relay',
    entry: 'lambdas/relay/webhooks/delivery-handler.ts',
    handler: 'handler',
    description: 'SendFleet webhook delivery: POSTs queued notifications to customers\' endpoints, signed, on the retry schedule',
    // GetItem: the tenant's endpoint (URL, events, signing secret) at each attempt.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem'] },
    // Retries change the visibility of the message being delivered (sqs:ChangeMessageVisibility, granted by WebhookDelivery).
    environment: ['WEBHOOK_QUEUE_URL'],
    assumesByocRole: false,
    // A batch of up to 10 attempts in parallel, each at most 10 s (webhooks/schedule.ts) after its DNS lookup.
    timeoutSeconds: 60,
    invocation: 'event',
  },
  deliveryEvents: {
    stack: 'relay',
    entry: 'lambdas/relay/delivery-events/handler.ts',
    handler: 'handler',
    description: 'SendFleet delivery events: records SES events forwarded from customer accounts (timelines, daily counts)',
    // Get: the account's event source; the timeline and the day's count are two Updates in one transaction.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    environment: ['RELAY_ACCOUNT_ID', 'WEBHOOK_QUEUE_URL'],
    assumesByocRole: false,
    timeoutSeconds: 30,
    invocation: 'event',
  },
  messages: {
    stack: 'relay',
    entry: 'lambdas/relay/messages/handler.ts',
    handler: 'handler',
    description: 'SendFleet message status: a message\'s delivery timeline (GET /api/messages/{id}, Resend\'s GET /emails/{id})',
    // Get only: the API key and tenant projection (authentication) and the message's timeline.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem'] },
    environment: ['RELAY_ACCOUNT_ID'],
    assumesByocRole: false,
    timeoutSeconds: 10,
    invocation: 'api',
  },
  dashboard: {
    stack: 'relay',
    entry: 'lambdas/relay/dashboard/handler.ts',
    handler: 'handler',
    description: 'SendFleet customer dashboard: serves its static files (built at synth into the bundle)',
    // Static files only: no table, no AWS call, nothing to assume.
    environment: [],
    assumesByocRole: false,
    timeoutSeconds: 5,
    invocation: 'api',
  },
  monthlyReset: {
    stack: 'relay',
    entry: 'lambdas/relay/monthly-reset/handler.ts',
    handler: 'handler',
    description: 'SendFleet monthly reset: pages through usage counters on the 1st of the month',
    table: {
      envVar: 'RELAY_TABLE',
      // Queries GSI1 for old months' usage items and deletes them in batches.
      actions: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
      indexes: [GSI1.name],
    },
    environment: [],
    assumesByocRole: false,
    timeoutSeconds: 15 * 60,
    invocation: 'event',
  },
  healthScheduler: {
    stack: 'relay',
    entry: 'lambdas/relay/health/schedule-handler.ts',
    handler: 'handler',
    description: 'SendFleet account health schedule: lists BYOC tenants from the index and queues their checks',
    // Pages through GSI1's BYOC shards (keys only); checks nothing itself.
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:Query'], indexes: [GSI1.name] },
    environment: ['RELAY_ACCOUNT_ID', 'HEALTH_QUEUE_URL'],
    assumesByocRole: false,
    timeoutSeconds: 5 * 60,
    invocation: 'event',
  },
  healthCheck: {
    stack: 'relay',
    entry: 'lambdas/relay/health/check-handler.ts',
    handler: 'handler',
    description: 'SendFleet account health check: re-runs validation and reads domain statuses in customer accounts (health queue)',
    // Config, domains and health item (Get, Query), the health record, domain statuses and the role's verdict (Update).
    table: { envVar: 'RELAY_TABLE', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] },
    environment: ['RELAY_ACCOUNT_ID', 'WEBHOOK_QUEUE_URL'],
    assumesByocRole: true,
    // Ten tenants at once, each within its 120 s budget (check-tenant.ts), and the writes after it.
    timeoutSeconds: 3 * 60,
    invocation: 'event',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

export function entryPath(spec: FunctionSpec): string {
  return path.join(PROJECT_ROOT, spec.entry);
}
