/** `npm start`: the whole system locally. Ctrl-C stops everything it started. */
import './node-version-notice';
import { LOCAL_ACCOUNTS, startLocalSystem } from './local-system';
import { LOCAL_CUSTOMER_ACCOUNT } from './local-identity';
import { requireFreePorts } from './ports';

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    console.error(`${name} must be a port number (1-65535), got "${value}"`);
    process.exit(2);
  }
  return parsed;
}

async function main(): Promise<void> {
  const ports = {
    RELAY_PORT: port('RELAY_PORT', 3000),
    PLATFORM_PORT: port('PLATFORM_PORT', 3001),
    DYNAMODB_PORT: port('DYNAMODB_PORT', 8000),
    SIM_PORT: port('SIM_PORT', 4566),
  };
  // Before anything starts: a taken port is named with its variable and nothing is left running.
  await requireFreePorts(ports);
  const system = await startLocalSystem({
    relayPort: ports.RELAY_PORT,
    platformPort: ports.PLATFORM_PORT,
    dynamoPort: ports.DYNAMODB_PORT,
    simPort: ports.SIM_PORT,
    simLatencyMs: Number(process.env.SIM_LATENCY_MS ?? 0) || 0,
    customerAccount: true,
  });
  console.log(`
SendFleet BYOC relay — local mode (no AWS account)
  customer dashboard      ${system.dashboardUrl}     (sign in with an API key)
  relay customer API      ${system.relayUrl}      (X-API-Key)
  platform admin API      ${system.platformUrl}      (npm run admin -- ...)
  customer AWS simulator  ${system.simUrl}      (STS + SES; mailbox: ${system.simUrl}/_sim/)
  DynamoDB Local          ${system.dynamoEndpoint}      (in memory)
  relay account ${LOCAL_ACCOUNTS.relay}, platform account ${LOCAL_ACCOUNTS.platform}
  customer AWS account ${LOCAL_CUSTOMER_ACCOUNT} (SES production access; Settings → Launch stack in AWS
  opens the simulator's CloudFormation page for it)

Try:  npm run admin -- tenant create --plan starter
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`local mode failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
