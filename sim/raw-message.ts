/**
 * Raw messages (SendRawEmail) as SES reads them, parsed with mailparser: SES's checks on the
 * message itself (size, attachment types) before the action runs, and what the mailbox shows of
 * it afterwards (cc, attachments by name, type and size, extra headers). Message tags of both send
 * actions are filed too (sim/ses.ts reads and checks them). Wraps `handleSes`, so the SES module itself stays as it is.
 */
import { MAX_MESSAGE_BYTES } from './message-rules';
import { simpleParser, type ParsedMail } from 'mailparser';
import { handleSes, messageTags, type SendAccepted } from './ses';
import type { MailboxAttachment, Session, SimState } from './state';
import { invalidParameter, messageRejected, type QueryParams, type XmlObject } from './wire';

/** SES v1's limit on a raw message. */
export const MAX_RAW_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Extensions SES refuses in attachments (Amazon SES Developer Guide, "Unsupported attachment types"). */
const BLOCKED_EXTENSIONS = new Set([
  'ade', 'adp', 'app', 'asp', 'bas', 'bat', 'cer', 'chm', 'cmd', 'com', 'cpl', 'crt', 'csh', 'der', 'exe', 'fxp', 'gadget',
  'hlp', 'hta', 'inf', 'ins', 'isp', 'its', 'js', 'jse', 'ksh', 'lib', 'lnk', 'mad', 'maf', 'mag', 'mam', 'maq', 'mar',
  'mas', 'mat', 'mau', 'mav', 'maw', 'mda', 'mdb', 'mde', 'mdt', 'mdw', 'mdz', 'msc', 'msh', 'msh1', 'msh2', 'mshxml',
  'msh1xml', 'msh2xml', 'msi', 'msp', 'mst', 'ops', 'pcd', 'pif', 'plg', 'prf', 'prg', 'reg', 'scf', 'scr', 'sct', 'shb',
  'shs', 'sys', 'ps1', 'ps1xml', 'ps2', 'ps2xml', 'psc1', 'psc2', 'tmp', 'url', 'vb', 'vbe', 'vbs', 'vps', 'vsmacros',
  'vss', 'vst', 'vsw', 'vxd', 'ws', 'wsc', 'wsf', 'wsh', 'xnk',
]);

/** Headers the mailbox already shows as fields, or that every message has: not listed again. */
const SHOWN_ELSEWHERE = /^(from|to|cc|bcc|reply-to|subject|date|message-id|mime-version|content-.*)$/i;

export interface RawMessageView {
  text?: string;
  html?: string;
  attachments: MailboxAttachment[];
  headers: Array<{ name: string; value: string }>;
}

export async function parseRawMessage(raw: Buffer): Promise<RawMessageView> {
  const parsed: ParsedMail = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true });
  return {
    ...(parsed.text === undefined ? {} : { text: parsed.text.replace(/\n$/, '') }),
    ...(parsed.html === false ? {} : { html: parsed.html }),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      content_type: a.contentType,
      size: a.size,
      ...(a.contentId ? { content_id: a.contentId.replace(/^<|>$/g, '') } : {}),
      inline: a.contentDisposition === 'inline',
    })),
    headers: parsed.headerLines
      .map(({ line }) => {
        const colon = line.indexOf(':');
        return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() };
      })
      .filter((h) => !SHOWN_ELSEWHERE.test(h.name)),
  };
}

function checkAsSes(raw: Buffer, view: RawMessageView): void {
  if (raw.length > MAX_RAW_MESSAGE_BYTES) throw invalidParameter(`Message length is more than ${MAX_RAW_MESSAGE_BYTES} bytes long: '${raw.length}'.`);
  for (const attachment of view.attachments) {
    const extension = attachment.filename.slice(attachment.filename.lastIndexOf('.') + 1).toLowerCase();
    if (attachment.filename.includes('.') && BLOCKED_EXTENSIONS.has(extension)) {
      throw messageRejected(`Illegal filename '${attachment.filename}'.`);
    }
  }
}

/** `handleSes`, with the raw message parsed and checked first and the mailbox entry completed after. */
export async function handleSesWithMessages(
  state: SimState,
  session: Session,
  region: string,
  action: string,
  params: QueryParams,
  onAccepted?: SendAccepted,
): Promise<XmlObject> {
  let view: RawMessageView | undefined;
  const data = action === 'SendRawEmail' ? params.get('RawMessage.Data') : undefined;
  // Over SES's size limit, handleSes refuses it as SES does; never hand the parser more than that.
  if (data && data.length <= MAX_MESSAGE_BYTES) {
    const raw = Buffer.from(data, 'base64');
    view = await parseRawMessage(raw);
    checkAsSes(raw, view);
  }
  const result = handleSes(state, session, region, action, params, onAccepted);
  if (action === 'SendEmail' || action === 'SendRawEmail') {
    const filed = state.mailbox.find((message) => message.message_id === result.MessageId);
    const tags = messageTags(params);
    if (filed) Object.assign(filed, tags.length > 0 ? { tags } : {}, view ?? {});
  }
  return result;
}
