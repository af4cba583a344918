/**
 * What every send adapter reads from a request the same way, whatever the API's shape: the
 * Idempotency-Key header, one message (validated and built as SES will measure it before anything
 * is counted), a batch of messages (each validated on its own) and the rate-limit headers of the
 * answer. The adapters add only their shape: which fields, which hash, which error body.
 */
import * as z from 'zod/mini';
import { ApiError, invalidRequest } from '../../../shared/errors';
import { refusal, type Refusal } from '../../../shared/refusal';
import { parseInput } from '../../../shared/validation';
import type { RateWindow } from '../../store/limits-store';
import { prepareMessage } from '../message/prepared';
import { checkMessageSize, parseSendRequest } from '../message/request';
import { MAX_BATCH_MESSAGES, type RefusedItem, type SendItem, type SendOutcome } from '../pipeline';
import { rateLimitHeaders } from '../rate-limit-headers';

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

export function parseIdempotencyKey(headers: Record<string, string>): string | undefined {
  const key = headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError('invalid_request', 'The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID.', {
      issues: [{ path: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }],
    });
  }
  return key;
}

/** One message in the SendFleet shape → the pipeline's item; a bad message throws invalid_request. */
export async function parseMessage(raw: unknown, index = 0): Promise<SendItem> {
  const request = parseSendRequest(raw);
  return { index, request, message: await prepareMessage(request) };
}

/** A message rule's refusal (an ApiError of the validation) in our words without HTTP. */
const asRefusal = (error: ApiError): Refusal => refusal(error.code, error.detail, error.options.issues ? { issues: error.options.issues } : {});

/** One message of a batch: validated on its own, so its problems become its own result (documented as a send request). */
export const batchMessage = z.unknown();

export const batchSchema = z.strictObject({
  messages: z.array(batchMessage).check(
    z.minLength(1, 'must hold at least one message'),
    z.maxLength(MAX_BATCH_MESSAGES, `must hold at most ${MAX_BATCH_MESSAGES} messages; split larger batches`),
  ),
});

/** Lets other requests of this container run between two messages' validation: a big batch cannot hold the process. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The messages of a batch (SendFleet shape), each validated on its own: its problems become its result. */
export async function parseBatchMessages(messages: readonly unknown[]): Promise<Array<SendItem | RefusedItem>> {
  const items: Array<SendItem | RefusedItem> = [];
  for (const [index, raw] of messages.entries()) {
    try {
      if (typeof raw === 'object' && raw !== null && 'attachments' in raw) {
        const message = 'are not accepted in a batch: send messages with attachments one by one to POST /api/send';
        throw invalidRequest(`The message is invalid: attachments ${message}.`, [{ path: 'attachments', message }]);
      }
      // The same limit, code and words as the message alone on POST /api/send.
      checkMessageSize(raw);
      items.push(await parseMessage(raw, index));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      items.push({ index, refusal: asRefusal(error) });
    }
    if (index % 10 === 9) await yieldToOthers();
  }
  return items;
}

/** A malformed batch is a 400 as a whole; each message's own problems become its result. */
export function parseBatchBody(body: unknown): Promise<Array<SendItem | RefusedItem>> {
  return parseBatchMessages(parseInput(batchSchema, body).messages);
}

/** The rate-limit headers of a send answer, and whether it replays the key's first answer. */
export function sendHeaders(perMinute: number, outcome: { rate?: RateWindow; replayed: boolean }): Record<string, string> {
  return { ...rateLimitHeaders(perMinute, outcome.rate), ...(outcome.replayed ? { 'idempotent-replayed': 'true' } : {}) };
}

/** The answer to a one-message request: its message's outcome, or the request's refusal. */
export function oneMessage(outcome: SendOutcome): { messageId: string; refusal?: undefined } | { refusal: Refusal } {
  if (outcome.kind === 'refused') return { refusal: outcome.refusal };
  const first = outcome.messages[0]!;
  return first.accepted ? { messageId: first.messageId } : { refusal: first.refusal };
}
