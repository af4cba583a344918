/**
 * Local mode cleans up: a port in use is named with its variable, and a failed start leaves no
 * process behind — no DynamoDB Local JVM re-parented to init, no listener. DynamoDB Local listens on
 * loopback only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { dynamoEndpoint } from '../support/dynamo';
import { startLocalSystem } from '../../local/local-system';
import { portIsFree } from '../../local/ports';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');

/** DynamoDB Local JVMs listening on `port`, from the process table. */
function dynamoJvmsOn(port: number): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n').filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port}`));
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

let taken: { server: Server; port: number };
beforeEach(async () => { taken = await occupy(); });
afterEach(async () => { await new Promise((resolve) => taken.server.close(resolve)); });

test('npm start on a taken SIM_PORT names the variable, exits non-zero and leaves no JVM behind', async () => {
  const ports = { RELAY_PORT: await freePort(), PLATFORM_PORT: await freePort(), DYNAMODB_PORT: await freePort() };
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), SIM_PORT: String(taken.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  expect(code).toBe(1);
  expect(stderr).toContain(`SIM_PORT ${taken.port} is in use; set SIM_PORT`);
  expect(dynamoJvmsOn(ports.DYNAMODB_PORT)).toEqual([]);
  expect(await portIsFree(ports.DYNAMODB_PORT)).toBe(true);
});

test('a start that fails after DynamoDB Local is up stops it again (no JVM, the port is free)', async () => {
  const dynamoPort = await freePort();
  // The simulator starts after DynamoDB Local: its port being taken fails the start half-way.
  const error = await startLocalSystem({ dynamoPort, simPort: taken.port, relayPort: 0, platformPort: 0 }).catch((e: unknown) => e);

  expect((error as Error).message).toBe(`SIM_PORT ${taken.port} is in use; set SIM_PORT to a free port (e.g. SIM_PORT=${taken.port + 1} npm start)`);
  expect(dynamoJvmsOn(dynamoPort)).toEqual([]);
  expect(await portIsFree(dynamoPort)).toBe(true);
});

test('DynamoDB Local never attaches to a listener it did not start: a taken DYNAMODB_PORT is refused by name', async () => {
  const error = await startLocalSystem({ dynamoPort: taken.port, simPort: 0, relayPort: 0, platformPort: 0 }).catch((e: unknown) => e);
  expect((error as Error).message).toContain(`DYNAMODB_PORT ${taken.port} is in use; set DYNAMODB_PORT`);
  expect(dynamoJvmsOn(taken.port)).toEqual([]);
});

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** The local addresses of the sockets listening on `port`, from Linux's socket tables (hex as the kernel writes them). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].filter(existsSync).flatMap((file) =>
    readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => fields[1]!.split(':')[0]!));
}

test('DynamoDB Local listens on 127.0.0.1 only: no other interface of the machine reaches it', async () => {
  // The run's DynamoDB Local, started by the global setup with the same function as npm start.
  const port = Number(new URL(dynamoEndpoint()).port);
  expect(await accepts('127.0.0.1', port)).toBe(true);

  const others = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal).map((a) => a!.address);
  for (const address of others) expect({ address, accepted: await accepts(address, port) }).toEqual({ address, accepted: false });

  if (process.platform === 'linux') {
    const loopback = ['0100007F', '0000000000000000FFFF00000100007F', '00000000000000000000000001000000'];
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(loopback).toContain(address);
  }
});
