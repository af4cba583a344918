/**
 * `npx tsx sim/main.ts`: the customer-account simulator on its own.
 * SIM_PORT (4566), RELAY_ACCOUNT_ID (111111111111), RELAY_ACCESS_KEY_ID (AKIARELAYLOCAL000001),
 * SIM_LATENCY_MS (0). Ctrl-C stops it.
 */
import { createSimulator } from './simulator';
import { LOCAL_ACCOUNTS, RELAY_LOCAL_CREDENTIALS } from '../local/local-identity';

function integerEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const relayAccountId = process.env.RELAY_ACCOUNT_ID || LOCAL_ACCOUNTS.relay;
  const relayAccessKeyId = process.env.RELAY_ACCESS_KEY_ID || RELAY_LOCAL_CREDENTIALS.accessKeyId;
  const simulator = createSimulator({
    relayAccountId,
    relayAccessKeyId,
    latencyMs: integerEnv('SIM_LATENCY_MS', 0, 0, 60_000),
  });
  const url = await simulator.listen(integerEnv('SIM_PORT', 4566, 0, 65535));
  console.log(`customer-account simulator (STS + SES v1) at ${url}
  relay account ${relayAccountId}, relay access key ${relayAccessKeyId}
  mailbox: ${url}/_sim/   control API: ${url}/_sim/...
Ctrl-C stops it.`);

  const stop = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`simulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
