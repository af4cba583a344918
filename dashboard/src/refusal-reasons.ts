/**
 * Why SendFleet refused sends, in words for the Usage screen: each error code the relay counts, said
 * as a reason (several codes share one). Pure, so tests read it without a browser.
 */
export const REFUSAL_REASONS: Record<string, string> = {
  invalid_request: 'the message was not valid (an address, a field or its size)',
  request_too_large: 'the message was not valid (an address, a field or its size)',
  domain_not_registered: 'from a domain that is not one of yours',
  domain_not_verified: 'from a domain SES has not verified yet',
  dkim_not_verified: 'from a domain SES has not verified yet',
  from_domain_not_allowed: 'from a domain the API key may not send from',
  rate_limited: 'more sends in a minute than the key may make',
  usage_limit_exceeded: 'over the plan\'s monthly limit',
  byoc_not_validated: 'your AWS role was not connected or not usable',
  byoc_disconnected: 'your AWS role was not connected or not usable',
  could_not_assume_role: 'your AWS role was not connected or not usable',
  missing_permission: 'your AWS role was not connected or not usable',
  ses_rejected: 'your SES account refused the message',
  configuration_set_missing: 'your SES account refused the message',
  sending_disabled: 'your SES account refused the message',
  ses_throttled: 'your SES account\'s sending rate or daily quota was used up',
  ses_unavailable: 'AWS did not answer in time',
  upstream_unavailable: 'AWS did not answer in time',
  time_budget_exhausted: 'AWS did not answer in time',
  ses_outcome_unknown: 'AWS did not answer in time',
  idempotency_key_reused: 'a retry reused an idempotency key',
  idempotency_in_progress: 'a retry reused an idempotency key',
  tenant_suspended: 'your SendFleet account was suspended',
  internal_error: 'an error on SendFleet\'s side',
};

/** A day's refusals as reasons with their counts, most first ("2 from a domain that is not one of yours"). */
export function refusalReasons(codes: Readonly<Record<string, number>>): Array<{ reason: string; count: number }> {
  const byReason = new Map<string, number>();
  for (const [code, count] of Object.entries(codes)) {
    const reason = REFUSAL_REASONS[code] ?? 'another reason';
    byReason.set(reason, (byReason.get(reason) ?? 0) + count);
  }
  return [...byReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}
