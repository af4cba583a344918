/**
 * Decides whether a send may count its rate window alongside the SES call instead of before it.
 *
 * The rate window in DynamoDB is exact; waiting for it before calling SES puts a second round
 * trip on every send. This container remembers, per API key and minute, the last count DynamoDB
 * returned plus the sends it has started since. While that estimate is at most `headroom` of the
 * limit (default half), the send writes its window concurrently with SES; near the limit, or
 * without a fresh count for this minute, it waits for the write first, so the limit is enforced
 * exactly where it matters. Overshoot would need more than half the limit to arrive from other
 * containers within one round trip.
 */
import { utcMinute } from '../store/limits-store';

export const DEFAULT_HEADROOM = 0.5;

interface Estimate {
  minute: string;
  count: number;
}

export class RateGuard {
  private readonly estimates = new Map<string, Estimate>();

  constructor(private readonly headroom = DEFAULT_HEADROOM, private readonly maxKeys = 10_000) {}

  /** True when this send may count its window concurrently with SES; counts it in the estimate. */
  mayOverlap(keyId: string, limit: number, at: Date): boolean {
    const estimate = this.estimates.get(keyId);
    if (!estimate || estimate.minute !== utcMinute(at) || estimate.count + 1 > limit * this.headroom) return false;
    estimate.count += 1;
    return true;
  }

  /** Records the count DynamoDB returned for the key's window. */
  observe(keyId: string, count: number, at: Date): void {
    const minute = utcMinute(at);
    const current = this.estimates.get(keyId);
    if (current?.minute === minute && current.count >= count) return;
    if (!current && this.estimates.size >= this.maxKeys) {
      const oldest = this.estimates.keys().next().value;
      if (oldest !== undefined) this.estimates.delete(oldest);
    }
    this.estimates.set(keyId, { minute, count });
  }
}
