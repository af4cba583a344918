/**
 * Stale-while-revalidate on the virtual clock: warm requests never wait for a reload, one reload per
 * key is in flight, and no value older than the bound is served.
 */
import { RefreshingCache } from '../../lambdas/shared/refreshing-cache';
import { VirtualClock } from '../../local/virtual-clock';

/** A load the test finishes by hand, counted. */
function loads<V>() {
  const pending: Array<{ resolve: (value: V) => void; reject: (error: Error) => void }> = [];
  const load = () => new Promise<V>((resolve, reject) => { pending.push({ resolve, reject }); });
  return { pending, load };
}

/** Whether a promise has settled, after the microtasks queued so far. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const setup = () => {
  const clock = new VirtualClock({ start: 0, autoAdvance: false });
  return { clock, cache: new RefreshingCache<string>(clock, { maxAgeMs: 5_000 }), ...loads<string>() };
};

test('concurrent requests for a key nobody has loaded share one load', async () => {
  const { cache, pending, load } = setup();
  const requests = Array.from({ length: 10 }, () => cache.get('k', load));
  expect(pending).toHaveLength(1);
  pending[0]!.resolve('v1');
  expect(await Promise.all(requests)).toEqual(Array(10).fill('v1'));
  expect(await cache.get('k', load)).toBe('v1');
  expect(pending).toHaveLength(1);
});

test('past half the bound the cached value is served at once while one background reload runs', async () => {
  const { clock, cache, pending, load } = setup();
  const first = cache.get('k', load);
  pending[0]!.resolve('v1');
  await first;

  await clock.advance(2_499);
  expect(await cache.get('k', load)).toBe('v1');
  expect(pending).toHaveLength(1); // young enough: no reload

  await clock.advance(1); // 2.5 s: the first request to see it starts a reload, and does not wait for it
  const during = [cache.get('k', load), cache.get('k', load), cache.get('k', load)];
  expect(await Promise.all(during.map(settled))).toEqual([true, true, true]);
  expect(await Promise.all(during)).toEqual(['v1', 'v1', 'v1']);
  expect(pending).toHaveLength(2); // one reload for all of them

  pending[1]!.resolve('v2');
  await new Promise((resolve) => setImmediate(resolve));
  expect(await cache.get('k', load)).toBe('v2');
  expect(pending).toHaveLength(2);
});

test('past the bound a request waits for the reload (and shares one already running)', async () => {
  const { clock, cache, pending, load } = setup();
  const first = cache.get('k', load);
  pending[0]!.resolve('v1');
  await first;

  await clock.advance(5_000);
  const waiting = cache.get('k', load);
  const alsoWaiting = cache.get('k', load);
  expect(await settled(waiting)).toBe(false);
  expect(pending).toHaveLength(2);
  pending[1]!.resolve('v2');
  expect(await waiting).toBe('v2');
  expect(await alsoWaiting).toBe('v2');

  // A background reload still running at the bound is joined, not repeated.
  await clock.advance(3_000);
  expect(await cache.get('k', load)).toBe('v2');
  expect(pending).toHaveLength(3);
  await clock.advance(2_000); // 5 s after v2's read started; its reload (started at 3 s) is in flight
  const joined = cache.get('k', load);
  expect(await settled(joined)).toBe(false);
  expect(pending).toHaveLength(3);
  pending[2]!.resolve('v3');
  expect(await joined).toBe('v3');
});

test('a failed load caches nothing; a failed background reload drops the entry', async () => {
  const { clock, cache, pending, load } = setup();
  const unknown = cache.get('k', load);
  pending[0]!.reject(new Error('unknown key'));
  await expect(unknown).rejects.toThrow('unknown key');
  const known = cache.get('k', load);
  expect(pending).toHaveLength(2); // not cached: read again
  pending[1]!.resolve('v1');
  await known;

  await clock.advance(3_000);
  expect(await cache.get('k', load)).toBe('v1'); // starts the background reload
  pending[2]!.reject(new Error('revoked'));
  await new Promise((resolve) => setImmediate(resolve));
  const next = cache.get('k', load); // the entry is gone: this one reads and waits
  expect(pending).toHaveLength(4);
  pending[3]!.reject(new Error('revoked'));
  await expect(next).rejects.toThrow('revoked');
});

test('a reload that overtook a slower load is not replaced by the older value', async () => {
  const { clock, cache, pending, load } = setup();
  const first = cache.get('k', load);
  pending[0]!.resolve('v1');
  await first;
  await clock.advance(3_000);
  await cache.get('k', load); // background reload, read started at 3 s
  await clock.advance(100);
  const fresh = cache.reload('k', load); // read started at 3.1 s
  pending[2]!.resolve('fresh');
  expect(await fresh).toBe('fresh');
  pending[1]!.resolve('older');
  await new Promise((resolve) => setImmediate(resolve));
  expect(await cache.get('k', load)).toBe('fresh');
});

test('the map stays bounded: the oldest entry goes first', async () => {
  const clock = new VirtualClock({ start: 0, autoAdvance: false });
  const cache = new RefreshingCache<string>(clock, { maxAgeMs: 5_000, maxEntries: 2 });
  let reads = 0;
  const load = (value: string) => async () => { reads += 1; return value; };
  await cache.get('a', load('a'));
  await cache.get('b', load('b'));
  await cache.get('c', load('c'));
  expect(reads).toBe(3);
  await cache.get('b', load('b'));
  await cache.get('c', load('c'));
  expect(reads).toBe(3);
  await cache.get('a', load('a'));
  expect(reads).toBe(4);
});
