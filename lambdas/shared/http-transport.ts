/**
 * The AWS clients' HTTP transport, which also knows whether a failed request ever left the machine.
 *
 * A request that fails before it owns a connected socket — still queued for one of the pool's
 * sockets, or its socket still connecting — has not written a byte: the service cannot have acted
 * on it. Any later failure (a timeout or a reset after the request was written) may hide a request
 * the service carried out. `neverSent(error)` tells the two apart for `aws-failures.ts` (SES, STS);
 * `retryOnlyUnapplied` uses the same knowledge for the DynamoDB counters (`limits-store.ts`).
 *
 * How: a client middleware runs each call in an AsyncLocalStorage context; the pool's agent, which
 * Node's `http.request` hands every new request to synchronously, attaches that context to the
 * request and marks it once it owns a connected socket. Node writes nothing before then (its
 * 'socket' event precedes the first flush, and a connecting socket buffers writes until 'connect').
 * (Powertools' logger and metrics already run an AsyncLocalStorage in every function, so this one
 * adds no async-hooks cost of its own.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

interface Attempt {
  /** Set once the request owns a connected socket: from then on its bytes may have left. */
  mayHaveLeft: boolean;
  /** The whole call, when this is one of its attempts. */
  call?: Attempt;
}

const attempts = new AsyncLocalStorage<Attempt>();
const NEVER_SENT = Symbol('neverSent');

/** True when the error is a request that provably never left this machine (nothing was written). */
export function neverSent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [NEVER_SENT]?: boolean })[NEVER_SENT] === true;
}

function track(request: ClientRequest): void {
  const attempt = attempts.getStore();
  if (!attempt) return;
  const left = () => {
    for (let a: Attempt | undefined = attempt; a; a = a.call) a.mayHaveLeft = true;
  };
  const owned = (socket: Socket) => {
    if (socket.connecting) socket.once('connect', left);
    else left();
  };
  request.once('socket', owned);
}

type AddRequest = (request: ClientRequest, options: unknown) => void;

/** Hands each request the agent queues or connects to the attempt that made it. */
function tracking<A extends HttpAgent>(agent: A): A {
  const internals = agent as unknown as { addRequest: AddRequest };
  const addRequest = internals.addRequest.bind(agent);
  internals.addRequest = (request, options) => {
    track(request);
    addRequest(request, options);
  };
  return agent;
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string }): void };
}

/**
 * Marks the client's failed calls that never left the machine (`neverSent`). It wraps the whole call,
 * outside the SDK's retries: the SDK replaces a handler's error with its own AbortError when the
 * caller's signal aborts, and a call is unsent only if none of its attempts may have left.
 */
export function markUnsentFailures<C extends object>(client: C): C {
  (client as unknown as MiddlewareClient).middlewareStack.add((next) => async (args) => {
    const attempt: Attempt = { mayHaveLeft: false };
    try {
      return await attempts.run(attempt, () => next(args));
    } catch (error) {
      if (!attempt.mayHaveLeft && typeof error === 'object' && error !== null) {
        Object.defineProperty(error, NEVER_SENT, { value: true });
      }
      throw error;
    }
  }, { step: 'initialize', name: 'markUnsentFailures' });
  return client;
}

/** A write whose attempt may have been applied and got no answer that says otherwise: the SDK does not retry it. */
export class WriteOutcomeUnknownError extends Error {
  override readonly name = 'WriteOutcomeUnknownError';
  /** The attempt's own failure (not `cause`: the SDK would read it and retry). */
  readonly failure: unknown;
  constructor(failure: unknown) {
    super('the write may have been applied; not retried');
    this.failure = failure;
  }
}

/**
 * For a write that must not apply twice and cannot carry a token: the SDK's retries go on only
 * after an attempt that provably did not apply — it never left the machine, or the service answered
 * 4xx (throttled, refused). Any other failure (a timeout or reset after writing, a 5xx) becomes a
 * `WriteOutcomeUnknownError`, which the SDK does not retry. Needs a client on `trackedRequestHandler`.
 */
export function retryOnlyUnapplied<C extends object>(command: C): C {
  (command as unknown as { middlewareStack: { add: MiddlewareClient['middlewareStack']['add'] } }).middlewareStack.add((next) => async (args) => {
    const attempt: Attempt = { mayHaveLeft: false, call: attempts.getStore() };
    try {
      return await attempts.run(attempt, () => next(args));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
      const answeredNotApplied = status >= 400 && status < 500;
      if (attempt.mayHaveLeft && !answeredNotApplied) throw new WriteOutcomeUnknownError(error);
      throw error;
    }
  }, { step: 'finalizeRequest', name: 'retryOnlyUnapplied', override: true } as never);
  return command;
}

export interface TransportOptions extends Omit<NodeHttpHandlerOptions, 'httpAgent' | 'httpsAgent'> {
  maxSockets: number;
}

/**
 * A keep-alive pool of `maxSockets` per origin that sees whether each request got a connected
 * socket; a client using it tells its unsent failures apart with `markUnsentFailures`.
 */
export function trackedRequestHandler({ maxSockets, ...options }: TransportOptions): NodeHttpHandler {
  return new NodeHttpHandler({
    ...options,
    httpAgent: tracking(new HttpAgent({ keepAlive: true, maxSockets })),
    httpsAgent: tracking(new HttpsAgent({ keepAlive: true, maxSockets })),
  });
}
