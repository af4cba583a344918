/**
 * An attempt that never left the machine is "not sent"; one that was written and got no answer is
 * "outcome unknown". A real local HTTP server holds every request it receives, the pool has one
 * socket, so the second send waits in the agent's queue when both are aborted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { classifyFailure } from '../../lambdas/relay/customer-account/aws-failures';
import { markUnsentFailures, neverSent, trackedRequestHandler } from '../../lambdas/shared/http-transport';

let server: Server;
let endpoint: string;
const received: IncomingMessage[] = [];
let onRequest: () => void = () => undefined;

beforeAll(async () => {
  // Reads each request and never answers: a written request whose answer does not come.
  server = createServer((request) => {
    received.push(request);
    request.resume();
    onRequest();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sesWith = (maxSockets: number) => markUnsentFailures(new SESClient({
  region: 'eu-west-1', endpoint, maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  requestHandler: trackedRequestHandler({ connectionTimeout: 2_000, maxSockets }),
}));
const command = () => new SendEmailCommand({
  Source: 'a@example.com', Destination: { ToAddresses: ['b@example.com'] },
  Message: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } },
});

test('aborted while queued for a socket → never sent (unavailable); aborted after writing → outcome unknown', async () => {
  received.length = 0;
  const ses = sesWith(1);
  const first = new AbortController();
  const second = new AbortController();
  const arrived = new Promise<void>((resolve) => { onRequest = resolve; });
  const written = ses.send(command(), { abortSignal: first.signal }).catch((e: unknown) => e);
  const queued = ses.send(command(), { abortSignal: second.signal }).catch((e: unknown) => e);
  await arrived; // the first request holds the pool's only socket; the second waits for it
  second.abort();
  first.abort();
  const [writtenError, queuedError] = await Promise.all([written, queued]);
  ses.destroy();

  expect(received).toHaveLength(1);
  expect(neverSent(queuedError)).toBe(true);
  expect(classifyFailure(queuedError)).toBe('unavailable');
  expect(neverSent(writtenError)).toBe(false);
  expect(classifyFailure(writtenError)).toBe('outcome_unknown');
});

test('a burst larger than the pool: every queued attempt that ends unsent is reported not sent', async () => {
  received.length = 0;
  const ses = sesWith(4);
  const controller = new AbortController();
  let arrivedCount = 0;
  const allArrived = new Promise<void>((resolve) => { onRequest = () => { if (++arrivedCount === 4) resolve(); }; });
  const sends = Array.from({ length: 20 }, () => ses.send(command(), { abortSignal: controller.signal }).catch((e: unknown) => e));
  await allArrived;
  controller.abort();
  const errors = await Promise.all(sends);
  ses.destroy();

  const kinds = errors.map((e) => classifyFailure(e));
  expect(received).toHaveLength(4);
  expect(kinds.filter((k) => k === 'outcome_unknown')).toHaveLength(4);
  expect(kinds.filter((k) => k === 'unavailable')).toHaveLength(16);
});

test('a refused connection is not sent; errors of other transports are unmarked', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const ses = markUnsentFailures(new SESClient({
    region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    requestHandler: trackedRequestHandler({ connectionTimeout: 2_000, maxSockets: 1 }),
  }));
  const error = await ses.send(command()).catch((e: unknown) => e);
  ses.destroy();
  expect(neverSent(error)).toBe(true);
  expect(classifyFailure(error)).toBe('unavailable');
  expect(neverSent(new Error('plain'))).toBe(false);
});
