/**
 * A tiny HTTP proxy in front of DynamoDB Local for the benchmarks: it delays every request by the
 * same injected latency the simulator adds to STS/SES calls, and counts requests by their
 * `X-Amz-Target` header (reads, writes, other), so "remote calls per send" can be read for
 * DynamoDB as well. Keep-alive on both sides, so it adds no connection set-up to the figures.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DynamoCallKind = 'read' | 'write' | 'other';

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['UpdateItem', 'PutItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

export function classify(target: string | undefined): { operation: string; kind: DynamoCallKind } {
  const operation = (target ?? '').replace(/^DynamoDB_\d+\./, '') || '(none)';
  return { operation, kind: READS.has(operation) ? 'read' : WRITES.has(operation) ? 'write' : 'other' };
}

export interface DynamoCounts {
  read: number;
  write: number;
  other: number;
  /** Per operation, e.g. `{ UpdateItem: 1000, GetItem: 8 }`. */
  operations: Record<string, number>;
}

export interface DynamoProxy {
  url: string;
  setLatency(ms: number): void;
  counts(): DynamoCounts;
  resetCounts(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function startDynamoProxy(options: { target: string; latencyMs?: number; port?: number }): Promise<DynamoProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  let latencyMs = options.latencyMs ?? 0;
  let counts: DynamoCounts = { read: 0, write: 0, other: 0, operations: {} };

  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readAll(request);
    const header = request.headers['x-amz-target'];
    const { operation, kind } = classify(Array.isArray(header) ? header[0] : header);
    counts[kind] += 1;
    counts.operations[operation] = (counts.operations[operation] ?? 0) + 1;
    if (latencyMs > 0) await sleep(latencyMs);
    const headers = { ...request.headers, host: target.host };
    delete headers.connection;
    const upstream = httpRequest(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('proxy: DynamoDB Local did not answer');
    });
    upstream.end(body);
  };

  const server: Server = createServer((request, response) => {
    forward(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  return {
    url,
    setLatency: (ms) => { latencyMs = ms; },
    counts: () => ({ ...counts, operations: { ...counts.operations } }),
    resetCounts: () => { counts = { read: 0, write: 0, other: 0, operations: {} }; },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
