/**
 * HTTP adapter of the send function in SendFleet's shape: POST /api/send (and /api/send/) and
 * POST /api/send/batch, and the composition of the function's routes (the Resend-compatible ones
 * are in resend-routes.ts). A batch is authenticated before its messages are validated (a format
 * check and a cached lookup: a caller without a valid key cannot make us validate 100 messages);
 * a single send is validated first, as the contract orders it. Each route builds the pipeline's
 * command and presents its outcome: the rate-limit headers,
 * replays, and one log line and one metric datapoint per outcome (accepted or the error code;
 * never content).
 */
import { sha256Hex } from '../../../shared/crypto';
import { httpApi, type HttpRequest, type HttpResult } from '../../../shared/http';
import { refusalAsApiError } from '../../../shared/refusal';
import { RESEND_RESOURCES, sendRoutes } from '../../api-routes';
import type { Authenticator } from '../../auth/authenticator';
import { prepareMessage } from '../message/prepared';
import { checkMessageSize, MAX_BODY_WITH_ATTACHMENTS_BYTES, parseSendRequest, type SendRequest } from '../message/request';
import type { MessageOutcome } from '../outcomes';
import { createSendPipeline, type SendCommand, type SendDeps, type SendItem, type SendOutcome } from '../pipeline';
import type { Clock } from '../../../shared/clock';
import { countingRefusals, type RefusalCounts } from '../refusal-counts';
import { createResendRoutes, resendFailure } from './resend-routes';
import { oneMessage, parseBatchBody, parseIdempotencyKey, sendHeaders } from './send-request';

export interface SendApiDeps extends SendDeps {
  authenticator: Authenticator;
  /** Where the relay's refusals are counted per day and code (the Usage screen); none: not counted. */
  refusals?: RefusalCounts;
}

/** What the routes call: the key check, the pipeline and the clock (the time budget runs from arrival). */
export interface SendRoutesDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  send: (command: SendCommand) => Promise<SendOutcome>;
  clock: Clock;
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

/** A batch message's result in our shape. */
const resultOf = (outcome: MessageOutcome) => (outcome.accepted
  ? { index: outcome.index, success: true, message_id: outcome.messageId }
  : { index: outcome.index, success: false, error: outcome.refusal.code, detail: outcome.refusal.detail });

/** One message's outcome is the answer; a refusal is thrown for the edge to present in our error shape. */
function presentOne(outcome: SendOutcome, perMinute: number): HttpResult {
  const headers = sendHeaders(perMinute, outcome);
  const answer = oneMessage(outcome);
  if (answer.refusal) throw refusalAsApiError(answer.refusal, headers);
  return { status: 200, headers, outcome: 'accepted', body: { ...ACCEPTED, message_id: answer.messageId } };
}

function presentBatch(outcome: SendOutcome, perMinute: number): HttpResult {
  const headers = sendHeaders(perMinute, outcome);
  if (outcome.kind === 'refused') throw refusalAsApiError(outcome.refusal, headers);
  return { status: 200, headers, outcome: 'batch', body: { success: true, results: outcome.messages.map(resultOf) } };
}

/** The send function's API on the pipeline. */
export function createSendApi(deps: SendApiDeps) {
  const pipeline = createSendPipeline(deps);
  return sendApi({ authenticator: deps.authenticator, send: deps.refusals ? countingRefusals(pipeline, deps.refusals, deps.clock) : pipeline, clock: deps.clock });
}

/** The routes on any pipeline (unit tests give a fake one). */
export function sendApi(deps: SendRoutesDeps) {
  const { send } = deps;
  const resend = createResendRoutes(deps);

  async function handle(http: HttpRequest): Promise<HttpResult> {
    const receivedAt = deps.clock.now();
    // The contract orders a single send's 400 before its 401: its validation is bounded by the body
    // limits. Building the MIME (attachments) waits for a valid key.
    checkMessageSize(http.body);
    const request = parseSendRequest(http.body);
    const idempotencyKey = parseIdempotencyKey(http.headers);
    const principal = await deps.authenticator.authenticate(http.headers, http.route);
    http.annotate({ tenant_id: principal.tenantId });
    const item: SendItem = { index: 0, request, message: await prepareMessage(request) };
    const outcome = await send({
      items: [item],
      principal,
      idempotency: idempotencyKey === undefined ? undefined : { keyHash: sha256Hex(idempotencyKey), requestHash: requestFingerprint(principal.tenantId, item.request) },
      log: http.log.child({ tenant_id: principal.tenantId }),
      receivedAt,
    });
    const { message } = item;
    const answer = oneMessage(outcome);
    http.annotate({ recipients: request.to.length + request.cc.length + request.bcc.length, attachments: request.attachments.length, raw: message.mime !== undefined, replayed: outcome.replayed, ...(answer.refusal ? {} : { message_id: answer.messageId }) });
    return presentOne(outcome, principal.profile.sends_per_minute);
  }

  async function handleBatch(http: HttpRequest): Promise<HttpResult> {
    const receivedAt = deps.clock.now();
    const principal = await deps.authenticator.authenticate(http.headers, http.route);
    http.annotate({ tenant_id: principal.tenantId });
    const items = await parseBatchBody(http.body);
    const idempotencyKey = parseIdempotencyKey(http.headers);
    http.annotate({ messages: items.length });
    const outcome = await send({
      items,
      principal,
      // The batch as received, salted with the tenant id: the same batch again is the same request.
      idempotency: idempotencyKey === undefined ? undefined : { keyHash: sha256Hex(idempotencyKey), requestHash: sha256Hex(JSON.stringify(['batch', principal.tenantId, http.body])) },
      log: http.log.child({ tenant_id: principal.tenantId }),
      receivedAt,
    });
    if (outcome.kind === 'done') http.annotate({ accepted: outcome.messages.filter((m) => m.accepted).length, replayed: outcome.replayed });
    return presentBatch(outcome, principal.profile.sends_per_minute);
  }

  return httpApi({
    routes: [
      { ...sendRoutes.send, handle },
      { ...sendRoutes.sendBatch, handle: handleBatch },
      { ...sendRoutes.resendEmails, handle: resend.sendOne },
      { ...sendRoutes.resendBatch, handle: resend.sendMany },
      ...[sendRoutes.resendListEmails, sendRoutes.resendCancelEmail]
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
