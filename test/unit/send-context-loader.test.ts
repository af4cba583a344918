/** The send context cache: warm sends never wait for a reload; a refusal's fresh read is never replaced by an older one. */
import { SendContextLoader } from '../../lambdas/relay/send/send-context';
import type { ByocConfig } from '../../lambdas/relay/store/config-store';
import { VirtualClock } from '../../local/virtual-clock';

test('a stale context is served while one reload runs; a fresh read is consistent and wins over an older reload', async () => {
  const clock = new VirtualClock({ start: 0, autoAdvance: false });
  const reads: Array<{ fresh: boolean; finish: (region: string) => void }> = [];
  const configs = {
    get: (_tenantId: string, fresh = false) => new Promise<ByocConfig | undefined>((resolve) => {
      reads.push({ fresh, finish: (region) => resolve({ region } as ByocConfig) });
    }),
  };
  const domains = { list: async () => [] };
  const loader = new SendContextLoader(configs, domains, clock, { ttlMs: 5_000 });

  const cold = [loader.load('t1'), loader.load('t1')];
  expect(reads).toHaveLength(1);
  reads[0]!.finish('eu-west-1');
  expect((await Promise.all(cold)).map((c) => c.config?.region)).toEqual(['eu-west-1', 'eu-west-1']);

  await clock.advance(3_000);
  expect((await loader.load('t1')).config?.region).toBe('eu-west-1'); // served stale, reload behind it
  expect((await loader.load('t1')).config?.region).toBe('eu-west-1');
  expect(reads.map((r) => r.fresh)).toEqual([false, false]);

  const fresh = loader.load('t1', { fresh: true }); // before a refusal: its own consistent read
  expect(reads.map((r) => r.fresh)).toEqual([false, false, true]);
  reads[2]!.finish('us-east-1');
  expect((await fresh).config?.region).toBe('us-east-1');
  reads[1]!.finish('eu-west-1'); // the older background reload lands late
  await new Promise((resolve) => setImmediate(resolve));
  expect((await loader.load('t1')).config?.region).toBe('us-east-1');
});
