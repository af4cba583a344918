/**
 * POST /api/send/batch: up to 100 messages in one request. The batch is one request for the key's
 * per-minute window (counted once, up front); each message is validated, checked, counted against
 * the Starter month and sent on its own by the single-send use case, so a Starter tenant with 45
 * sends left gets exactly 45 successes. Sends are paced to the account's MaxSendRate by the customer
 * account's pacer; a batch whose recipients cannot be sent at that rate inside the time budget is
 * refused before anything is sent, naming the largest size that fits. An Idempotency-Key covers the
 * whole batch and keeps its per-message results.
 */
import * as z from 'zod/mini';
import { ApiError, invalidRequest } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { parseInput } from '../../shared/validation';
import type { Principal } from '../auth/authenticator';
import { SES_REQUEST_TIMEOUT_MS } from '../customer-account/sessions';
import type { BatchResult, StoredOutcome } from '../store/idempotency-store';
import type { RateWindow } from '../store/limits-store';
import { createSendEmail, rateLimited, type SendDeps } from './send-email';
import { MAX_BODY_BYTES, parseSendRequest, type SendRequest } from './message/request';
import { prepareMessage, type PreparedMessage } from './message/prepared';
import { dateOf, type Clock } from '../../shared/clock';

export const MAX_BATCH_MESSAGES = 100;
/** Messages of one batch in flight at once; the pacer still spaces them to MaxSendRate. */
const BATCH_CONCURRENCY = 8;
const DEFAULT_BATCH_BUDGET_MS = 20_000;

/** Ports a batch adds to the single send's: the Starter window without a reservation, and the month alone. */
export interface BatchUsage {
  hitStarterWindow(tenantId: string, keyId: string, perMinute: number, at: Date): Promise<RateWindow>;
  reserveMonthly(tenantId: string, perMonth: number, at: Date): Promise<{ reserved: boolean; month: string }>;
}

export interface SendBatchDeps extends SendDeps {
  batchUsage: BatchUsage;
}

/** One message of a batch: validated on its own, so its problems become its own result (documented as a send request). */
export const batchMessage = z.unknown();

export const batchSchema = z.strictObject({
  messages: z.array(batchMessage).check(
    z.minLength(1, 'must hold at least one message'),
    z.maxLength(MAX_BATCH_MESSAGES, `must hold at most ${MAX_BATCH_MESSAGES} messages; split larger batches`),
  ),
});

/** One message of a batch after validation: ready to send, or refused with its own error. */
export type BatchItem =
  | { index: number; request: SendRequest; message: PreparedMessage }
  | { index: number; error: ApiError };

/** A malformed batch is a 400 as a whole; each message's own problems become its result. */
export async function parseBatch(body: unknown): Promise<BatchItem[]> {
  const { messages } = parseInput(batchSchema, body);
  return Promise.all(messages.map(async (raw, index): Promise<BatchItem> => {
    try {
      if (typeof raw === 'object' && raw !== null && 'attachments' in raw) {
        const message = 'are not accepted in a batch: send messages with attachments one by one to POST /api/send';
        throw invalidRequest(`The message is invalid: attachments ${message}.`, [{ path: 'attachments', message }]);
      }
      const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
      if (size > MAX_BODY_BYTES) throw invalidRequest(`The message is ${size} bytes as JSON; the limit per message is ${MAX_BODY_BYTES} bytes.`);
      const request = parseSendRequest(raw);
      return { index, request, message: await prepareMessage(request) };
    } catch (error) {
      if (error instanceof ApiError) return { index, error };
      throw error;
    }
  }));
}

/**
 * How many of the batch's first messages can be sent at `maxSendRate` recipients per second inside
 * the budget, leaving one SES attempt's timeout for the last send. The pacer lets one recipient go at
 * once, then one every 1/rate seconds. Unknown rate: no pacing, every size fits.
 */
export function largestFittingBatch(items: readonly BatchItem[], maxSendRate: number | undefined, budgetMs: number): number {
  if (!maxSendRate || !(maxSendRate > 0)) return items.length;
  const pacingMs = budgetMs - SES_REQUEST_TIMEOUT_MS;
  let recipients = 0;
  for (const [position, item] of items.entries()) {
    if ('error' in item) continue;
    recipients += new Set([...item.request.to, ...item.request.cc, ...item.request.bcc]).size;
    if (((recipients - 1) / maxSendRate) * 1000 > pacingMs) return position;
  }
  return items.length;
}

export interface SendBatchCommand {
  items: BatchItem[];
  principal: Principal;
  idempotency?: { keyHash: string; requestHash: string };
  log: Logger;
}

export type SendBatchOutcome =
  | { kind: 'done'; results: BatchResult[]; rate: RateWindow; replayed: boolean }
  | { kind: 'refused'; error: ApiError; rate?: RateWindow; replayed: boolean };

const refusedResult = (index: number, error: ApiError): BatchResult => ({ index, success: false, error: error.code, detail: error.detail });

async function inPool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next++;
      results[position] = await run(items[position]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

export function createSendBatch(deps: SendBatchDeps) {
  const sendEmail = createSendEmail(deps);
  const budgetMs = deps.budgetMs ?? DEFAULT_BATCH_BUDGET_MS;

  return async function sendBatch(command: SendBatchCommand): Promise<SendBatchOutcome> {
    const { items, principal, log } = command;
    const { tenantId, keyId } = principal;
    const perMinute = principal.profile.sends_per_minute;
    const perMonth = principal.profile.monthly_sends;
    const at = dateOf(deps.clock);
    const deadline = at.getTime() + budgetMs;

    // One request for the per-minute window, whatever its size (as Resend counts).
    const [window, context] = await Promise.all([
      perMonth === null ? deps.rateWindows.hitRateWindow(keyId, perMinute, at) : deps.batchUsage.hitStarterWindow(tenantId, keyId, perMinute, at),
      deps.contexts.load(tenantId),
    ]);
    if (!window.allowed) return { kind: 'refused', error: rateLimited(window), rate: window, replayed: false };

    const fits = largestFittingBatch(items, context.config?.max_send_rate ?? undefined, budgetMs);
    if (fits < items.length) {
      return {
        kind: 'refused', rate: window, replayed: false,
        error: new ApiError('invalid_request', `At your SES account's sending rate (${context.config?.max_send_rate} recipients per second) this batch cannot be sent within the ${budgetMs / 1000} s a request may take. Send at most ${fits} messages per batch (fewer with several recipients each); nothing was sent.`, { body: { max_messages: fits } }),
      };
    }

    const key = command.idempotency;
    if (key) {
      const claim = await deps.idempotency.claim(tenantId, key.keyHash, key.requestHash, at);
      if (claim.kind === 'mismatch') return { kind: 'refused', rate: window, replayed: false, error: new ApiError('idempotency_key_reused', 'This Idempotency-Key was used in the last 24 h with a different request. Use a new key for a new batch.') };
      if (claim.kind === 'in_progress') return { kind: 'refused', rate: window, replayed: false, error: new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a few seconds to get its result.', { headers: { 'retry-after': '2' } }) };
      if (claim.kind === 'replay') return replayBatch(claim.outcome, window);
    }

    const member = {
      window,
      deadline,
      reserveMonth: () => deps.batchUsage.reserveMonthly(tenantId, perMonth ?? 0, at),
    };
    const results = await inPool(items, BATCH_CONCURRENCY, async (item): Promise<BatchResult> => {
      if ('error' in item) return refusedResult(item.index, item.error);
      try {
        const outcome = await sendEmail({ request: item.request, message: item.message, principal, log, batch: member });
        return outcome.kind === 'accepted' ? { index: item.index, success: true, message_id: outcome.messageId } : refusedResult(item.index, outcome.error);
      } catch (error) {
        // The single-send use case throws only what it cannot name, which may follow SES's acceptance.
        log.error('batch message failed unexpectedly', { outcome: 'internal_error', index: item.index, error_name: error instanceof Error ? error.name : typeof error });
        return refusedResult(item.index, new ApiError('internal_error', 'Unexpected error while sending this message; it may or may not have been sent. Check before sending it again.'));
      }
    });

    if (key) {
      await deps.idempotency.complete(tenantId, key.keyHash, { http_status: 200, results })
        .catch(() => log.error('batch outcome not stored; the key stays claimed until its lease ends', { outcome: 'post_acceptance_failure', step: 'idempotency_complete' }));
    }
    return { kind: 'done', results, rate: window, replayed: false };
  };
}

function replayBatch(outcome: StoredOutcome, rate: RateWindow): SendBatchOutcome {
  if (outcome.results) return { kind: 'done', results: outcome.results, rate, replayed: true };
  return { kind: 'refused', error: new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for a single send, not a batch. Use a new key.'), rate, replayed: true };
}
