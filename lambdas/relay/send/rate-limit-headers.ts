/**
 * Rate-limit headers of every send response once the key is known (replays and refusals included):
 * the long-standing `X-RateLimit-Limit`/`X-RateLimit-Remaining`, and the IETF httpapi draft's
 * structured fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names the key's quota
 * and window, `RateLimit` what is left and when the window resets. The policy is known from the key
 * alone; what is left only once the request was counted against the window.
 */
import type { RateWindow } from '../store/limits-store';

/** The per-key window: a fixed UTC minute. */
const POLICY = 'per-key-minute';
const WINDOW_SECONDS = 60;

export function rateLimitHeaders(perMinute: number, rate: RateWindow | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'ratelimit-policy': `"${POLICY}";q=${perMinute};w=${WINDOW_SECONDS}` };
  if (!rate) return headers;
  const remaining = Math.max(0, rate.limit - rate.count);
  return {
    ...headers,
    ratelimit: `"${POLICY}";r=${remaining};t=${rate.resetInSeconds}`,
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': String(remaining),
  };
}
