/**
 * The whole system on one machine, without an AWS account: DynamoDB Local, the customer-account
 * simulator (STS + SES), the platform admin API and the relay customer API on localhost, and tenant
 * events delivered in-process with the envelope EventBridge delivers. The handlers are built by the
 * Lambda handler modules' own factories, from an explicit configuration and wiring (tables, endpoints
 * of DynamoDB Local and the simulator, the clock): two systems in one process share nothing.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { dateOf, systemClock, type Clock } from '../lambdas/shared/clock';
import type { AwsWiring } from '../lambdas/shared/clients';
import type { RelayConfig } from '../lambdas/relay/relay-config';
import { adminRoutes } from '../lambdas/platform/api-routes';
import { RESEND_RESOURCES, dashboardRoutes, keyRoutes, messageRoutes, onboardingRoutes, sendRoutes, webhookRoutes } from '../lambdas/relay/api-routes';
import type { LocalWebhookOutbox } from '../lambdas/relay/webhooks/local-outbox';
import type { AddressResolver } from '../lambdas/relay/webhooks/url-guard';
import { trackedOn } from './virtual-clock';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshot, type TenantSnapshotEvent } from '../lambdas/shared/tenant-events';
import type { SesEventEnvelope } from '../lambdas/shared/ses-events';
import { createSimulator, type SimulatorOptions } from '../sim/simulator';
import { startDynamoDbLocal } from './dynamodb-local';
import { PortInUseError } from './ports';
import { close, lambdaContext, listen, serveHandlers, type ProxyHandler } from './http-adapter';
import { LOCAL_ACCOUNTS, LOCAL_CUSTOMER_ACCOUNT, LOCAL_DELIVERY_EVENTS_BUS_ARN, LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS, LOCAL_REGISTRATION_TOPIC_NAME, LOCAL_TABLE_PREFIX, LOCAL_TEMPLATE_OBJECT, RELAY_LOCAL_CREDENTIALS, tableNames } from './local-identity';
import { createTables } from './tables';
import type { WebhookNotification, WebhookOutbox } from '../lambdas/relay/webhooks/outbox';
import type { HealthQueue, ScheduleReport } from '../lambdas/relay/health/health-run';

export { LOCAL_ACCOUNTS };


export interface LocalSystemOptions {
  relayPort?: number;
  platformPort?: number;
  simPort?: number;
  /** Start DynamoDB Local on this port; ignored when `dynamoEndpoint` is given. */
  dynamoPort?: number;
  /** Use an already running DynamoDB Local (tests share one). */
  dynamoEndpoint?: string;
  /** Table names; unique per test file when several systems share one DynamoDB Local. */
  tablePrefix?: string;
  simLatencyMs?: number;
  /** Simulator behaviour beyond the defaults (rate enforcement, clock, bursts); the accounts, key and CloudFormation wiring are local mode's. */
  simulatorOptions?: Omit<SimulatorOptions, 'relayAccountId' | 'relayAccessKeyId' | 'latencyMs' | 'cloudFormation'>;
  /** Creates `npm start`'s customer account (LOCAL_CUSTOMER_ACCOUNT, production access everywhere), so the one-click path works at once. */
  customerAccount?: boolean;
  region?: string;
  /** Relay settings beyond local mode's (cache bounds, control-plane rate, propagation window). */
  relaySettings?: Partial<RelayConfig>;
  /**
   * The one clock of the relay's handlers and the simulator (default: the system clock). The test
   * bed passes a virtual clock (local/virtual-clock.ts) and advances it.
   */
  clock?: Clock;
  /** The webhook URL guard's resolver (default: the system's); tests make names resolve where they need. */
  webhookResolver?: AddressResolver;
}

/** The account health check in-process: its queue delivers to the consumer at once, as SQS invokes it. */
export interface LocalHealth {
  /** What the EventBridge schedule does every 6 hours: enqueue every BYOC tenant. */
  runSchedule(): Promise<ScheduleReport>;
  /** Resolves once every queued check has ended. */
  drain(): Promise<void>;
  /** Transitions handed to the webhook outbox, in order (what a test reads; the outbox still delivers them). */
  notifications: Array<{ tenantId: string; notification: WebhookNotification }>;
}

export interface LocalSystem {
  relayUrl: string;
  /** The customer dashboard, served by the relay at `/`. */
  dashboardUrl: string;
  platformUrl: string;
  simUrl: string;
  dynamoEndpoint: string;
  tables: { tenants: string; relay: string };
  simulator: ReturnType<typeof createSimulator>;
  clock: Clock;
  /** Where this system's AWS clients point (benchmarks build their own clients from it). */
  aws: AwsWiring;
  /** The relay's send handler, for benchmarks that invoke it in-process. */
  sendHandler: ProxyHandler;
  health: LocalHealth;
  /** The relay's webhook outbox (in-process, on the clock): what delivery events are handed to. */
  webhookOutbox: LocalWebhookOutbox;
  /**
   * Delivers an SES event envelope to the relay's delivery-events function in-process, as the
   * customer's forwarding rule and the relay's bus rule would (the simulator's EventBridge calls it).
   */
  deliverSesEvent(envelope: SesEventEnvelope | Record<string, unknown>): Promise<void>;
  /**
   * Tenant snapshot events are delivered before the platform answers; `hold()` keeps them back
   * until `release()`, as EventBridge's asynchronous delivery may (tests of what the relay does
   * before the event arrives).
   */
  tenantEvents: { hold(): void; release(): Promise<void> };
  stop(): Promise<void>;
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  // Whatever has started is stopped again if a later step fails: a failed start leaves no process
  // (no DynamoDB Local JVM) and no listener behind.
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const stops = started.splice(0).reverse();
    for (const stop of stops) await stop().catch(() => undefined);
  };
  try {
    return await start(options, started, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function start(options: LocalSystemOptions, started: Array<() => Promise<void>>, stopAll: () => Promise<void>): Promise<LocalSystem> {
  const region = options.region ?? 'us-east-1';
  const clock = options.clock ?? systemClock;
  let dynamoEndpoint = options.dynamoEndpoint;
  if (dynamoEndpoint === undefined) {
    const dynamo = await startDynamoDbLocal({ port: options.dynamoPort, portVariable: 'DYNAMODB_PORT' });
    started.push(() => dynamo.stop());
    dynamoEndpoint = dynamo.endpoint;
  }
  const tables = tableNames(options.tablePrefix ?? LOCAL_TABLE_PREFIX);

  // The simulator's CloudFormation delivers the registration topic's messages to the relay's
  // registration handler, as SNS invokes the Lambda subscriber; it exists once the relay's wiring does.
  let registrationHandler: ((event: SNSEvent) => Promise<void>) | undefined;
  // Its EventBridge forwards SES events from a customer's rule to the relay's delivery-events bus:
  // delivered to the relay's delivery-events handler, as the bus's rule invokes the function.
  let deliveryEventsBus: { arn: string | undefined; deliver: (envelope: SesEventEnvelope) => Promise<void> } | undefined;
  let dashboardUrl: string | undefined;
  const simulator = createSimulator({
    ...options.simulatorOptions,
    relayAccountId: LOCAL_ACCOUNTS.relay,
    relayAccessKeyId: RELAY_LOCAL_CREDENTIALS.accessKeyId,
    latencyMs: options.simLatencyMs ?? 0,
    clock,
    cloudFormation: {
      deliver: async (topicArn, event) => {
        if (registrationHandler && isRegistrationTopic(topicArn)) await registrationHandler(event);
      },
      returnUrl: () => (dashboardUrl === undefined ? undefined : `${dashboardUrl}#/settings`),
    },
    eventBridge: {
      deliver: async (targetArn, envelope) => {
        if (deliveryEventsBus && targetArn === deliveryEventsBus.arn) await deliveryEventsBus.deliver(envelope);
      },
    },
  });
  const simUrl = await listenNamed('SIM_PORT', options.simPort ?? 0, (port) => simulator.listen(port));
  started.push(() => simulator.close());

  const aws: AwsWiring = {
    clock,
    region,
    credentials: RELAY_LOCAL_CREDENTIALS,
    endpoints: { dynamodb: dynamoEndpoint, sts: simUrl, ses: simUrl },
    // DynamoDB Local is a JVM on this machine: under load (a CI runner, a full test run on 2 cores)
    // an answer can take seconds. AWS's 3 s bound would turn that into failures AWS would not have.
    dynamoRequestTimeoutMs: LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS,
  };
  const relayConfig: RelayConfig = {
    relayTable: tables.relay,
    relayAccountId: LOCAL_ACCOUNTS.relay,
    platformAccountId: LOCAL_ACCOUNTS.platform,
    // the one-click path, served by the simulator: its S3 holds the template, its console page takes the link
    registrationTopicArn: `arn:aws:sns:${region}:${LOCAL_ACCOUNTS.relay}:${LOCAL_REGISTRATION_TOPIC_NAME}`,
    customerTemplateUrl: `${simUrl}/_sim/s3/${LOCAL_TEMPLATE_OBJECT.bucket}/${LOCAL_TEMPLATE_OBJECT.key}`,
    quickCreateBaseUrl: `${simUrl}/_sim/cloudformation/quickcreate`,
    registrationResponseUrlPrefix: `${simUrl}/_sim/cloudformation/responses/`,
    // webhooks to a receiver on this machine (http://127.0.0.1:<port>)
    webhookLoopbackHttp: true,
    // the customer stack's configuration set forwards SES events to this bus (the simulator's EventBridge delivers them in-process)
    deliveryEventsBusArn: LOCAL_DELIVERY_EVENTS_BUS_ARN,
    ...options.relaySettings,
  };
  const { customerStackTemplate } = await import('../lambdas/relay/byoc/customer-template');
  simulator.putObject(LOCAL_TEMPLATE_OBJECT.bucket, LOCAL_TEMPLATE_OBJECT.key,
    JSON.stringify(customerStackTemplate({ relayAccountId: relayConfig.relayAccountId, registrationTopicArn: relayConfig.registrationTopicArn, deliveryEventsBusArn: relayConfig.deliveryEventsBusArn }), null, 2));
  /** The topic in any region: the template names the relay's topic of the stack's own region (CloudFormation requires it). */
  const topicName = relayConfig.registrationTopicArn?.split(':')[5];
  const isRegistrationTopic = (topicArn: string): boolean => {
    const [, , service, , account, name] = topicArn.split(':');
    return service === 'sns' && account === relayConfig.relayAccountId && name === topicName;
  };
  if (options.customerAccount) {
    const { SES_REGIONS } = await import('../lambdas/relay/byoc/role-arn');
    simulator.createAccount({ account_id: LOCAL_CUSTOMER_ACCOUNT, regions: Object.fromEntries(SES_REGIONS.map((r) => [r, { max_24_hour_send: 50_000 }])) });
  }

  const ddb = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials: RELAY_LOCAL_CREDENTIALS });
  await createTables(ddb, tables);
  ddb.destroy();

  const { createTenantSyncHandler } = await import('../lambdas/relay/tenant-sync/tenant-sync-function');
  const { createOnboardingHandler } = await import('../lambdas/relay/onboarding/onboarding-function');
  const { createSendHandler } = await import('../lambdas/relay/send/send-function');
  const { createAdminApi } = await import('../lambdas/platform/admin-api/admin-api');
  const { TenantService } = await import('../lambdas/platform/tenants/tenant-service');
  const { TenantStore } = await import('../lambdas/platform/tenants/tenant-store');
  const { dynamoDocumentClient } = await import('../lambdas/shared/clients');
  const { createDashboardHandler } = await import('../lambdas/relay/dashboard/static-site');
  const { buildDashboard } = await import('../dashboard/build');
  const { buildApiReference } = await import('../openapi/site');
  const { createWebhooksHandler } = await import('../lambdas/relay/webhooks/webhooks-function');
  const { createLocalWebhookOutbox } = await import('../lambdas/relay/webhooks/local-outbox');
  const { createWebhookDelivery } = await import('../lambdas/relay/webhooks/delivery');
  const { WebhookStore } = await import('../lambdas/relay/store/webhook-store');
  const { nodeWebhookTransport } = await import('../lambdas/relay/webhooks/transport');
  const { systemResolver } = await import('../lambdas/relay/webhooks/url-guard');
  const { logger } = await import('../lambdas/shared/logger');

  /** Snapshots kept back while a test holds tenant events (LocalSystem.tenantEvents). */
  let heldEvents: TenantSnapshot[] | undefined;
  const tenantEvents = {
    hold: () => { heldEvents ??= []; },
    release: async () => {
      const held = heldEvents ?? [];
      heldEvents = undefined;
      for (const snapshot of held) await deliverInProcess(snapshot);
    },
  };
  /** What EventBridge would deliver to the relay's sync function, delivered at once. */
  const deliverInProcess = async (snapshot: TenantSnapshot) => {
    if (heldEvents) return void heldEvents.push(snapshot);
    const event: TenantSnapshotEvent & Record<string, unknown> = {
      version: '0', id: randomUUID(), 'detail-type': TENANT_SNAPSHOT_DETAIL_TYPE, source: TENANT_EVENT_SOURCE,
      account: LOCAL_ACCOUNTS.platform, time: dateOf(clock).toISOString(), region, resources: [], detail: snapshot,
    };
    await syncHandler(event as never, lambdaContext(randomUUID(), 'tenant-sync'));
  };
  const syncHandler = createTenantSyncHandler(tables.relay, aws);
  const tenantService = new TenantService({
    store: new TenantStore(dynamoDocumentClient(aws), tables.tenants),
    publish: deliverInProcess,
    clock,
  });
  const adminHandler = createAdminApi(tenantService, clock);
  // The platform's customer-keys function, called in-process by the relay's keys API (in AWS: a cross-account invoke).
  const { createCustomerKeys } = await import('../lambdas/platform/customer-keys/customer-keys');
  const { inProcessKeyRegistry } = await import('../lambdas/relay/keys/key-registry');
  const { createKeysHandler } = await import('../lambdas/relay/keys/keys-function');
  const keysHandler = createKeysHandler(relayConfig, aws, inProcessKeyRegistry(createCustomerKeys(tenantService)));
  const webhookResolver = options.webhookResolver ?? systemResolver;
  const webhooksHandler = createWebhooksHandler(relayConfig, aws, webhookResolver);
  // What AWS does with an SQS queue and the delivery function, in-process on the same clock.
  const webhookStore = new WebhookStore(dynamoDocumentClient(aws), tables.relay);
  const webhookOutbox = createLocalWebhookOutbox({
    webhooks: webhookStore,
    delivery: createWebhookDelivery({
      webhooks: webhookStore, resolver: webhookResolver, transport: nodeWebhookTransport, clock, log: logger,
      urlPolicy: { allowLoopbackHttp: relayConfig.webhookLoopbackHttp === true },
    }),
    clock,
    track: (work) => trackedOn(clock, work),
  });
  started.push(async () => webhookOutbox.close());
  const health = await localHealth(relayConfig, aws, webhookOutbox);
  const sendHandler = createSendHandler(relayConfig, aws, { healthQueue: health.queue });
  const onboardingHandler = createOnboardingHandler(relayConfig, aws, { healthQueue: health.queue });
  const { createRegistrationHandler } = await import('../lambdas/relay/registration/registration-function');
  registrationHandler = createRegistrationHandler(relayConfig, aws);
  const { createMessagesHandler } = await import('../lambdas/relay/messages/messages-function');
  const { createDeliveryEventsHandler } = await import('../lambdas/relay/delivery-events/delivery-events-function');
  const deliveryEventsHandler = createDeliveryEventsHandler(relayConfig, aws, webhookOutbox);
  const deliverSesEvent = async (envelope: SesEventEnvelope | Record<string, unknown>) => {
    await trackedOn(clock, () => deliveryEventsHandler(envelope, lambdaContext(randomUUID(), 'delivery-events')));
  };
  deliveryEventsBus = { arn: relayConfig.deliveryEventsBusArn, deliver: deliverSesEvent };

  const relayServer = serveHandlers('relay', [
    { routes: Object.values(sendRoutes), handler: sendHandler as ProxyHandler },
    { routes: Object.values(onboardingRoutes), handler: onboardingHandler as ProxyHandler },
    { routes: Object.values(webhookRoutes), handler: webhooksHandler as ProxyHandler },
    { routes: Object.values(keyRoutes), handler: keysHandler as ProxyHandler },
    { routes: Object.values(messageRoutes), handler: createMessagesHandler(relayConfig, aws) as ProxyHandler },
    // Built in memory from dashboard/src and openapi/ at the first request, as the CDK stack builds them at synth.
    { routes: Object.values(dashboardRoutes), handler: createDashboardHandler(async () => [...await buildDashboard(), ...buildApiReference()]) as ProxyHandler },
  ], { clock, resendResources: RESEND_RESOURCES });
  const platformServer = serveHandlers('platform-admin', [{ routes: Object.values(adminRoutes), handler: adminHandler as ProxyHandler }], { clock });
  const relayUrl = await listenNamed('RELAY_PORT', options.relayPort ?? 0, (port) => listen(relayServer, port));
  started.push(() => close(relayServer));
  dashboardUrl = `${relayUrl}/`;
  const platformUrl = await listenNamed('PLATFORM_PORT', options.platformPort ?? 0, (port) => listen(platformServer, port));
  started.push(() => close(platformServer));

  started.push(() => health.drain());
  return { relayUrl, dashboardUrl: `${relayUrl}/`, platformUrl, simUrl, dynamoEndpoint, tables, simulator, clock, aws, sendHandler: sendHandler as ProxyHandler, health, webhookOutbox, deliverSesEvent, tenantEvents, stop: stopAll };
}

async function localHealth(config: RelayConfig, aws: AwsWiring, outbox: WebhookOutbox): Promise<LocalHealth & { queue: HealthQueue }> {
  const { createHealthChecker, createHealthSchedule } = await import('../lambdas/relay/health/health-wiring');
  const notifications: LocalHealth['notifications'] = [];
  const checkTenants = createHealthChecker(config, aws, { outbox: { enqueue: async (tenantId, notification) => { notifications.push({ tenantId, notification }); await outbox.enqueue(tenantId, notification); } } });
  const running = new Set<Promise<unknown>>();
  const queue: HealthQueue = {
    enqueue: async (messages) => {
      for (const message of messages) {
        const run = trackedOn(aws.clock, () => checkTenants(message)).catch(() => undefined).finally(() => running.delete(run));
        running.add(run);
      }
    },
  };
  const schedule = createHealthSchedule(config, aws, queue);
  return {
    queue,
    notifications,
    runSchedule: () => trackedOn(aws.clock, () => schedule()),
    drain: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

/** Listens, turning EADDRINUSE into the error that names the variable to change. */
async function listenNamed(variable: string, port: number, listenOn: (port: number) => Promise<string>): Promise<string> {
  try {
    return await listenOn(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(variable, port);
    throw error;
  }
}
