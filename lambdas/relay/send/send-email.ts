/**
 * The send use case, in the spec's order of checks: request (400) → API key (401/403) → BYOC
 * config and domain (403) → rate limit (429) → monthly limit (429) → the tenant's role (403) → SES.
 *
 * Remote calls on a warm BYOC send: one DynamoDB write (the rate window) and one SES SendEmail;
 * the key, config and session come from memory. Starter sends add the monthly reservation, and an
 * Idempotency-Key adds its claim and result writes. Nothing of the message is stored or logged.
 */
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { sha256Hex } from '../../shared/crypto';
import { ApiError } from '../../shared/errors';
import type { HttpResult } from '../../shared/http';
import { emitMetric, type Logger } from '../../shared/logger';
import type { Authenticator } from '../auth/authenticator';
import { AssumeRoleDeniedError, type CustomerSessions } from '../byoc/customer-session';
import { assumeRoleFix } from '../byoc/policies';
import type { IdempotencyStore, StoredOutcome } from './idempotency-store';
import type { LimitsStore, RateWindow } from './limits-store';
import type { RateGuard } from './rate-guard';
import { checkReadyToSend, type SendContextLoader } from './send-context';
import { classifySesError, sesFailureToApiError } from '../byoc/ses-errors';
import { toSendEmailInput } from './ses-message';
import { parseSendRequest, type SendRequest } from './send-request';

export interface SendDeps {
  authenticator: Authenticator;
  contexts: SendContextLoader;
  limits: LimitsStore;
  idempotency: IdempotencyStore;
  sessions: CustomerSessions;
  rateGuard: RateGuard;
  relayAccountId: string;
  now?: () => Date;
}

export interface SendInput {
  body: unknown;
  headers: Record<string, string>;
  log: Logger;
}

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

function parseIdempotencyKey(headers: Record<string, string>): string | undefined {
  const key = headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError('invalid_request', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID.', {
      issues: [{ path: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }],
    });
  }
  return key;
}

/** A hash of the request, salted with the tenant id: enough to tell "same request", useless to read back. */
function requestFingerprint(tenantId: string, request: SendRequest): string {
  return sha256Hex(JSON.stringify([tenantId, request.to, request.fromEmail, request.fromName ?? null, request.subject, request.text ?? null, request.html ?? null, request.replyTo]));
}

function rateHeaders(rate: RateWindow): Record<string, string> {
  return { 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(Math.max(0, rate.limit - rate.count)) };
}

export function createSendEmail(deps: SendDeps) {
  const now = deps.now ?? (() => new Date());

  return async function sendEmail(input: SendInput): Promise<HttpResult> {
    const started = Date.now();
    const request = parseSendRequest(input.body);
    const idempotencyKey = parseIdempotencyKey(input.headers);
    const principal = await deps.authenticator.authenticate(input.headers);
    const log = input.log.child({ tenant_id: principal.tenantId });
    const at = now();
    const { keyId, tenantId } = principal;
    const perMinute = principal.profile.sends_per_minute;
    const perMonth = principal.profile.monthly_sends;

    // BYOC: the rate window is counted while the context loads, or — while the key is far below its
    // limit — while SES sends (see RateGuard). Starter counts it with the month, after the checks.
    const overlap = perMonth === null && deps.rateGuard.mayOverlap(keyId, perMinute, at);
    const byocRate = perMonth === null
      ? deps.limits.hitRateWindow(keyId, perMinute, at).then((window) => {
        deps.rateGuard.observe(keyId, window.count, at);
        return window;
      })
      : undefined;
    byocRate?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const [context, serialRate] = await Promise.all([deps.contexts.load(tenantId), overlap ? undefined : byocRate]);
    let rate = serialRate;
    const withRateHeaders = (error: ApiError, window = rate): ApiError =>
      new ApiError(error.code, error.detail, { ...error.options, headers: { ...(window ? rateHeaders(window) : {}), ...error.options.headers } });
    const rateLimited = (window: RateWindow) =>
      new ApiError('rate_limited', `More than ${window.limit} send requests this minute for this API key. Retry after ${window.resetInSeconds} s.`, { headers: { 'retry-after': String(window.resetInSeconds) } });

    let ready;
    try {
      ready = checkReadyToSend(tenantId, context, request.fromDomain);
    } catch (error) {
      throw withRateHeaders(error as ApiError, rate ?? (await byocRate?.catch(() => undefined)));
    }
    if (rate && !rate.allowed) throw withRateHeaders(rateLimited(rate));

    const keyHash = idempotencyKey === undefined ? undefined : sha256Hex(idempotencyKey);
    if (keyHash) {
      const claim = await deps.idempotency.claim(tenantId, keyHash, requestFingerprint(tenantId, request), at);
      if (claim.kind === 'mismatch') throw withRateHeaders(new ApiError('idempotency_key_reused', 'This Idempotency-Key was used in the last 24 h with a different request. Use a new key for a new message.'));
      if (claim.kind === 'in_progress') throw withRateHeaders(new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed. Retry in a few seconds to get its result.', { headers: { 'retry-after': '2' } }));
      if (claim.kind === 'replay') return replay(claim.outcome, rate ? rateHeaders(rate) : {});
    }

    let reservedMonth: string | undefined;
    const giveBack = async (outcome?: StoredOutcome) => {
      if (reservedMonth) await deps.limits.releaseMonthly(tenantId, reservedMonth);
      if (keyHash) await (outcome ? deps.idempotency.complete(tenantId, keyHash, outcome) : deps.idempotency.release(tenantId, keyHash));
    };

    try {
      if (perMonth !== null) {
        const reservation = await deps.limits.reserveStarter(tenantId, keyId, { perMinute, perMonth }, at);
        rate = reservation.rate;
        if (!rate.allowed) throw rateLimited(rate);
        if (!reservation.reserved) {
          throw new ApiError('usage_limit_exceeded', `Your plan allows ${perMonth} sends per calendar month (UTC) and they are used. The count starts again on the 1st at 00:00 UTC, or ask SendFleet to move you to the BYOC plan.`);
        }
        reservedMonth = reservation.month;
      }
      const messageId = await sendThroughCustomerSes(deps.sessions, ready, request);
      if (keyHash) await deps.idempotency.complete(tenantId, keyHash, { http_status: 200, message_id: messageId });
      rate ??= await countedAlongside(byocRate!, perMinute, at, log);
      log.info('send accepted', { outcome: 'accepted', recipients: request.to.length, message_id: messageId, duration_ms: Date.now() - started });
      emitMetric('Sends', { outcome: 'accepted' });
      return {
        status: 200,
        headers: rateHeaders(rate),
        body: { success: true, message: 'Email accepted by your SES account.', message_id: messageId, mode: 'byoc' },
      };
    } catch (error) {
      const apiError = error instanceof ApiError ? error : toSendApiError(error, ready.region, deps.relayAccountId);
      // A permanent refusal is the request's result: a retry with the same key gets it again.
      await giveBack(apiError.code === 'ses_rejected' ? { http_status: apiError.status, error: apiError.code, detail: apiError.detail } : undefined);
      if (!rate && byocRate) rate = await countedAlongside(byocRate, perMinute, at, log);
      log.info('send refused', { outcome: apiError.code, duration_ms: Date.now() - started });
      emitMetric('Sends', { outcome: apiError.code });
      throw withRateHeaders(apiError);
    }
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

async function sendThroughCustomerSes(sessions: CustomerSessions, ready: ReturnType<typeof checkReadyToSend>, request: SendRequest): Promise<string> {
  const target = { tenantId: ready.tenantId, roleArn: ready.roleArn, externalId: ready.externalId, region: ready.region };
  const command = new SendEmailCommand(toSendEmailInput(request));
  // SES refused only the credentials: nothing was sent, so sending again with a fresh session is safe.
  const { MessageId } = await sessions.run(target, ({ ses }) => ses.send(command), (error) => classifySesError(error) === 'stale_credentials');
  return MessageId ?? '';
}

function toSendApiError(error: unknown, region: string, relayAccountId: string): ApiError {
  if (error instanceof AssumeRoleDeniedError) {
    return new ApiError('could_not_assume_role', `SendFleet could not assume your role. ${assumeRoleFix(relayAccountId)} Then run POST /api/byoc/validate.`);
  }
  if (error instanceof Error && error.name === 'AssumeRoleUnavailableError') {
    return new ApiError('ses_unavailable', 'AWS STS did not answer successfully when assuming your role. Nothing was sent; retry later.');
  }
  return sesFailureToApiError(error, region);
}

function replay(outcome: StoredOutcome, headers: Record<string, string>): HttpResult {
  const replayHeaders = { ...headers, 'idempotent-replayed': 'true' };
  if (outcome.http_status === 200) {
    return { status: 200, headers: replayHeaders, body: { success: true, message: 'Email accepted by your SES account.', message_id: outcome.message_id, mode: 'byoc' } };
  }
  return { status: outcome.http_status, headers: replayHeaders, body: { success: false, error: outcome.error, detail: outcome.detail } };
}
