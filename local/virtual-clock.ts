/**
 * The test bed's clock: virtual time that moves only when told to, or — with `autoAdvance` — when
 * everything the test bed runs is waiting on it. Tests advance it across a minute boundary, a
 * session's expiry, an IAM propagation window, a send budget or a month's end instead of waiting.
 *
 * How auto-advance stays deterministic: work the test bed owns (each handler invocation, each
 * simulator request) runs inside `track()`. Time stands still while any tracked work is busy — doing
 * CPU work or waiting on real I/O (DynamoDB Local, a call to the simulator) — so real I/O takes no
 * virtual time and a slow machine cannot make a timeout fire. Work is idle while it sleeps on this
 * clock. A simulator request that holds its caller on purpose (latency, a hung connection) `park`s:
 * its caller's wait then counts as idle too. When nothing is busy, the clock jumps to the next timer.
 * Timers fire one per macrotask, in time order, so each woken task runs before the next fires.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AttemptTimeoutError, type Clock } from '../lambdas/shared/clock';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

interface Task {
  sleeping: number;
}

export interface VirtualClockOptions {
  /** Epoch ms to start at; default: the next whole UTC minute (never behind the real time). */
  start?: number;
  /** Jump to the next timer whenever all tracked work waits on the clock (default true). */
  autoAdvance?: boolean;
}

/** What a clock shared by the simulator and the relay in one test bed also offers. */
export interface TrackingClock extends Clock {
  track<T>(work: () => Promise<T>): Promise<T>;
  /** Sleeps `ms` holding a caller on purpose; once `callerGone` aborts, the caller no longer waits on it. */
  park(ms: number, callerGone?: AbortSignal): Promise<void>;
}

export const isTrackingClock = (clock: Clock): clock is TrackingClock => 'track' in clock && 'park' in clock;

/** Runs work the test bed owns (a handler invocation, a simulator request) as tracked on a tracking clock; plainly otherwise. */
export function trackedOn<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  return isTrackingClock(clock) ? clock.track(work) : work();
}

export class VirtualClock implements TrackingClock {
  private current: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private busy = 0;
  private parked = 0;
  /** Tracked work not finished yet, busy or asleep. */
  private live = 0;
  private readonly settledWaiters: Array<() => void> = [];
  private checkScheduled = false;
  private readonly tasks = new AsyncLocalStorage<Task>();
  readonly autoAdvance: boolean;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? Math.ceil((Date.now() + 1) / 60_000) * 60_000;
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const task = this.tasks.getStore();
      const wake = () => {
        signal?.removeEventListener('abort', cancel);
        if (task) this.wake(task);
        resolve();
      };
      const timer = this.addTimer(ms, wake);
      const cancel = () => {
        this.removeTimer(timer);
        wake();
      };
      signal?.addEventListener('abort', cancel, { once: true });
      if (task) this.rest(task);
      this.scheduleCheck();
    });
  }

  async withTimeout<T>(ms: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = this.addTimer(ms, () => controller.abort(new AttemptTimeoutError(ms)));
    try {
      return await operation(controller.signal);
    } finally {
      this.removeTimer(timer);
    }
  }

  /**
   * An outgoing call (the Clock port's hook): busy until its answer is back, so time stands still
   * while it is on the way, whatever the caller's other branches do (one asleep on the pacer used to
   * make the whole caller idle). The caller's own wait for it counts as idle instead: the call stands
   * for it, and a simulator `park` balances the call, not the caller, so the clock moves only when
   * every call in flight is parked on purpose.
   */
  async inFlight<T>(work: () => Promise<T>): Promise<T> {
    const caller = this.tasks.getStore();
    this.busy += 1;
    if (caller) this.rest(caller);
    try {
      return await work();
    } finally {
      if (caller) this.wake(caller);
      this.busy -= 1;
      this.scheduleCheck();
    }
  }

  /** Runs work the test bed owns; time stands still while it is busy, except while it sleeps on this clock. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    const task: Task = { sleeping: 0 };
    this.busy += 1;
    this.live += 1;
    try {
      return await this.tasks.run(task, work);
    } finally {
      this.busy -= 1;
      this.live -= 1;
      if (this.live === 0) this.settledWaiters.splice(0).forEach((resolve) => resolve());
      this.scheduleCheck();
    }
  }

  /**
   * Resolves once no tracked work is left (e.g. the simulator has finished a send its caller gave up
   * on): an event to wait for, not a time. A test bounds it with its own timeout.
   */
  settled(): Promise<void> {
    if (this.live === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** A sleep that also holds a caller on purpose (the simulator's latency): the caller's wait is idle too. */
  async park(ms: number, callerGone?: AbortSignal): Promise<void> {
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      this.parked -= 1;
      this.scheduleCheck();
    };
    this.parked += 1;
    callerGone?.addEventListener('abort', release, { once: true });
    if (callerGone?.aborted) release();
    try {
      await this.sleep(ms);
    } finally {
      callerGone?.removeEventListener('abort', release);
      release();
    }
  }

  /** Moves time forward by `ms`, firing every timer on the way in order. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `at` (epoch ms), firing every timer on the way in order. */
  async advanceTo(at: number): Promise<void> {
    if (at < this.current) throw new Error(`a clock does not go back: ${new Date(at).toISOString()} is before ${new Date(this.current).toISOString()}`);
    for (let next = this.timers[0]; next && next.at <= at; next = this.timers[0]) {
      this.fireNext();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.current = at;
  }

  /** Moves to the start of the next UTC minute plus `offsetMs` (rate windows are whole minutes). */
  advanceToNextMinute(offsetMs = 0): Promise<void> {
    return this.advanceTo(Math.floor(this.current / 60_000) * 60_000 + 60_000 + offsetMs);
  }

  /** Timers waiting (sleeps and timeouts): lets a test see that work is parked on the clock. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private addTimer(ms: number, fire: () => void): Timer {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire };
    let i = this.timers.length;
    while (i > 0 && this.compare(this.timers[i - 1]!, timer) > 0) i--;
    this.timers.splice(i, 0, timer);
    return timer;
  }

  private compare(a: Timer, b: Timer): number {
    return a.at - b.at || a.seq - b.seq;
  }

  private removeTimer(timer: Timer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }

  private fireNext(): void {
    const timer = this.timers.shift();
    if (!timer) return;
    if (timer.at > this.current) this.current = timer.at;
    timer.fire();
  }

  private rest(task: Task): void {
    task.sleeping += 1;
    if (task.sleeping === 1) this.busy -= 1;
  }

  private wake(task: Task): void {
    task.sleeping -= 1;
    if (task.sleeping === 0) this.busy += 1;
  }

  /** After the current macrotask: fire what is due, and jump ahead when nothing tracked is busy. */
  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      const next = this.timers[0];
      if (!next) return;
      const due = next.at <= this.current;
      if (!due && !(this.autoAdvance && this.busy <= this.parked)) return;
      this.fireNext();
      this.scheduleCheck();
    });
  }
}

/**
 * A clock for a long-lived simulator whose tests each start from fresh time: it delegates to a
 * virtual clock that `reset()` replaces.
 */
export function resettableClock(options: VirtualClockOptions = {}): TrackingClock & { readonly current: VirtualClock; reset(): void } {
  let current = new VirtualClock(options);
  return {
    get current() {
      return current;
    },
    reset: () => {
      current = new VirtualClock(options);
    },
    now: () => current.now(),
    sleep: (ms, signal) => current.sleep(ms, signal),
    withTimeout: (ms, operation) => current.withTimeout(ms, operation),
    track: (work) => current.track(work),
    inFlight: (work) => current.inFlight(work),
    park: (ms, callerGone) => current.park(ms, callerGone),
  };
}
