/**
 * A token bucket read and written at given instants, so tests choose the time. Tokens refill at
 * `rate` per second up to `capacity`. A request that costs more than the whole capacity (a message
 * to more recipients than the burst) is accepted only from a full bucket and leaves it in debt,
 * so the average never exceeds the rate and no request is impossible.
 */
export interface BucketLimits {
  /** tokens per second */
  rate: number;
  /** the most tokens the bucket holds: the burst */
  capacity: number;
}

export class TokenBucket {
  private tokens: number | undefined;
  private updatedAt = 0;

  /** Takes `cost` tokens at `now` (ms) if there are enough; false leaves the bucket unchanged. */
  tryTake(cost: number, now: number, limits: BucketLimits): boolean {
    const available = this.available(now, limits);
    // a hair of tolerance: 1/14 s at 14 per second must refill one whole token despite floating point
    if (available + 1e-9 < Math.min(cost, limits.capacity)) return false;
    this.tokens = available - cost;
    return true;
  }

  /** The tokens there would be at `now`, for views and tests. */
  available(now: number, { rate, capacity }: BucketLimits): number {
    if (this.tokens === undefined) {
      this.tokens = capacity;
      this.updatedAt = now;
    }
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(capacity, this.tokens + elapsedSeconds * rate);
    this.updatedAt = Math.max(this.updatedAt, now);
    return this.tokens;
  }
}
