/**
 * Time as a port. Everything that reads the time or waits does it through one `Clock`, passed in
 * like a client and built once per handler: the pacer, the retry and IAM-propagation loops, the
 * caches, rate windows, idempotency leases, session expiry, the monthly reset, and the simulator's
 * token buckets and SigV4 clock-skew check. A deployed relay uses `systemClock`; the test bed uses a
 * virtual clock (local/virtual-clock.ts) that tests advance instead of waiting for.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `operation` with a signal that aborts after `ms` of this clock's time (an attempt's
   * timeout); the timer ends with the operation.
   */
  withTimeout<T>(ms: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Runs an outgoing call. The test bed counts an outgoing call as busy work, so virtual time does
   * not jump while its answer is on the way; the system clock has none (the call just runs).
   */
  inFlight?<T>(work: () => Promise<T>): Promise<T>;
}

/** Runs an outgoing call through the clock's `inFlight` hook, when it has one. */
export const outgoing = <T>(clock: Clock, work: () => Promise<T>): Promise<T> => (clock.inFlight ? clock.inFlight(work) : work());

/** The reason a `withTimeout` signal aborts with: the SDK reports it as an AbortError whose cause this is. */
export class AttemptTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** The only code in lambdas/ that reads the system time or sets a timer. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  }),
  async withTimeout(ms, operation) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeoutError(ms)), ms);
    try {
      return await operation(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  },
};

/** The clock's time as a Date (stores take Dates). */
export const dateOf = (clock: Clock): Date => new Date(clock.now());

/**
 * Makes an AWS SDK client sign its requests with the clock's time. With the system clock nothing
 * changes (the SDK keeps correcting its own skew from AWS's Date header); with a virtual clock the
 * signature carries the virtual time, which is what the simulator checks it against.
 */
export function signWithClock<C extends { config: object }>(client: C, clock: Clock): C {
  if (clock === systemClock) return client;
  Object.defineProperty(client.config, 'systemClockOffset', {
    get: () => clock.now() - Date.now(),
    set: () => undefined, // the SDK's own correction has nothing to correct
    configurable: true,
  });
  return client;
}
