/**
 * A message ready to hand to the customer account: the validated request, and the MIME message we
 * built when headers or attachments need one (SES v1's SendEmail cannot carry them). MIME is our
 * format, built and measured here, after validation and before anything is counted; how it reaches
 * SES (SendEmail or SendRawEmail input) is decided inside customer-account/ (ses-request.ts).
 *
 * Size: SES v1 refuses a message over 10 MB *after base64 encoding* (the MIME message is base64 on
 * the wire, and that is what SES measures). So the limit is on 4·⌈n/3⌉ of the built MIME, not on n:
 * a text body of `=` signs triples in quoted-printable (`=3D`), and its base64 adds a third more.
 * A too-large built message is `413 request_too_large`, the code of every size refusal: the fix is
 * the same (send less), and nothing was counted.
 */
import { ApiError } from '../../../shared/errors';
import { needsRawMessage, type SendRequest } from './request';

export interface PreparedMessage {
  request: SendRequest;
  /** The MIME message we built (sent with SendRawEmail); absent when SES builds it (SendEmail). */
  mime?: Buffer;
}

/** SES v1's limit on one message, counted after base64 encoding. */
export const MAX_SES_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The bytes SES measures for a message of `bytes` bytes: its base64 encoding. */
export const base64Bytes = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/**
 * SendEmail: SES builds the MIME, so we bound what it can measure from above. Every header and body
 * byte at most triples in quoted-printable (plus a soft line break per 75 characters), headers it
 * adds stay within 2 KB; then base64. Over HTTP a SendEmail body is at most 256 KB of JSON (with
 * attachments a message goes raw), about 1 MB by this bound: the check guards later limit changes.
 */
export function sendEmailMeasureBound(request: SendRequest): number {
  const fields = [request.fromName ?? '', request.fromEmail, request.subject, request.text ?? '', request.html ?? '', ...request.to, ...request.cc, ...request.replyTo];
  const bytes = fields.reduce((sum, field) => sum + Buffer.byteLength(field, 'utf8'), 0);
  return base64Bytes(Math.ceil(bytes * 3 * (76 / 75)) + 2048);
}

export function messageTooLarge(measured: number, maxBytes = MAX_SES_MESSAGE_BYTES): ApiError {
  return new ApiError('request_too_large', `The message would be ${measured} bytes as Amazon SES measures it (the MIME message after base64 encoding: attachments grow by a third in base64, and text bodies up to three times in quoted-printable when they hold many = signs or non-ASCII characters, then by a third again); Amazon SES accepts at most ${maxBytes} bytes. Send smaller attachments or bodies, or split the content over several messages.`);
}

/**
 * The one way from a validated request to a message to send, for every route: builds the MIME
 * message when one is needed and refuses a message SES would refuse for its size.
 */
export async function prepareMessage(request: SendRequest, maxBytes = MAX_SES_MESSAGE_BYTES): Promise<PreparedMessage> {
  if (!needsRawMessage(request)) {
    const bound = sendEmailMeasureBound(request);
    if (bound > maxBytes) throw messageTooLarge(bound, maxBytes);
    return { request };
  }
  // Loaded on the first raw message only: the plain path's cold start does not initialise MIME building.
  // `require`, not `import()`: bundled as a CommonJS chunk of its own (mime.js beside index.js, see
  // docs/decisions.md), a native import() would not find it without its extension.
  const { buildRawMessage } = require('./mime') as typeof import('./mime');
  const mime = await buildRawMessage(request);
  const measured = base64Bytes(mime.length);
  if (measured > maxBytes) throw messageTooLarge(measured, maxBytes);
  return { request, mime };
}

/** Everyone who receives the message, once each (To, Cc, Bcc are already distinct across lists). */
export const recipientsOf = (message: PreparedMessage): string[] => [...new Set([...message.request.to, ...message.request.cc, ...message.request.bcc])];
