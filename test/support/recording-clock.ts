/**
 * For unit tests: a virtual clock (local/virtual-clock.ts) that records every sleep. With nothing
 * tracked, it jumps to each sleep's end as soon as the sleeper waits, so a paced or retried call
 * completes at once while `now()` moves exactly as it would have.
 */
import type { Clock } from '../../lambdas/shared/clock';
import { VirtualClock } from '../../local/virtual-clock';

export interface RecordingClock extends Clock {
  /** Every sleep asked for, in order (ms). */
  readonly slept: number[];
  /** The underlying virtual clock, to advance by hand. */
  readonly virtual: VirtualClock;
}

export function recordingClock(start = 0): RecordingClock {
  const virtual = new VirtualClock({ start });
  const slept: number[] = [];
  return {
    slept,
    virtual,
    now: () => virtual.now(),
    sleep: (ms, signal) => {
      slept.push(ms);
      return virtual.sleep(ms, signal);
    },
    withTimeout: (ms, operation) => virtual.withTimeout(ms, operation),
  };
}
