/**
 * The MIME message for SendRawEmail, built by nodemailer's MailComposer (build only: no transport
 * is ever loaded). Used when a message carries extra headers or attachments, which SES v1's
 * SendEmail cannot express. Every input is already validated (request.ts): this module only
 * assembles, and refuses a built message over SES v1's 10 MB.
 */
import type { SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ApiError } from '../../../shared/errors';
import type { SendRequest } from './request';

/**
 * SES v1's limit on a message, attachments and encoding included. A 5 MB JSON body builds at most
 * about 7.1 MB of MIME (MailComposer picks the shorter of quoted-printable and base64: ≤ 1.42×), so
 * over HTTP this check is a guard for later changes to the body limits, not a path callers hit.
 */
export const MAX_RAW_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function buildRawMessage(request: SendRequest): Promise<Buffer> {
  const composer = new MailComposer({
    // Content only ever comes from the request: never from a file path or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // nodemailer quotes or RFC 2047-encodes the display name itself.
    from: request.fromName ? { name: request.fromName, address: request.fromEmail } : request.fromEmail,
    to: request.to,
    ...(request.cc.length > 0 ? { cc: request.cc } : {}),
    ...(request.replyTo.length > 0 ? { replyTo: request.replyTo } : {}),
    subject: request.subject,
    ...(request.text !== undefined ? { text: request.text } : {}),
    ...(request.html !== undefined ? { html: request.html } : {}),
    headers: request.headers.map(([key, value]) => ({ key, value })),
    attachments: request.attachments.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content, 'base64'),
      ...(a.contentType ? { contentType: a.contentType } : {}),
      // A content id makes an inline part of a multipart/related body, for `cid:` references.
      ...(a.contentId ? { cid: a.contentId } : {}),
    })),
  });
  // Bcc is left out of the headers (MailComposer's default): SES gets it in Destinations only.
  return composer.compile().build();
}

export async function toSendRawEmailInput(request: SendRequest, maxBytes = MAX_RAW_MESSAGE_BYTES): Promise<SendRawEmailCommandInput> {
  const data = await buildRawMessage(request);
  if (data.length > maxBytes) {
    throw new ApiError('invalid_request', `The built message is ${data.length} bytes (attachments are base64 encoded and bodies quoted-printable in mail); Amazon SES accepts at most ${maxBytes} bytes. Send smaller attachments or bodies.`);
  }
  return {
    Destinations: [...new Set([...request.to, ...request.cc, ...request.bcc])],
    RawMessage: { Data: data },
    ...(request.tags.length > 0 ? { Tags: request.tags.map((t) => ({ Name: t.name, Value: t.value })) } : {}),
  };
}
