/**
 * Runs the account health check once against local mode (`npm start`): every BYOC tenant of its
 * DynamoDB Local is listed from the index and checked in the simulator's accounts, as the 6-hourly
 * schedule does in AWS. Prints a JSON report (per tenant: state, whether every check answered, the
 * transitions announced); GET /api/byoc/health shows the result.
 *
 *   npm run health
 *
 * environment: AWS_ENDPOINT_URL_DYNAMODB (default http://127.0.0.1:8000), SIM_URL (default
 * http://127.0.0.1:4566, where `npm start` puts the simulator), RELAY_TABLE (default sendfleet-local-relay).
 */
import '../local/node-version-notice';
import { systemClock } from '../lambdas/shared/clock';
import { setLogSink } from '../lambdas/shared/logger';
import type { TenantCheckResult } from '../lambdas/relay/health/check-tenant';
import type { HealthCheckMessage } from '../lambdas/relay/health/health-run';
import { createHealthChecker, createHealthSchedule } from '../lambdas/relay/health/health-wiring';
import type { WebhookNotification } from '../lambdas/relay/webhooks/outbox';
import { LOCAL_ACCOUNTS, LOCAL_TABLE_PREFIX, RELAY_LOCAL_CREDENTIALS, tableNames } from '../local/local-identity';

const dynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB || 'http://127.0.0.1:8000';
const simulator = process.env.SIM_URL || 'http://127.0.0.1:4566';
const relayTable = process.env.RELAY_TABLE || tableNames(LOCAL_TABLE_PREFIX).relay;

async function main(): Promise<void> {
  // stdout carries only the report; log lines go to stderr.
  setLogSink((line) => process.stderr.write(line + '\n'));
  const aws = { clock: systemClock, region: 'us-east-1', credentials: RELAY_LOCAL_CREDENTIALS, endpoints: { dynamodb, sts: simulator, ses: simulator } };
  const config = { relayTable, relayAccountId: LOCAL_ACCOUNTS.relay };
  const announced: Array<{ tenant_id: string; type: string; id: string }> = [];
  const checkTenants = createHealthChecker(config, aws, {
    // Local mode has no webhook delivery here: transitions are listed in the report.
    outbox: { enqueue: async (tenantId: string, notification: WebhookNotification) => { announced.push({ tenant_id: tenantId, type: notification.type, id: notification.id }); } },
  });
  const results: TenantCheckResult[] = [];
  const runs: Array<Promise<void>> = [];
  const queue = { enqueue: async (messages: HealthCheckMessage[]) => { for (const message of messages) runs.push(checkTenants(message).then((consumed) => { results.push(...consumed.results); })); } };
  const scheduled = await createHealthSchedule(config, aws, queue)();
  await Promise.all(runs);
  console.log(JSON.stringify({
    scheduled,
    tenants: results.map((r) => (r.kind === 'checked' ? { tenant_id: r.tenantId, state: r.state, complete: r.complete } : { tenant_id: r.tenantId, [r.kind]: true })),
    transitions: announced,
  }, null, 2));
}

main().catch((error: unknown) => {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  const name = error instanceof Error ? error.name : '';
  console.error(
    cause === 'ECONNREFUSED' ? `cannot reach DynamoDB at ${dynamodb} or the simulator at ${simulator}: is \`npm start\` running?`
      : name === 'ResourceNotFoundException' ? `table ${relayTable} does not exist at ${dynamodb} (set RELAY_TABLE otherwise)`
        : `health check failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
