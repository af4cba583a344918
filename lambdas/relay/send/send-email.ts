/**
 * The send use case. It takes a validated request and an authenticated principal and returns an
 * outcome; it knows nothing of HTTP (http/send-routes.ts is the adapter). Checks in the spec's order:
 * BYOC config and domain (403) → rate limit (429) → monthly limit (429) → the tenant's role and SES.
 *
 * Failure semantics (what a customer may retry is in docs/decisions.md):
 * - Once SES returned a MessageId the outcome is accepted, whatever fails afterwards: the Starter
 *   reservation stays counted and the Idempotency-Key is completed or left to its lease, never freed.
 * - A SendEmail or SendRawEmail attempt whose outcome is unknown is never retried: the answer is
 *   `ses_outcome_unknown`, the reservation stays counted, and the Idempotency-Key keeps that answer.
 * - Only failures that prove nothing was sent give the month back; of those, only SES's verdict on
 *   the message (`ses_rejected`) is kept as the key's result, the rest free the key for a retry.
 *
 * Remote calls on a warm BYOC send: one DynamoDB write (the rate window) and one SES SendEmail
 * (SendRawEmail when the message has headers or attachments);
 * the key, config and session come from memory. Nothing of the message is stored or logged.
 */
import { ApiError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { Principal } from '../auth/authenticator';
import type { CustomerAccounts } from '../customer-account/customer-account';
import { customerAccountFailure } from '../error-map';
import type { Claim, StoredOutcome } from '../store/idempotency-store';
import type { RateWindow, StarterReservation } from '../store/limits-store';
import type { RateGuard } from './rate-guard';
import { checkReadyToSend, type ReadyToSend, type SendContext } from './send-context';
import type { OutgoingMessage } from '../customer-account/ses-request';
import type { SendRequest } from './message/request';
import { dateOf, type Clock } from '../../shared/clock';

/** Ports: what the use case calls, implemented by the DynamoDB stores and the customer account. */
export interface RateWindows {
  hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow>;
}
export interface UsageLedger {
  reserveStarter(tenantId: string, keyId: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation>;
  releaseMonthly(tenantId: string, month: string): Promise<void>;
}
export interface IdempotencyLedger {
  claim(tenantId: string, keyHash: string, requestHash: string, now: Date): Promise<Claim>;
  complete(tenantId: string, keyHash: string, outcome: StoredOutcome): Promise<void>;
  release(tenantId: string, keyHash: string): Promise<void>;
}
export interface SendContexts {
  load(tenantId: string, options?: { fresh?: boolean }): Promise<SendContext>;
}

export interface SendDeps {
  contexts: SendContexts;
  rateWindows: RateWindows;
  usage: UsageLedger;
  idempotency: IdempotencyLedger;
  accounts: CustomerAccounts;
  rateGuard: RateGuard;
  relayAccountId: string;
  clock: Clock;
  /** How long a send may spend on SES retries, from its start (see customer-account.ts). */
  budgetMs?: number;
}

export interface SendCommand {
  request: SendRequest;
  /** The request as SES input, built (and size-checked) before anything is counted. */
  message: OutgoingMessage;
  principal: Principal;
  /** Hashes of the Idempotency-Key and of the request, when the caller sent a key. */
  idempotency?: { keyHash: string; requestHash: string };
  log: Logger;
  /** One message of a batch: the batch counted the key's minute window once and owns the deadline. */
  batch?: BatchMember;
}

export interface BatchMember {
  window: RateWindow;
  /** Epoch ms after which no SES attempt starts (the batch's time budget). */
  deadline: number;
  /** Starter: reserves this message's send of the month (no minute window). */
  reserveMonth(): Promise<{ reserved: boolean; month: string }>;
}

export type SendOutcome =
  | { kind: 'accepted'; messageId: string; rate?: RateWindow; replayed: boolean }
  | { kind: 'refused'; error: ApiError; rate?: RateWindow; replayed: boolean };

const DEFAULT_SEND_BUDGET_MS = 20_000;

export const rateLimited = (window: RateWindow) =>
  new ApiError('rate_limited', `More than ${window.limit} send requests this minute for this API key. Retry after ${window.resetInSeconds} s.`, { headers: { 'retry-after': String(window.resetInSeconds) } });

const usageLimitExceeded = (perMonth: number) =>
  new ApiError('usage_limit_exceeded', `Your plan allows ${perMonth} sends per calendar month (UTC) and they are used. The count starts again on the 1st at 00:00 UTC, or ask SendFleet to move you to the BYOC plan.`);

/** Outcomes a retry with the same Idempotency-Key gets again: SES's verdict, or "may have been sent". */
const KEPT_FOR_THE_KEY = new Set(['ses_rejected', 'ses_outcome_unknown']);

export function createSendEmail(deps: SendDeps) {
  const budgetMs = deps.budgetMs ?? DEFAULT_SEND_BUDGET_MS;

  /** The spec's 403 checks on the cached context; a refusal is confirmed on freshly read state. */
  async function readyToSend(tenantId: string, context: SendContext, fromDomain: string): Promise<ReadyToSend> {
    try {
      return checkReadyToSend(tenantId, context, fromDomain);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // A validation or verification that just passed must not be refused from a cached "no".
      return checkReadyToSend(tenantId, await deps.contexts.load(tenantId, { fresh: true }), fromDomain);
    }
  }

  return async function sendEmail(command: SendCommand): Promise<SendOutcome> {
    const { request, principal, log, batch } = command;
    const at = dateOf(deps.clock);
    const deadline = batch?.deadline ?? at.getTime() + budgetMs;
    const { keyId, tenantId } = principal;
    const perMinute = principal.profile.sends_per_minute;
    const perMonth = principal.profile.monthly_sends;

    // BYOC: the rate window is counted while the context loads, or — while the key is far below its
    // limit — while SES sends (see RateGuard). Starter counts it with the month, after the checks.
    const overlap = !batch && perMonth === null && deps.rateGuard.mayOverlap(keyId, perMinute, at);
    const byocRate = perMonth === null && !batch
      ? deps.rateWindows.hitRateWindow(keyId, perMinute, at).then((window) => {
        deps.rateGuard.observe(keyId, window.count, at);
        return window;
      })
      : undefined;
    byocRate?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const [context, serialRate] = await Promise.all([deps.contexts.load(tenantId), overlap ? undefined : byocRate]);
    let rate = batch?.window ?? serialRate;
    const refused = async (error: ApiError, replayed = false): Promise<SendOutcome> => {
      rate ??= byocRate ? await countedAlongside(byocRate, perMinute, at, log) : undefined;
      return { kind: 'refused', error, rate, replayed };
    };

    let ready: ReadyToSend;
    try {
      ready = await readyToSend(tenantId, context, request.fromDomain);
    } catch (error) {
      if (error instanceof ApiError) return refused(error);
      throw error;
    }
    if (rate && !rate.allowed) return refused(rateLimited(rate));

    const key = command.idempotency;
    if (key) {
      const claim = await deps.idempotency.claim(tenantId, key.keyHash, key.requestHash, at);
      if (claim.kind === 'mismatch') return refused(new ApiError('idempotency_key_reused', 'This Idempotency-Key was used in the last 24 h with a different request. Use a new key for a new message.'));
      if (claim.kind === 'in_progress') return refused(new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a few seconds to get its result.', { headers: { 'retry-after': '2' } }));
      if (claim.kind === 'replay') {
        // A replay answers with the window too, even when it was counted alongside.
        rate ??= byocRate ? await countedAlongside(byocRate, perMinute, at, log) : undefined;
        return replay(claim.outcome, rate);
      }
    }
    /** Nothing was sent: the key may be used again (best effort: a failed delete leaves it to its lease). */
    const freeKey = () => key && deps.idempotency.release(tenantId, key.keyHash).catch(() => log.warn('idempotency key not released', { outcome: 'idempotency_release_failed' }));

    let reservedMonth: string | undefined;
    if (perMonth !== null && batch) {
      const reservation = await batch.reserveMonth();
      if (!reservation.reserved) return refused(usageLimitExceeded(perMonth));
      reservedMonth = reservation.month;
    } else if (perMonth !== null) {
      let reservation: StarterReservation;
      try {
        reservation = await deps.usage.reserveStarter(tenantId, keyId, { perMinute, perMonth }, at);
      } catch (error) {
        await freeKey();
        throw error;
      }
      rate = reservation.rate;
      if (!rate.allowed || !reservation.reserved) {
        await freeKey();
        return refused(rate.allowed ? usageLimitExceeded(perMonth) : rateLimited(rate));
      }
      reservedMonth = reservation.month;
    }

    let messageId: string;
    try {
      const target = { tenantId, roleArn: ready.roleArn, externalId: ready.externalId, previousExternalId: ready.previousExternalId, region: ready.region };
      const account = deps.accounts.open(target, { deadline, maxSendRate: ready.maxSendRate });
      const { message } = command;
      messageId = message.action === 'SendRawEmail' ? await account.sendRawEmail(message.input) : await account.sendEmail(message.input);
    } catch (error) {
      const failure = customerAccountFailure(error, { relayAccountId: deps.relayAccountId, region: ready.region });
      // Anything we cannot name may have happened after SES took the message: keep the count and the claim.
      if (!(failure instanceof ApiError)) throw error;
      if (failure.code !== 'ses_outcome_unknown' && reservedMonth) {
        await deps.usage.releaseMonthly(tenantId, reservedMonth).catch(() => log.warn('monthly reservation not released', { outcome: 'usage_release_failed' }));
      }
      if (key && KEPT_FOR_THE_KEY.has(failure.code)) {
        await deps.idempotency.complete(tenantId, key.keyHash, { http_status: failure.status, error: failure.code, detail: failure.detail })
          .catch(() => log.warn('idempotency outcome not stored', { outcome: 'idempotency_complete_failed' }));
      } else {
        await freeKey();
      }
      return refused(failure);
    }

    // SES accepted the message. From here on nothing may change the answer.
    if (key) {
      await deps.idempotency.complete(tenantId, key.keyHash, { http_status: 200, message_id: messageId })
        .catch(() => log.error('idempotency outcome not stored after acceptance; the key stays claimed until its lease ends', { outcome: 'post_acceptance_failure', step: 'idempotency_complete' }));
    }
    rate ??= byocRate ? await countedAlongside(byocRate, perMinute, at, log) : undefined;
    return { kind: 'accepted', messageId, rate, replayed: false };
  };
}

/**
 * The rate window a send counted alongside SES. The message is already with SES, so a refusal here
 * (other containers filled the window meanwhile) or a failed write does not change the answer.
 */
async function countedAlongside(counting: Promise<RateWindow>, limit: number, at: Date, log: Logger): Promise<RateWindow> {
  const window = await counting.catch(() => undefined);
  if (!window) log.warn('rate window not counted', { outcome: 'rate_window_write_failed' });
  else if (!window.allowed) log.warn('rate window overshoot', { outcome: 'rate_window_overshoot' });
  return window ?? { count: 0, limit, allowed: true, resetInSeconds: 60 - at.getUTCSeconds() };
}

function replay(outcome: StoredOutcome, rate: RateWindow | undefined): SendOutcome {
  if (outcome.http_status === 200 && outcome.message_id) return { kind: 'accepted', messageId: outcome.message_id, rate, replayed: true };
  return { kind: 'refused', error: new ApiError((outcome.error ?? 'ses_rejected') as ApiError['code'], outcome.detail ?? ''), rate, replayed: true };
}
