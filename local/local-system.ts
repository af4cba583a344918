/**
 * The whole system on one machine, without an AWS account: DynamoDB Local, the customer-account
 * simulator (STS + SES), the platform admin API and the relay customer API on localhost, and tenant
 * events delivered in-process with the envelope EventBridge delivers. The relay's handlers are the
 * Lambda handler modules themselves; their AWS SDK clients reach DynamoDB Local and the simulator
 * through the SDK's own endpoint variables (AWS_ENDPOINT_URL_DYNAMODB, _STS, _SES).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { adminRoutes } from '../lambdas/platform/api-routes';
import { onboardingRoutes, sendRoutes } from '../lambdas/relay/api-routes';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE, type TenantSnapshot, type TenantSnapshotEvent } from '../lambdas/shared/tenant-events';
import { createSimulator } from '../sim/simulator';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
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
  region?: string;
  /** Extra environment for the handlers (e.g. AUTH_CACHE_TTL_MS). */
  env?: Record<string, string>;
}

export interface LocalSystem {
  relayUrl: string;
  platformUrl: string;
  simUrl: string;
  dynamoEndpoint: string;
  tables: { tenants: string; relay: string };
  simulator: ReturnType<typeof createSimulator>;
  stop(): Promise<void>;
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const region = options.region ?? 'us-east-1';
  let dynamo: DynamoDbLocal | undefined;
  const dynamoEndpoint = options.dynamoEndpoint ?? (dynamo = await startDynamoDbLocal({ port: options.dynamoPort })).endpoint;
  const tables = tableNames(options.tablePrefix ?? LOCAL_TABLE_PREFIX);

  const simulator = createSimulator({ relayAccountId: LOCAL_ACCOUNTS.relay, relayAccessKeyId: RELAY_LOCAL_CREDENTIALS.accessKeyId, latencyMs: options.simLatencyMs ?? 0 });
  const simUrl = await simulator.listen(options.simPort ?? 0);

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
  ]);
  const platformServer = serveHandlers('platform-admin', [{ routes: Object.values(adminRoutes), handler: adminHandler as ProxyHandler }]);
  const servers: Server[] = [relayServer, platformServer];
  const relayUrl = await listen(relayServer, options.relayPort ?? 0);
  const platformUrl = await listen(platformServer, options.platformPort ?? 0);

  return {
    relayUrl, platformUrl, simUrl, dynamoEndpoint, tables, simulator,
    stop: async () => {
      await Promise.all(servers.map(close));
      await simulator.close();
      await dynamo?.stop();
    },
  };
}
