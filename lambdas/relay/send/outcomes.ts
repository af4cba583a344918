/**
 * What the send pipeline answers, in our words and without HTTP: per-message outcomes, the named
 * refusals of the send path, and how an outcome is kept for an Idempotency-Key and read back
 * (records written before outcomes were kept this way included). The adapters present them.
 */
import { refusal, type Refusal } from '../../shared/refusal';
import type { RateWindow } from '../store/limits-store';
import type { StoredOutcome, StoredResult } from '../store/idempotency-store';

/** What became of one message: accepted by SES with its id, or refused (and why). */
export type MessageOutcome =
  | { index: number; accepted: true; messageId: string }
  | { index: number; accepted: false; refusal: Refusal };

export const accepted = (index: number, messageId: string): MessageOutcome => ({ index, accepted: true, messageId });
export const refused = (index: number, why: Refusal): MessageOutcome => ({ index, accepted: false, refusal: why });

export const rateLimited = (window: RateWindow): Refusal =>
  refusal('rate_limited', `More than ${window.limit} send requests this minute for this API key. Retry after ${window.resetInSeconds} s.`, { retryAfterSeconds: window.resetInSeconds });

export const usageLimitExceeded = (perMonth: number): Refusal =>
  refusal('usage_limit_exceeded', `Your plan allows ${perMonth} sends per calendar month (UTC) and they are used. The count starts again on the 1st at 00:00 UTC, or ask SendFleet to move you to the BYOC plan.`);

export const idempotencyKeyReused = (): Refusal =>
  refusal('idempotency_key_reused', 'This Idempotency-Key was used in the last 24 h with a different request. Use a new key for a new request.');

export const idempotencyInProgress = (): Refusal =>
  refusal('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a few seconds to get its result.', { retryAfterSeconds: 2 });

/** A message the request's time budget left no room for: nothing of it reached SES. */
export const notStarted = (budgetMs: number): Refusal =>
  refusal('time_budget_exhausted', `Not sent: the request's ${budgetMs / 1000} s time budget ended before this message's turn (your SES account answers slowly or its sending rate is low). Retry it: with the same Idempotency-Key a retry sends only the messages not sent yet.`, { retryAfterSeconds: 1 });

/** A message an earlier run of this request had begun sending when it stopped. */
export const mayHaveBeenSent = (): Refusal =>
  refusal('ses_outcome_unknown', 'An earlier attempt of this request stopped while this message was being sent: it may or may not have been sent, and SendFleet will not send it again. Check the recipient\'s inbox before sending it again with a new Idempotency-Key.');

/** With an Idempotency-Key, a message is sent only once its start is recorded; that write failed. */
export const startNotRecorded = (): Refusal =>
  refusal('upstream_unavailable', 'Not sent: SendFleet could not record that this message was about to be sent (its store did not answer), so it did not send it. Retry in a few seconds.', { retryAfterSeconds: 2 });

/** A Starter message whose reservation of the month could not be made: it was not sent. */
export const usageNotCounted = (): Refusal =>
  refusal('upstream_unavailable', 'Not sent: SendFleet could not count this message against your plan (its store did not answer), so it did not send it. Retry in a few seconds.', { retryAfterSeconds: 2 });

/** An error we cannot name, which may have followed SES's acceptance. */
export const unexpectedFailure = (): Refusal =>
  refusal('internal_error', 'Unexpected error while sending this message; it may or may not have been sent, and SendFleet will not send it again on its own. Check before sending it again.');

/**
 * Outcomes a retry with the same Idempotency-Key gets again instead of a new attempt: an accepted
 * message, SES's verdict on it, "may have been sent", and a batch message's own validation (the same
 * request is the same message). Anything else proved nothing was sent and
 * may pass on retry (limits, throttling, permissions, the time budget), so the retry tries again.
 */
const KEPT_FOR_THE_KEY = new Set<string>(['invalid_request', 'request_too_large', 'ses_rejected', 'ses_outcome_unknown', 'internal_error']);

export const keptForTheKey = (outcome: MessageOutcome): boolean => outcome.accepted || KEPT_FOR_THE_KEY.has(outcome.refusal.code);

/**
 * A message's own validation: the same request (its fingerprint is checked) gives the same verdict,
 * so only the code is kept and the detail, which speaks of the caller's input, is derived again.
 */
const OWN_VALIDATION = new Set<string>(['invalid_request', 'request_too_large']);

export function toStoredResult(outcome: MessageOutcome): StoredResult {
  if (outcome.accepted) return { index: outcome.index, message_id: outcome.messageId };
  if (OWN_VALIDATION.has(outcome.refusal.code)) return { index: outcome.index, error: outcome.refusal.code };
  return { index: outcome.index, error: outcome.refusal.code, detail: outcome.refusal.detail };
}

/** Outcomes read back for a key, with each message's own validation taken from this run's (same request, same verdict). */
export function withOwnValidation(messages: MessageOutcome[], own: ReadonlyMap<number, Refusal>): MessageOutcome[] {
  return messages.map((m) => {
    const refusalNow = own.get(m.index);
    return !m.accepted && OWN_VALIDATION.has(m.refusal.code) && refusalNow ? refused(m.index, refusalNow) : m;
  });
}

export function fromStoredResult(result: StoredResult): MessageOutcome {
  if (result.message_id) return accepted(result.index, result.message_id);
  return refused(result.index, refusal((result.error ?? 'ses_rejected') as Refusal['code'], result.detail ?? ''));
}

/** A finished request's stored outcome as per-message outcomes, whichever code wrote it. */
export function storedOutcomes(outcome: StoredOutcome): MessageOutcome[] {
  if (outcome.messages) return outcome.messages.map(fromStoredResult);
  if (outcome.results) return outcome.results.map(fromStoredResult);
  if (outcome.http_status === 200 && outcome.message_id) return [accepted(0, outcome.message_id)];
  return [fromStoredResult({ index: 0, error: outcome.error, detail: outcome.detail })];
}
