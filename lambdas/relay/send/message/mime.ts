/**
 * The MIME message for SendRawEmail, built by nodemailer's MailComposer (build only: no transport
 * is ever loaded). Used when a message carries extra headers or attachments, which SES v1's
 * SendEmail cannot express. Every input is already validated (request.ts, parts.ts): this module
 * only assembles; prepared.ts measures the result against SES's limit. Header values reach the
 * builder as validated: In-Reply-To and References already are msg-id lists, which it keeps as they
 * are (it would bracket anything else), and other values are one line that it folds or encodes.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendRequest } from './request';

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
