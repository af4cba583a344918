/**
 * HTTP adapter of the send function: POST /api/send (and /api/send/). It owns everything HTTP:
 * the body and the Idempotency-Key header, authentication, the rate-limit headers, replays, and one
 * log line and one metric datapoint per outcome (accepted or the error code; never content).
 */
import { sha256Hex } from '../../../shared/crypto';
import { ApiError } from '../../../shared/errors';
import { httpApi, type HttpRequest, type HttpResult } from '../../../shared/http';
import { RESEND_RESOURCES, sendRoutes } from '../../api-routes';
import type { Authenticator } from '../../auth/authenticator';
import type { RateWindow } from '../../store/limits-store';
import { rateLimitHeaders } from '../rate-limit-headers';
import { createResendRoutes, resendFailure } from './resend-routes';
import { createSendBatch, parseBatch, type SendBatchDeps, type SendBatchOutcome } from '../send-batch';
import { createSendEmail, type SendOutcome } from '../send-email';
import { checkBodySize, MAX_BODY_WITH_ATTACHMENTS_BYTES, parseSendRequest, type SendRequest } from '../message/request';
import { prepareMessage } from '../message/prepared';

export interface SendApiDeps extends SendBatchDeps {
  authenticator: Authenticator;
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

/**
 * A hash of the request, salted with the tenant id: enough to tell "same request", useless to read
 * back. The plain shape hashes exactly as before cc/bcc/headers/tags/attachments existed, so keys
 * claimed before a deploy still replay; any of the new fields is appended.
 */
export function requestFingerprint(tenantId: string, request: SendRequest): string {
  const plain = [tenantId, request.to, request.fromEmail, request.fromName ?? null, request.subject, request.text ?? null, request.html ?? null, request.replyTo];
  const { cc, bcc, headers, tags, attachments } = request;
  const extras = cc.length + bcc.length + headers.length + tags.length + attachments.length > 0 ? [{ cc, bcc, headers, tags, attachments }] : [];
  return sha256Hex(JSON.stringify([...plain, ...extras]));
}



const ACCEPTED = { success: true, message: 'Email accepted by your SES account.', mode: 'byoc' } as const;

function toHttp(outcome: SendOutcome, perMinute: number): HttpResult {
  const headers = { ...rateLimitHeaders(perMinute, outcome.rate), ...(outcome.replayed ? { 'idempotent-replayed': 'true' } : {}) };
  if (outcome.kind === 'accepted') return { status: 200, headers, outcome: 'accepted', body: { ...ACCEPTED, message_id: outcome.messageId } };
  const { error } = outcome;
  throw new ApiError(error.code, error.detail, { ...error.options, headers: { ...headers, ...error.options.headers } });
}

function batchToHttp(outcome: SendBatchOutcome, perMinute: number): HttpResult {
  const headers = { ...rateLimitHeaders(perMinute, outcome.rate), ...(outcome.replayed ? { 'idempotent-replayed': 'true' } : {}) };
  if (outcome.kind === 'done') return { status: 200, headers, outcome: 'batch', body: { success: true, results: outcome.results } };
  const { error } = outcome;
  throw new ApiError(error.code, error.detail, { ...error.options, headers: { ...headers, ...error.options.headers } });
}

export function createSendApi(deps: SendApiDeps) {
  const sendEmail = createSendEmail(deps);
  const sendBatch = createSendBatch(deps);
  const resend = createResendRoutes({ authenticator: deps.authenticator, sendEmail, sendBatch });

  async function handleBatch(http: HttpRequest): Promise<HttpResult> {
    const items = await parseBatch(http.body);
    const idempotencyKey = parseIdempotencyKey(http.headers);
    const principal = await deps.authenticator.authenticate(http.headers);
    http.annotate({ tenant_id: principal.tenantId, messages: items.length });
    const log = http.log.child({ tenant_id: principal.tenantId });
    const result = await sendBatch({
      items,
      principal,
      // The batch as received, salted with the tenant id: the same batch again is the same request.
      idempotency: idempotencyKey === undefined ? undefined : { keyHash: sha256Hex(idempotencyKey), requestHash: sha256Hex(JSON.stringify(['batch', principal.tenantId, http.body])) },
      log,
    });
    if (result.kind === 'done') http.annotate({ accepted: result.results.filter((r) => r.success).length, replayed: result.replayed });
    return batchToHttp(result, principal.profile.sends_per_minute);
  }

  async function handle(http: HttpRequest): Promise<HttpResult> {
    checkBodySize(http.body, http.bodyBytes);
    const request = parseSendRequest(http.body);
    // Built and size-checked before anything is counted: a message SES would refuse costs nothing.
    const message = await prepareMessage(request);
    const idempotencyKey = parseIdempotencyKey(http.headers);
    const principal = await deps.authenticator.authenticate(http.headers);
    http.annotate({ tenant_id: principal.tenantId });
    const log = http.log.child({ tenant_id: principal.tenantId });
    const result = await sendEmail({
      request,
      message,
      principal,
      idempotency: idempotencyKey === undefined ? undefined : { keyHash: sha256Hex(idempotencyKey), requestHash: requestFingerprint(principal.tenantId, request) },
      log,
    });
    http.annotate({ recipients: request.to.length + request.cc.length + request.bcc.length, attachments: request.attachments.length, raw: message.mime !== undefined, replayed: result.replayed, ...(result.kind === 'accepted' ? { message_id: result.messageId } : {}) });
    return toHttp(result, principal.profile.sends_per_minute);
  }

  return httpApi({
    routes: [
      { ...sendRoutes.send, handle },
      { ...sendRoutes.sendBatch, handle: handleBatch },
      { ...sendRoutes.resendEmails, handle: resend.sendOne },
      { ...sendRoutes.resendBatch, handle: resend.sendMany },
      ...[sendRoutes.resendListEmails, sendRoutes.resendGetEmail, sendRoutes.resendUpdateEmail, sendRoutes.resendCancelEmail]
        .map((route) => ({ ...route, handle: resend.emailsNotOffered })),
      ...[sendRoutes.resendListDomains, sendRoutes.resendCreateDomain, sendRoutes.resendGetDomain, sendRoutes.resendUpdateDomain, sendRoutes.resendDeleteDomain, sendRoutes.resendVerifyDomain]
        .map((route) => ({ ...route, handle: resend.domainsNotOffered })),
    ],
    presentError: (resource, error) => (RESEND_RESOURCES.has(resource) ? resendFailure(error) : undefined),
    maxBodyBytes: MAX_BODY_WITH_ATTACHMENTS_BYTES,
    outcomeMetric: 'Sends',
    configurationErrorCode: 'byoc_not_configured',
  });
}
