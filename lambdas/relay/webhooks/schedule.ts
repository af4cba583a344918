/**
 * When a webhook delivery is attempted: Svix's retry schedule (docs.svix.com/retries): immediately,
 * then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure — 8 attempts over about
 * 27 h 35 min, so an endpoint down for a day still receives every notification.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;

/** How long to wait after failed attempt `attempt` (1-based) before the next; undefined once the schedule is spent. */
export function delayAfterFailedAttempt(attempt: number): number | undefined {
  return RETRY_SCHEDULE_MS[attempt];
}

/** Each attempt's own limit: a receiver that has not answered 2xx by then has failed this attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
