/**
 * Closed-loop load: `concurrency` workers each send, wait for the answer, send again, until
 * `total` sends are done. Every send's latency is recorded with process.hrtime.bigint().
 */
export type SendFn = () => Promise<void>;

export async function runPool(send: SendFn, total: number, concurrency: number, latenciesMs: number[]): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started += 1;
      const t0 = process.hrtime.bigint();
      await send();
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** `items` rotated left by `by`: round r of an interleaved run starts with a different variant. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
