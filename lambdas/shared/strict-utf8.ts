/**
 * Strict UTF-8 for request bodies: invalid bytes are refused (400), never replaced with U+FFFD and
 * sent. Node's Buffer#toString('utf8') and API Gateway both decode leniently, so:
 *
 * - bytes (a base64-encoded body) are decoded with a fatal TextDecoder: any invalid sequence throws;
 * - a string (API Gateway delivers a non-binary body already decoded) is refused if it holds a lone
 *   surrogate or a raw U+FFFD, the character a lenient decoder leaves where the bytes were not
 *   UTF-8. A caller who means U+FFFD can send it as the JSON escape \ufffd; the fields it would
 *   reach refuse it anyway (see text-rules.ts).
 */
import { ApiError } from './errors';

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const invalidUtf8 = () =>
  new ApiError('invalid_request', 'The request body is not valid UTF-8 (it holds bytes that are not UTF-8, or a U+FFFD left where such bytes were replaced). Send the JSON encoded as UTF-8.');

/** The body as text, or 400 invalid_request if it is not valid UTF-8. */
export function decodeUtf8Strict(body: Uint8Array | string): string {
  if (typeof body === 'string') {
    if (!body.isWellFormed() || body.includes('\ufffd')) throw invalidUtf8();
    return body;
  }
  try {
    return fatalDecoder.decode(body);
  } catch {
    throw invalidUtf8();
  }
}
