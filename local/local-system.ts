/**
 * The whole system on one machine, without an AWS account: DynamoDB Local, the customer-account
 * simulator (STS + SES), the platform admin API and the relay customer API on localhost, and tenant
 * events delivered in-process with the envelope EventBridge delivers. The relay's handlers are the
 * Lambda handler modules themselves; their AWS SDK clients reach DynamoDB Local and the simulator
 * through the SDK's own endpoint variables (AWS_ENDPOINT_URL_DYNAMODB, _STS, _SES).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { adminRoutes } from '../lambdas/platform/api-routes';
import { dashboardRoutes, onboardingRoutes, sendRoutes } from '../lambdas/relay/api-routes';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshot, type TenantSnapshotEvent } from '../lambdas/shared/tenant-events';
import { createSimulator, type SimulatorOptions } from '../sim/simulator';
import { startDynamoDbLocal } from './dynamodb-local';
import { PortInUseError } from './ports';
import { close, lambdaContext, listen, serveHandlers, type ProxyHandler } from './http-adapter';
import { LOCAL_ACCOUNTS, LOCAL_TABLE_PREFIX, RELAY_LOCAL_CREDENTIALS, tableNames } from './local-identity';
import { createTables } from './tables';

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
  /** Simulator behaviour beyond the defaults (rate enforcement, clock, bursts); the accounts and key are local mode's. */
  simulatorOptions?: Omit<SimulatorOptions, 'relayAccountId' | 'relayAccessKeyId' | 'latencyMs'>;
  region?: string;
  /** Extra environment for the handlers (e.g. AUTH_CACHE_TTL_MS). */
  env?: Record<string, string>;
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
  let dynamoEndpoint = options.dynamoEndpoint;
  if (dynamoEndpoint === undefined) {
    const dynamo = await startDynamoDbLocal({ port: options.dynamoPort, portVariable: 'DYNAMODB_PORT' });
    started.push(() => dynamo.stop());
    dynamoEndpoint = dynamo.endpoint;
  }
  const tables = tableNames(options.tablePrefix ?? LOCAL_TABLE_PREFIX);

  const simulator = createSimulator({
    ...options.simulatorOptions,
    relayAccountId: LOCAL_ACCOUNTS.relay,
    relayAccessKeyId: RELAY_LOCAL_CREDENTIALS.accessKeyId,
    latencyMs: options.simLatencyMs ?? 0,
  });
  const simUrl = await listenNamed('SIM_PORT', options.simPort ?? 0, (port) => simulator.listen(port));
  started.push(() => simulator.close());

  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: RELAY_LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: RELAY_LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_STS: simUrl,
    AWS_ENDPOINT_URL_SES: simUrl,
    TENANTS_TABLE: tables.tenants,
    RELAY_TABLE: tables.relay,
    RELAY_ACCOUNT_ID: LOCAL_ACCOUNTS.relay,
    PLATFORM_ACCOUNT_ID: LOCAL_ACCOUNTS.platform,
    ...options.env,
  });
  delete process.env.AWS_PROFILE;

  const ddb = new DynamoDBClient({ endpoint: dynamoEndpoint, region });
  await createTables(ddb, tables);
  ddb.destroy();

  // Imported only now: handler modules read their environment once, at load, as in Lambda.
  const { handler: syncHandler } = await import('../lambdas/relay/tenant-sync/handler');
  const { handler: onboardingHandler } = await import('../lambdas/relay/onboarding/handler');
  const { handler: sendHandler } = await import('../lambdas/relay/send/handler');
  const { createAdminApi } = await import('../lambdas/platform/admin-api/admin-api');
  const { TenantService } = await import('../lambdas/platform/tenants/tenant-service');
  const { TenantStore } = await import('../lambdas/platform/tenants/tenant-store');
  const { dynamoDocumentClient } = await import('../lambdas/shared/clients');
  const { createDashboardHandler } = await import('../lambdas/relay/dashboard/static-site');
  const { buildDashboard } = await import('../dashboard/build');
  const { buildApiReference } = await import('../openapi/site');

  /** What EventBridge would deliver to the relay's sync function, delivered at once. */
  const deliverInProcess = async (snapshot: TenantSnapshot) => {
    const event: TenantSnapshotEvent & Record<string, unknown> = {
      version: '0', id: randomUUID(), 'detail-type': TENANT_SNAPSHOT_DETAIL_TYPE, source: TENANT_EVENT_SOURCE,
      account: LOCAL_ACCOUNTS.platform, time: new Date().toISOString(), region, resources: [], detail: snapshot,
    };
    await syncHandler(event, lambdaContext(randomUUID(), 'tenant-sync'));
  };
  const adminHandler = createAdminApi(new TenantService({
    store: new TenantStore(dynamoDocumentClient(), tables.tenants),
    publish: deliverInProcess,
  }));

  const relayServer = serveHandlers('relay', [
    { routes: Object.values(sendRoutes), handler: sendHandler as ProxyHandler },
    { routes: Object.values(onboardingRoutes), handler: onboardingHandler as ProxyHandler },
    // Built in memory from dashboard/src and openapi/ at the first request, as the CDK stack builds them at synth.
    { routes: Object.values(dashboardRoutes), handler: createDashboardHandler(async () => [...await buildDashboard(), ...buildApiReference()]) as ProxyHandler },
  ]);
  const platformServer = serveHandlers('platform-admin', [{ routes: Object.values(adminRoutes), handler: adminHandler as ProxyHandler }]);
  const relayUrl = await listenNamed('RELAY_PORT', options.relayPort ?? 0, (port) => listen(relayServer, port));
  started.push(() => close(relayServer));
  const platformUrl = await listenNamed('PLATFORM_PORT', options.platformPort ?? 0, (port) => listen(platformServer, port));
  started.push(() => close(platformServer));

  return { relayUrl, dashboardUrl: `${relayUrl}/`, platformUrl, simUrl, dynamoEndpoint, tables, simulator, stop: stopAll };
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
