/**
 * The send pipeline: the one use case behind every send route. It sends 1 to 100 messages (a single
 * send is a batch of one) with one rate-window count, one account context, one Idempotency-Key
 * claim and one time budget, and answers an outcome per message, or a refusal of the whole request.
 * It knows nothing of HTTP: the adapters in http/ parse, build the command and present the outcome.
 *
 * Counting: the key's per-minute window counts the request once, whatever its size (BYOC: alongside
 * the context load, or alongside SES while far below the limit, see RateGuard; a Starter single
 * send in the same write as its month). The Starter month counts each message.
 *
 * Failure semantics (what a customer may retry is in docs/decisions.md):
 * - Once SES returned a MessageId the message is accepted, whatever fails afterwards: its Starter
 *   reservation stays counted and its outcome is kept for the Idempotency-Key.
 * - An attempt whose outcome is unknown is never retried: the message is `ses_outcome_unknown`,
 *   its reservation stays counted, and the key keeps that outcome.
 * - No SES attempt starts after the time budget: messages left are `time_budget_exhausted`, not
 *   sent, and a retry with the same key sends only them.
 * - With a key, every message is recorded as started before its SES attempt (a single send's claim
 *   does it), so a retry after a run that died never sends a message twice (idempotency-store.ts).
 *
 * A sending key restricted to domains refuses, per message, a `from` on another domain
 * (`from_domain_not_allowed`) before anything else: from the principal, without a read.
 *
 * Remote calls on a warm BYOC single send: one DynamoDB write (the rate window) and one SES call;
 * the key, config and session come from memory. Nothing of a message is stored or logged.
 */
import { dateOf, outgoing, type Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import { refusal, type Refusal } from '../../shared/refusal';
import type { Principal } from '../auth/authenticator';
import { fromDomainRefusal } from '../auth/scopes';
import type { CustomerAccount, CustomerAccounts } from '../customer-account/customer-account';
import { DeadlinePassedError, RoleNotAssumableError, SesPermissionDeniedError, SesRefusedError } from '../customer-account/errors';
import { SES_REQUEST_TIMEOUT_MS } from '../customer-account/sessions';
import { customerAccountRefusal } from '../error-map';
import type { Claim, RecordedProgress, StoredOutcome, StoredResult } from '../store/idempotency-store';
import type { RateWindow, StarterReservation } from '../store/limits-store';
import type { PreparedMessage } from './message/prepared';
import type { SendRequest } from './message/request';
import {
  accepted, fromStoredResult, idempotencyInProgress, idempotencyKeyReused, keptForTheKey, mayHaveBeenSent, notStarted,
  rateLimited, refused, startNotRecorded, storedOutcomes, toStoredResult, unexpectedFailure, usageLimitExceeded, usageNotCounted, withOwnValidation, type MessageOutcome,
} from './outcomes';
import type { RateGuard } from './rate-guard';
import { checkReadyToSend, type ReadyToSend, type SendContext } from './send-context';

/** Ports: what the pipeline calls, implemented by the DynamoDB stores and the customer account. */
export interface RateWindows {
  hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow>;
}
export interface UsageLedger {
  /** Starter, one message: its minute window and its send of the month in one write. */
  reserveStarter(tenantId: string, keyId: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation>;
  /** Starter, several messages: the window once, then the month message by message. */
  hitStarterWindow(tenantId: string, keyId: string, perMinute: number, at: Date): Promise<RateWindow>;
  reserveMonthly(tenantId: string, perMonth: number, at: Date): Promise<{ reserved: boolean; month: string; id?: string }>;
  /** Gives back a reservation SES did not turn into an accepted message; by its id, a retried release cannot give back twice. */
  releaseMonthly(tenantId: string, month: string, id?: string): Promise<void>;
}
export interface IdempotencyLedger {
  claim(tenantId: string, keyHash: string, requestHash: string, now: Date, options?: { started?: number[] }): Promise<Claim>;
  record(tenantId: string, keyHash: string, started: number[], results: StoredResult[]): Promise<void>;
  complete(tenantId: string, keyHash: string, outcome: StoredOutcome): Promise<void>;
  reopen(tenantId: string, keyHash: string, results: StoredResult[]): Promise<void>;
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
  /** How long after the request arrived an SES attempt may still start (see customer-account.ts). */
  budgetMs?: number;
  /** Asks the account health check to look at a tenant whose send failed the way it detects (health/). */
  healthRechecks?: HealthRechecks;
}

export interface HealthRechecks {
  request(tenantId: string): Promise<void>;
}

/** Failures the health check detects and records: a role refused, a permission gone, sending paused. */
const healthDetects = (error: unknown): boolean => error instanceof RoleNotAssumableError || error instanceof SesPermissionDeniedError
  || (error instanceof SesRefusedError && error.errorCode === 'AccountSendingPausedException');

/** One message to send: validated, and built as SES will measure it, before anything is counted. */
export interface SendItem {
  index: number;
  request: SendRequest;
  message: PreparedMessage;
}
/** A message of a batch refused before the pipeline (its own validation): kept as its outcome. */
export interface RefusedItem {
  index: number;
  refusal: Refusal;
}

export interface SendCommand {
  items: ReadonlyArray<SendItem | RefusedItem>;
  principal: Principal;
  /** Hashes of the Idempotency-Key and of the request, when the caller sent a key. */
  idempotency?: { keyHash: string; requestHash: string };
  log: Logger;
  /** When the request arrived (epoch ms): the time budget runs from here. Default: now. */
  receivedAt?: number;
}

export type SendOutcome =
  | { kind: 'done'; messages: MessageOutcome[]; rate?: RateWindow; replayed: boolean }
  | { kind: 'refused'; refusal: Refusal; rate?: RateWindow; replayed: boolean };

/** API Gateway gives up at 29 s and the Lambda at 28 s: the last attempt (5 s at most) and our writes fit after this. */
export const SEND_BUDGET_MS = 20_000;
export const MAX_BATCH_MESSAGES = 100;
/** Messages of one request in flight at once; the pacer still spaces them to MaxSendRate. */
const CONCURRENCY = 8;

const isSendable = (item: SendItem | RefusedItem): item is SendItem => 'message' in item;

/** The one place a message leaves for SES. */
const transmit = (account: CustomerAccount, message: PreparedMessage): Promise<string> => account.send(message);

/**
 * How many of the batch's first messages can be sent at `maxSendRate` recipients per second inside
 * the budget, leaving one SES attempt's timeout for the last send. The pacer lets one recipient go at
 * once, then one every 1/rate seconds. Unknown rate: no pacing, every size fits. (SES's own latency
 * is not modelled: messages the budget leaves no room for are answered not sent.)
 */
export function largestFittingBatch(items: ReadonlyArray<SendItem | RefusedItem>, maxSendRate: number | undefined, budgetMs: number): number {
  if (!maxSendRate || !(maxSendRate > 0)) return items.length;
  const pacingMs = budgetMs - SES_REQUEST_TIMEOUT_MS;
  let recipients = 0;
  for (const [position, item] of items.entries()) {
    if (!isSendable(item)) continue;
    recipients += new Set([...item.request.to, ...item.request.cc, ...item.request.bcc]).size;
    if (((recipients - 1) / maxSendRate) * 1000 > pacingMs) return position;
  }
  return items.length;
}

/**
 * Records, for an Idempotency-Key, the messages about to start and the outcomes kept so far: each
 * message's SES attempt waits for a write that holds its start; messages starting while a write is
 * in flight share the next one.
 */
class ProgressRecorder {
  private starts: number[] = [];
  private results: StoredResult[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(private readonly write: (started: number[], results: StoredResult[]) => Promise<void>) {}

  starting(index: number): Promise<void> {
    this.starts.push(index);
    if (this.queued) return this.queued;
    const queued = this.chain.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.write(this.starts.splice(0), this.results.splice(0));
    });
    this.queued = queued;
    this.chain = queued;
    return queued;
  }

  finished(outcome: MessageOutcome): void {
    if (keptForTheKey(outcome)) this.results.push(toStoredResult(outcome));
  }
}

/**
 * Runs `run` over the items, `size` at a time. A failing item becomes `failed(item, error)`: the pool
 * never rejects while other workers still send (an answer must not leave messages going out behind it).
 */
async function inPool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>, failed: (item: T, error: unknown) => R): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next++;
      const item = items[position]!;
      results[position] = await run(item).catch((error: unknown) => failed(item, error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
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

export function createSendPipeline(deps: SendDeps) {
  const budgetMs = deps.budgetMs ?? SEND_BUDGET_MS;

  /** The checks before sending, per message; a refusal is confirmed on freshly read state (once per request). */
  async function readinessOf(tenantId: string, context: SendContext, items: readonly SendItem[]) {
    let checked = items.map((item) => checkReadyToSend(tenantId, context, item.request.fromDomain, deps.relayAccountId));
    if (checked.some((r) => 'refusal' in r)) {
      // A validation or verification that just passed must not be refused from a cached "no".
      const fresh = await deps.contexts.load(tenantId, { fresh: true });
      checked = items.map((item) => checkReadyToSend(tenantId, fresh, item.request.fromDomain, deps.relayAccountId));
    }
    return checked;
  }

  return async function send(command: SendCommand): Promise<SendOutcome> {
    const { principal, log } = command;
    // The key's own limit first, from the principal (no read): a message it may not send is refused
    // before anything is counted, and a request with nothing else to send counts and claims nothing.
    const items = command.items.map((item) => {
      const why = isSendable(item) ? fromDomainRefusal(principal, item.request.fromDomain) : undefined;
      return why ? { index: item.index, refusal: why } : item;
    });
    const unsendable = items.filter((item): item is RefusedItem => !isSendable(item));
    if (unsendable.length === items.length && unsendable.some((item) => item.refusal.code === 'from_domain_not_allowed')) {
      return { kind: 'done', messages: unsendable.map((item) => refused(item.index, item.refusal)), replayed: false };
    }
    const { keyId, tenantId } = principal;
    const perMinute = principal.profile.sends_per_minute;
    const perMonth = principal.profile.monthly_sends;
    const at = dateOf(deps.clock);
    const deadline = (command.receivedAt ?? at.getTime()) + budgetMs;
    const single = items.length === 1;
    /**
     * Our own writes end by the time the last SES attempt would (deadline + its timeout), so the
     * answer comes before the Lambda's timeout; a write cut short counts as failed.
     */
    const answerBy = deadline + SES_REQUEST_TIMEOUT_MS;
    const bounded = <T>(write: Promise<T>): Promise<T> => deps.clock.withTimeout(Math.max(0, answerBy - deps.clock.now()), (signal) => new Promise<T>((resolve, reject) => {
      write.then(resolve, reject);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }));
    const boundedWrite = <T>(write: () => Promise<T>): Promise<T> => bounded(outgoing(deps.clock, write));

    // The key's minute window, once for the request. BYOC: counted while the context loads or, for a
    // single send far below the limit, while SES sends. A Starter batch counts it on the usage item;
    // a Starter single send with its month, after the checks.
    let counting: Promise<RateWindow> | undefined;
    let overlap = false;
    if (perMonth === null) {
      const ticket = deps.rateGuard.begin(keyId, perMinute, at);
      overlap = single && ticket.overlap;
      counting = deps.rateWindows.hitRateWindow(keyId, perMinute, at).then(
        (window) => { ticket.settle(window); return window; },
        (error: unknown) => { ticket.settle(undefined); throw error; },
      );
    } else if (!single) {
      counting = deps.usage.hitStarterWindow(tenantId, keyId, perMinute, at);
    }
    counting?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const [context, counted] = await Promise.all([deps.contexts.load(tenantId), overlap ? undefined : counting]);
    let rate = counted;
    const windowCounted = async () => (rate ??= counting ? await countedAlongside(bounded(counting), perMinute, at, log) : undefined);
    const refuseRequest = async (why: Refusal): Promise<SendOutcome> => ({ kind: 'refused', refusal: why, rate: await windowCounted(), replayed: false });

    const outcomes = new Map<number, MessageOutcome>();
    const sendable = items.filter(isSendable);
    const ownRefusals = new Map(items.flatMap((item) => (isSendable(item) ? [] : [[item.index, item.refusal] as const])));
    for (const [index, why] of ownRefusals) outcomes.set(index, refused(index, why));
    const checks = await readinessOf(tenantId, context, sendable);
    let ready: ReadyToSend | undefined;
    let toSend: SendItem[] = [];
    sendable.forEach((item, position) => {
      const check = checks[position]!;
      if ('refusal' in check) outcomes.set(item.index, refused(item.index, check.refusal));
      else {
        ready ??= check.ready;
        toSend.push(item);
      }
    });

    if (toSend.length > 0 && rate && !rate.allowed) return refuseRequest(rateLimited(rate));
    if (!single) {
      const fits = largestFittingBatch(items, context.config?.max_send_rate ?? undefined, budgetMs);
      if (fits < items.length) {
        return refuseRequest(refusal('invalid_request', `At your SES account's sending rate (${context.config?.max_send_rate} recipients per second) this batch cannot be sent within the ${budgetMs / 1000} s a request may take. Send at most ${fits} messages per batch (fewer with several recipients each); nothing was sent.`, { facts: { max_messages: fits } }));
      }
    }

    // One claim for the request. A single send records its message as started with the claim.
    // Every message refused by its own validation: nothing is claimed, nothing kept. A message refused
    // by the readiness check still claims: an earlier run of this request may have sent it.
    const key = sendable.length > 0 ? command.idempotency : undefined;
    let earlier: RecordedProgress | undefined;
    if (key) {
      const claim = await deps.idempotency.claim(tenantId, key.keyHash, key.requestHash, at, single && toSend.length === 1 ? { started: [toSend[0]!.index] } : {});
      if (claim.kind === 'mismatch') return refuseRequest(idempotencyKeyReused());
      if (claim.kind === 'in_progress') return refuseRequest(idempotencyInProgress());
      if (claim.kind === 'replay') return { kind: 'done', messages: withOwnValidation(storedOutcomes(claim.outcome), ownRefusals), rate: await windowCounted(), replayed: true };
      earlier = claim.earlier;
    }
    if (earlier) {
      // What an earlier run of this request did stays done, whatever the readiness check says now (a
      // domain may have stopped verifying since): a message it started without an outcome may have been sent.
      const recorded = new Map(earlier.results.map((r) => [r.index, fromStoredResult(r)]));
      const started = new Set(earlier.started);
      const done = new Set<number>();
      for (const item of sendable) {
        const outcome = recorded.get(item.index) ?? (earlier.unknown || started.has(item.index) ? refused(item.index, mayHaveBeenSent()) : undefined);
        if (!outcome) continue;
        outcomes.set(item.index, outcome);
        done.add(item.index);
      }
      toSend = toSend.filter((item) => !done.has(item.index));
    }
    const attempted = toSend.length > 0;

    /** Keeps what must be kept for the key; frees it when nothing was (every message may pass on retry). */
    const settleKey = async (messages: MessageOutcome[]) => {
      if (!key) return;
      const kept = messages.filter(keptForTheKey).map(toStoredResult);
      const write = boundedWrite(() => (kept.length === 0 ? deps.idempotency.release(tenantId, key.keyHash)
        : kept.length === messages.length ? deps.idempotency.complete(tenantId, key.keyHash, { messages: kept })
          : deps.idempotency.reopen(tenantId, key.keyHash, kept)));
      await write.catch(() => log.error('idempotency outcome not stored; the key stays claimed until its lease ends', { outcome: 'post_acceptance_failure', step: 'idempotency_complete' }));
    };
    const finish = async (): Promise<SendOutcome> => {
      const messages = items.map((item) => outcomes.get(item.index)!);
      await settleKey(messages);
      return { kind: 'done', messages, rate: await windowCounted(), replayed: earlier !== undefined && !attempted };
    };

    // A Starter single send counts its window and its month in one write.
    let singleMonth: { month: string; id?: string } | undefined;
    if (perMonth !== null && single && toSend.length === 1) {
      let reservation: StarterReservation;
      try {
        reservation = await deps.usage.reserveStarter(tenantId, keyId, { perMinute, perMonth }, at);
      } catch (error) {
        await settleKey([]);
        throw error;
      }
      rate = reservation.rate;
      if (!rate.allowed) {
        await settleKey([]);
        return refuseRequest(rateLimited(rate));
      }
      if (!reservation.reserved) {
        outcomes.set(toSend[0]!.index, refused(toSend[0]!.index, usageLimitExceeded(perMonth)));
        toSend = [];
      }
      singleMonth = { month: reservation.month, id: reservation.id };
    }
    if (!ready || toSend.length === 0) return finish();

    const target = { tenantId, roleArn: ready.roleArn, externalId: ready.externalId, previousExternalId: ready.previousExternalId, region: ready.region };
    const account = deps.accounts.open(target, { deadline, maxSendRate: ready.maxSendRate, configurationSet: ready.configurationSet });
    const progress = key && !single ? new ProgressRecorder((started, results) => boundedWrite(() => deps.idempotency.record(tenantId, key.keyHash, started, results))) : undefined;
    const failureContext = { relayAccountId: deps.relayAccountId, region: ready.region };

    const unexpected = (item: SendItem, error: unknown): MessageOutcome => {
      // Anything we cannot name may have happened after SES took the message: keep the count and the outcome.
      log.error('message failed unexpectedly', { outcome: 'internal_error', index: item.index, error_name: error instanceof Error ? error.name : typeof error });
      return refused(item.index, unexpectedFailure());
    };
    let recheckRequested = false;
    /** Once per request, on the failure path only; a failure to ask never changes the send's answer. */
    const requestRecheck = async () => {
      if (recheckRequested || !deps.healthRechecks) return;
      recheckRequested = true;
      await boundedWrite(() => deps.healthRechecks!.request(tenantId)).catch(() => log.warn('health re-check not requested', { outcome: 'health_recheck_failed' }));
    };
    const release = (month: { month: string; id?: string } | undefined) => month && deps.usage.releaseMonthly(tenantId, month.month, month.id).catch(() => log.warn('monthly reservation not released', { outcome: 'usage_release_failed' }));
    const sendOne = async (item: SendItem): Promise<MessageOutcome> => {
      if (deps.clock.now() >= deadline) {
        await release(singleMonth); // a Starter single send's month was reserved with its window; no attempt was made
        return refused(item.index, notStarted(budgetMs));
      }
      let month = singleMonth;
      if (perMonth !== null && !single) {
        // A reservation whose answer was lost is withdrawn by the store (by its id): the message is not sent, and counts nothing.
        const reservation = await deps.usage.reserveMonthly(tenantId, perMonth, at).catch(() => undefined);
        if (!reservation) {
          log.warn('monthly reservation failed', { outcome: 'usage_reservation_failed', index: item.index });
          return refused(item.index, usageNotCounted());
        }
        if (!reservation.reserved) return refused(item.index, usageLimitExceeded(perMonth));
        month = { month: reservation.month, id: reservation.id };
      }
      const giveBackMonth = () => release(month);
      try {
        await progress?.starting(item.index);
      } catch {
        await giveBackMonth();
        return refused(item.index, startNotRecorded());
      }
      try {
        return accepted(item.index, await transmit(account, item.message));
      } catch (error) {
        if (healthDetects(error)) await requestRecheck();
        const why = error instanceof DeadlinePassedError ? notStarted(budgetMs) : customerAccountRefusal(error, failureContext);
        if (!why) return unexpected(item, error);
        if (why.code !== 'ses_outcome_unknown') await giveBackMonth();
        return refused(item.index, why);
      }
    };
    const sendOrFail = (item: SendItem) => sendOne(item).catch((error: unknown) => unexpected(item, error));
    await inPool(toSend, CONCURRENCY, async (item) => {
      const outcome = await sendOrFail(item);
      outcomes.set(item.index, outcome);
      progress?.finished(outcome);
    }, (item, error) => { outcomes.set(item.index, unexpected(item, error)); });
    return finish();
  };
}
