import { Pacer } from '../../lambdas/relay/customer-account/pacer';
import { recordingClock, type RecordingClock } from '../support/recording-clock';

let clock: RecordingClock;
let slept: number[];
beforeEach(() => { clock = recordingClock(0); slept = clock.slept; });

test('a full bucket lets a burst through at once, then spaces calls at the rate', async () => {
  const pacer = new Pacer(clock);
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = clock.now();
    await pacer.take('acct|control', 1, 1, 2, 60_000);
    waits.push(clock.now() - before);
  }
  expect(waits).toEqual([0, 0, 1000, 1000]);
});

test('concurrent callers queue in arrival order, each reserving its slot at once', async () => {
  const pacer = new Pacer(clock);
  await Promise.all(Array.from({ length: 5 }, () => pacer.take('acct|send', 1, 14, 1, 60_000)));
  expect(slept.map((ms) => Math.round(ms))).toEqual([71, 143, 214, 286]);
});

test('a message counts each recipient: 28 recipients at 14/s hold the next caller 2 s', async () => {
  const pacer = new Pacer(clock);
  await pacer.take('acct|send', 28, 14, 1, 60_000);
  const before = clock.now();
  await pacer.take('acct|send', 1, 14, 1, 60_000);
  expect(clock.now() - before).toBeCloseTo(2000, 0);
});

test('never waits past the deadline: answers false and takes nothing', async () => {
  const pacer = new Pacer(clock);
  await pacer.take('k', 1, 1, 1, 60_000);
  expect(await pacer.take('k', 1, 1, 1, 500)).toBe(false);
  expect(slept).toEqual([]);
  expect(await pacer.take('k', 1, 1, 1, 60_000)).toBe(true);
  expect(slept).toEqual([1000]);
});

test('other accounts and a rate of 0 (unknown) are not held', async () => {
  const pacer = new Pacer(clock);
  await pacer.take('a', 1, 1, 1, 60_000);
  await pacer.take('b', 1, 1, 1, 60_000);
  await pacer.take('a', 1, 0, 1, 60_000);
  expect(slept).toEqual([]);
});
