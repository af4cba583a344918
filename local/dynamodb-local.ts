/**
 * Starts the official DynamoDB Local (the jar shipped in the npm package amplify-dynamodb-simulator)
 * in memory with -sharedDb, so every client sees the same tables whatever its credentials/region.
 * Used by local mode (`npm start`), the integration tests and the benchmarks.
 *
 * It listens on 127.0.0.1 only. The jar has no bind-address option (its server listens on every
 * interface), so it is started through `DynamoDbLocalOnLoopback.java`, a single source file that
 * `java` compiles in memory: it builds the jar's own server from the same options and binds its
 * connector to loopback. A Java runtime without the compiler module (a jlink'ed JRE) cannot run a
 * source file: then the jar starts as it is, on every interface, with a warning on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { requireFreePorts } from './ports';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

const emulatorDir = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
const loopbackLauncher = path.join(__dirname, 'DynamoDbLocalOnLoopback.java');
/** The address DynamoDB Local listens on (and the only one). */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Every JVM this process started and has not stopped: killed if the process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/**
 * Starts DynamoDB Local on `port` (a free one by default). It never attaches to a listener it did
 * not start: a taken port is refused before Java starts, naming `portVariable`.
 */
export async function startDynamoDbLocal(options: { port?: number; portVariable?: string } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  await requireFreePorts({ [options.portVariable ?? 'DYNAMODB_PORT']: port });
  try {
    return await launch(port, 'loopback');
  } catch (error) {
    if (!(error instanceof NoSourceLauncherError)) throw error;
    console.error('DynamoDB Local: this Java has no compiler module (jdk.compiler), so it cannot be bound to 127.0.0.1; ' +
      `it listens on every interface on port ${port}. Install a full JDK 17 to keep it on loopback.`);
    return launch(port, 'jar');
  }
}

/** `java` cannot run a source file: the runtime lacks the jdk.compiler module. */
class NoSourceLauncherError extends Error {}

async function launch(port: number, how: 'loopback' | 'jar'): Promise<DynamoDbLocal> {
  const jar = path.join(emulatorDir, 'DynamoDBLocal.jar');
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      // The jar's manifest puts DynamoDBLocal_lib on the class path in both cases.
      ...(how === 'loopback' ? ['-cp', jar, loopbackLauncher] : ['-jar', jar]),
      '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port),
    ],
    // Its own working folder: DynamoDB Local writes a metadata file there.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: false, cwd: mkdtempSync(path.join(tmpdir(), 'ddb-local-')) },
  );
  running.add(child);
  let exited: string | undefined;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.once('exit', () => running.delete(child));
  // 'close' comes after stderr has been read to its end: the message is complete.
  child.once('close', (code) => { exited = `DynamoDB Local exited with code ${code}: ${stderr.slice(0, 2000)}`; });
  child.once('error', (err) => { exited = `could not start java (is Java 17 installed?): ${err.message}`; });

  const deadline = Date.now() + 60_000;
  while (!(await portAnswers(port))) {
    if (exited) {
      if (how === 'loopback' && stderr.includes('jdk.compiler')) throw new NoSourceLauncherError(exited);
      throw new Error(exited);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('DynamoDB Local did not open its port within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://${DYNAMODB_LOCAL_HOST}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
