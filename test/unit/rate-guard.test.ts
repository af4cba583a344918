import { RateGuard } from '../../lambdas/relay/send/rate-guard';

const at = new Date('2026-11-21T10:00:30Z');
const nextMinute = new Date('2026-11-21T10:01:00Z');

test('no overlap without a count for this minute; overlap while the estimate stays within half the limit', () => {
  const guard = new RateGuard();
  expect(guard.mayOverlap('k', 10, at)).toBe(false);
  guard.observe('k', 1, at);
  expect([1, 2, 3, 4, 5].map(() => guard.mayOverlap('k', 10, at))).toEqual([true, true, true, true, false]);
});

test('a higher count seen from DynamoDB (other containers) wins over the local estimate; a lower one does not', () => {
  const guard = new RateGuard();
  guard.observe('k', 2, at);
  guard.observe('k', 5, at);
  expect(guard.mayOverlap('k', 10, at)).toBe(false);
  guard.observe('k', 1, at);
  expect(guard.mayOverlap('k', 100, at)).toBe(true);
});

test('a new minute starts without overlap; keys are separate', () => {
  const guard = new RateGuard();
  guard.observe('k', 1, at);
  expect(guard.mayOverlap('k', 100, nextMinute)).toBe(false);
  expect(guard.mayOverlap('other', 100, at)).toBe(false);
});

test('a limit of 1 or 2 never overlaps', () => {
  const guard = new RateGuard();
  guard.observe('k', 0, at);
  expect(guard.mayOverlap('k', 1, at)).toBe(false);
  expect(guard.mayOverlap('k', 2, at)).toBe(true);
  expect(guard.mayOverlap('k', 2, at)).toBe(false);
});
