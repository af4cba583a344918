/**
 * Decides whether a send may count its rate window alongside the SES call instead of before it.
 *
 * The rate window in DynamoDB is exact; waiting for it before calling SES puts a second round
 * trip on every send. This container keeps, per API key and minute, the highest count DynamoDB
 * returned and the window writes it has started that have not returned yet. Every one of those
 * writes may land before a new one, so their sum bounds the window as this container leaves it.
 * While that bound plus this send is at most `headroom` of the limit (default half), the send
 * writes its window concurrently with SES: its write cannot be refused by this container's own
 * sends, so one container never exceeds the limit. Near the limit, or without a count for this
 * minute yet, the send waits for its write first. Overshoot would need more than half the limit to
 * arrive from other containers within one round trip.
 */
import { utcMinute, type RateWindow } from '../store/limits-store';

export const DEFAULT_HEADROOM = 0.5;

interface Estimate {
  minute: string;
  /** The highest count DynamoDB returned this minute; undefined before the first answer. */
  observed?: number;
  /** Window writes started in this container this minute that have not returned. */
  inFlight: number;
}

/** One send's window write: whether SES may go first, and what the write returned. */
export interface WindowTicket {
  readonly overlap: boolean;
  /** The write returned (the window) or failed (undefined). */
  settle(window: RateWindow | undefined): void;
}

export class RateGuard {
  private readonly estimates = new Map<string, Estimate>();

  constructor(private readonly headroom = DEFAULT_HEADROOM, private readonly maxKeys = 10_000) {}

  /** Call when the send starts its window write; `overlap` says whether SES may be called meanwhile. */
  begin(keyId: string, limit: number, at: Date): WindowTicket {
    const minute = utcMinute(at);
    const estimate = this.estimateFor(keyId, minute);
    const overlap = estimate.observed !== undefined && estimate.observed + estimate.inFlight + 1 <= limit * this.headroom;
    estimate.inFlight += 1;
    let settled = false;
    return {
      overlap,
      settle: (window) => {
        if (settled) return;
        settled = true;
        const current = this.estimates.get(keyId);
        if (current?.minute !== minute) return;
        current.inFlight -= 1;
        if (window) current.observed = Math.max(current.observed ?? 0, window.count);
      },
    };
  }

  private estimateFor(keyId: string, minute: string): Estimate {
    const current = this.estimates.get(keyId);
    if (current?.minute === minute) return current;
    if (!current && this.estimates.size >= this.maxKeys) {
      const oldest = this.estimates.keys().next().value;
      if (oldest !== undefined) this.estimates.delete(oldest);
    }
    const fresh: Estimate = { minute, inFlight: 0 };
    this.estimates.set(keyId, fresh);
    return fresh;
  }
}
