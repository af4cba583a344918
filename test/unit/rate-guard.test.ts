import { RateGuard } from '../../lambdas/relay/send/rate-guard';
import type { RateWindow } from '../../lambdas/relay/store/limits-store';

const at = new Date('2026-11-21T10:00:30Z');
const nextMinute = new Date('2026-11-21T10:01:00Z');
const counted = (count: number, limit = 10): RateWindow => ({ count, limit, allowed: count <= limit, resetInSeconds: 30 });

test('no overlap without a count for this minute; overlap while count and writes in flight stay within half the limit', () => {
  const guard = new RateGuard();
  const first = guard.begin('k', 10, at);
  expect(first.overlap).toBe(false);
  first.settle(counted(1));
  // 1 counted; each overlapped write stays in flight: 1+1, 1+2, 1+3, 1+4 ≤ 5, then 1+4+1 > 5.
  expect([1, 2, 3, 4, 5].map(() => guard.begin('k', 10, at).overlap)).toEqual([true, true, true, true, false]);
});

test('writes still in flight count against the estimate until they return, whoever started them', () => {
  const guard = new RateGuard();
  guard.begin('k', 10, at).settle(counted(1));
  // Four sends wait for their own writes (e.g. they came before the first count returned).
  const waiting = [1, 2, 3, 4].map(() => guard.begin('k', 100, at));
  expect(guard.begin('k', 10, at).overlap).toBe(false); // 1 counted + 5 in flight > 5
  waiting.forEach((ticket, i) => ticket.settle(counted(2 + i)));
  // 5 counted + the refused-to-overlap write above still in flight.
  expect(guard.begin('k', 12, at).overlap).toBe(false); // 5 + 1 + 1 > 6
  expect(guard.begin('k', 16, at).overlap).toBe(true); // 5 + 2 + 1 ≤ 8
});

test('a higher count seen from DynamoDB (other containers) wins over the local estimate; a lower one does not', () => {
  const guard = new RateGuard();
  guard.begin('k', 10, at).settle(counted(2));
  guard.begin('k', 10, at).settle(counted(5));
  expect(guard.begin('k', 10, at).overlap).toBe(false);
});

test('a failed write is no longer in flight; a ticket settles once', () => {
  const guard = new RateGuard();
  guard.begin('k', 4, at).settle(counted(1, 4));
  const failed = guard.begin('k', 4, at);
  expect(failed.overlap).toBe(true);
  failed.settle(undefined);
  failed.settle(undefined);
  expect(guard.begin('k', 4, at).overlap).toBe(true);
});

test('a new minute starts without overlap; keys are separate', () => {
  const guard = new RateGuard();
  guard.begin('k', 100, at).settle(counted(1, 100));
  expect(guard.begin('k', 100, nextMinute).overlap).toBe(false);
  expect(guard.begin('other', 100, at).overlap).toBe(false);
});

test('a limit of 1 or 2 never lets two sends overlap', () => {
  const guard = new RateGuard();
  guard.begin('k', 2, at).settle({ count: 0, limit: 2, allowed: true, resetInSeconds: 30 });
  expect(guard.begin('k', 1, at).overlap).toBe(false);
  const guard2 = new RateGuard();
  guard2.begin('k', 2, at).settle({ count: 0, limit: 2, allowed: true, resetInSeconds: 30 });
  expect(guard2.begin('k', 2, at).overlap).toBe(true);
  expect(guard2.begin('k', 2, at).overlap).toBe(false);
});
