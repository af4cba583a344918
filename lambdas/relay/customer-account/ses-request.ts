/**
 * Our prepared message as SES v1 input: SendRawEmail when we built the MIME (headers or
 * attachments), SendEmail otherwise. SDK shapes stay here, inside customer-account/.
 */
import type { SendEmailCommandInput, SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import { recipientsOf, type PreparedMessage } from '../send/message/prepared';
import type { SendRequest } from '../send/message/request';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The From header's display name: quoted (RFC 5322) when ASCII, an RFC 2047 encoded-word when not,
 * as SES v1 requires. Long names are split into several encoded-words of at most 75 characters.
 */
export function formatSender(address: string, name?: string): string {
  if (!name) return address;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" <${address}>`;
  return `${encodedWords(name)} <${address}>`;
}

function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  // 45 bytes of UTF-8 → 60 base64 characters: with `=?UTF-8?B?` and `?=` a word stays within 75.
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** SES message tags, for both actions. */
const sesTags = (request: SendRequest) => (request.tags.length > 0 ? { Tags: request.tags.map((t) => ({ Name: t.name, Value: t.value })) } : {});

/** The configuration set SES publishes the message's events through (the stack's), for both actions; none for a hand-set role. */
const configurationSetOf = (configurationSet: string | undefined) => (configurationSet ? { ConfigurationSetName: configurationSet } : {});

export function toSendEmailInput(request: SendRequest, configurationSet?: string): SendEmailCommandInput {
  return {
    Source: formatSender(request.fromEmail, request.fromName),
    Destination: {
      ToAddresses: request.to,
      ...(request.cc.length > 0 ? { CcAddresses: request.cc } : {}),
      ...(request.bcc.length > 0 ? { BccAddresses: request.bcc } : {}),
    },
    ReplyToAddresses: request.replyTo.length > 0 ? request.replyTo : undefined,
    Message: {
      Subject: { Data: request.subject, Charset: 'UTF-8' },
      Body: {
        ...(request.text !== undefined ? { Text: { Data: request.text, Charset: 'UTF-8' } } : {}),
        ...(request.html !== undefined ? { Html: { Data: request.html, Charset: 'UTF-8' } } : {}),
      },
    },
    ...sesTags(request),
    ...configurationSetOf(configurationSet),
  };
}

/** What goes to SES: SendEmail for the plain shape (2 remote calls warm), SendRawEmail for a MIME message of ours. */
export type SesRequest =
  | { action: 'SendEmail'; input: SendEmailCommandInput; recipients: number }
  | { action: 'SendRawEmail'; input: SendRawEmailCommandInput; recipients: number };

export function toSesRequest(message: PreparedMessage, configurationSet?: string): SesRequest {
  const recipients = recipientsOf(message);
  if (!message.mime) return { action: 'SendEmail', input: toSendEmailInput(message.request, configurationSet), recipients: recipients.length };
  return {
    action: 'SendRawEmail',
    // Bcc is in the envelope only: the MIME we built has no Bcc header.
    input: { Destinations: recipients, RawMessage: { Data: message.mime }, ...sesTags(message.request), ...configurationSetOf(configurationSet) },
    recipients: recipients.length,
  };
}
