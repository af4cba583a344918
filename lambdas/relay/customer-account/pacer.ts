/**
 * Client-side pacing of calls into one customer account and region, so that this container does not
 * itself exceed what SES allows (MaxSendRate recipients per second for sends; about one request per
 * second for identity and account calls). A token bucket per key: `take(n)` resolves when n tokens
 * are available, reserving them at once, so concurrent callers queue in arrival order.
 *
 * It only spaces this container's own calls; calls from other containers still meet SES's limit and
 * are handled by the retry policy (customer-account.ts). A request never waits past its deadline:
 * `take` answers false instead: a send is then not made, any other call goes ahead and leaves SES
 * to decide (customer-account.ts).
 */

interface Bucket {
  /** Time (ms) at which the bucket is full again, given the reservations so far. */
  fullAt: number;
}

import type { Clock } from '../../shared/clock';

export class Pacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock, private readonly maxKeys = 1_000) {}

  /**
   * Waits until `n` tokens of a bucket refilling at `ratePerSecond` (holding at most `burst`) are
   * free, then takes them. Resolves false without waiting when that would pass `deadline`.
   */
  async take(key: string, n: number, ratePerSecond: number, burst: number, deadline: number): Promise<boolean> {
    if (!(ratePerSecond > 0)) return true;
    const now = this.clock.now();
    const msPerToken = 1000 / ratePerSecond;
    const bucket = this.bucket(key, now);
    // Tokens free now = burst - (fullAt - now) / msPerToken; we need n of them.
    const start = Math.max(now, bucket.fullAt - (burst - Math.min(n, burst)) * msPerToken);
    const wait = start - now;
    if (now + wait > deadline) return false;
    bucket.fullAt = Math.max(bucket.fullAt, now) + n * msPerToken;
    if (wait > 0) await this.clock.sleep(wait);
    return true;
  }

  private bucket(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { fullAt: now };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
