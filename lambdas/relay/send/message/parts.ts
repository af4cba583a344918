/**
 * The optional parts of a richer message: extra headers (allow-listed), SES message tags and
 * attachments. Each rule refuses, none rewrites; messages name the rule, never the value (a header
 * value, a tag or a filename may be personal data).
 */
import { posix } from 'node:path';
import * as z from 'zod/mini';
import { headerText, MAX_HEADER_VALUE, validUnicode } from '../../../shared/text-rules';

/**
 * Headers a sender may add. Everything SES, MIME or our own checks depend on (From, To, Cc, Bcc,
 * Subject, Reply-To, Sender, Return-Path, Date, Message-ID, Content-*, MIME-Version,
 * DKIM-Signature, Received, X-SES-*) is refused: those come from the validated fields or from SES.
 */
const FIXED_NAMES = new Set(['list-unsubscribe', 'list-unsubscribe-post', 'in-reply-to', 'references']);
/** `X-` then the RFC 5322 field-name characters we accept (letters, digits, hyphen). */
const CUSTOM_NAME = /^x-[a-z0-9][a-z0-9-]{0,74}$/;
export const MAX_HEADERS = 50;

export function headerNameProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (/[\r\n]/.test(name)) return 'a header name must not contain CR or LF';
  if (FIXED_NAMES.has(lower)) return undefined;
  if (lower.startsWith('x-ses-')) return 'X-SES-* headers are SES\'s own and cannot be set';
  if (CUSTOM_NAME.test(lower)) return undefined;
  return 'is not an allowed header: use List-Unsubscribe, List-Unsubscribe-Post, In-Reply-To, References, or an X-… name (letters, digits and hyphens, at most 76 characters) other than X-SES-…; structural headers come from the message fields';
}

/**
 * In-Reply-To and References name other messages by their Message-ID: a list of RFC 5322 msg-ids
 * `<id-left@id-right>` (dot-atom text on the left, dot-atom text or a [literal] on the right: ASCII
 * only), separated by single spaces. Checked here and passed to the MIME builder as they are: the
 * builder would otherwise add angle brackets around anything else (`<a@x>, Bcc: e@evil.example`
 * went out as `<a@x>,> <Bcc:> <e@evil.example>`).
 */
const MSG_ID_HEADERS = new Set(['in-reply-to', 'references']);
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM_TEXT = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const MSG_ID = `<${DOT_ATOM_TEXT}@(?:${DOT_ATOM_TEXT}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])>`;
const MSG_ID_LIST = new RegExp(`^${MSG_ID}(?: ${MSG_ID})*$`);
const MSG_ID_RULE = 'must be one or more message ids like <id@example.com>, separated by single spaces (RFC 5322 msg-id: ASCII only, no commas, quotes or other text)';

/**
 * List-Unsubscribe (RFC 2369) is a list of `<URI>`s separated by commas; URIs are ASCII (an IRI is
 * percent-encoded first). Non-ASCII would be RFC 2047-encoded by the builder as if it were text, and
 * no mail client reads an unsubscribe link out of an encoded-word. List-Unsubscribe-Post has one
 * value (RFC 8058, one-click unsubscribe).
 */
const LIST_UNSUBSCRIBE = /^<[\x21-\x3b\x3d\x3f-\x7e]+>(?: ?, ?<[\x21-\x3b\x3d\x3f-\x7e]+>)*$/;
const LIST_UNSUBSCRIBE_RULE = 'must be one or more URIs in angle brackets separated by commas, e.g. <https://example.com/unsubscribe/1>, <mailto:unsubscribe@example.com> (RFC 2369: ASCII only, percent-encode anything else)';
const ONE_CLICK = 'List-Unsubscribe=One-Click';

/** The rule a header's value breaks, if any (beyond the header-text rules every value follows). */
export function headerValueProblem(name: string, value: string): string | undefined {
  const lower = name.toLowerCase();
  if (MSG_ID_HEADERS.has(lower) && !MSG_ID_LIST.test(value)) return MSG_ID_RULE;
  if (lower === 'list-unsubscribe' && !LIST_UNSUBSCRIBE.test(value)) return LIST_UNSUBSCRIBE_RULE;
  if (lower === 'list-unsubscribe-post' && value !== ONE_CLICK) return `must be exactly ${ONE_CLICK} (RFC 8058 one-click unsubscribe)`;
  return undefined;
}

export const headersSchema = z.record(z.string(), z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(MAX_HEADER_VALUE, `must be at most ${MAX_HEADER_VALUE} characters`),
  ...validUnicode,
  ...headerText,
)).check(z.superRefine((headers: Record<string, string>, ctx) => {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) ctx.issues.push({ code: 'custom', message: `must hold at most ${MAX_HEADERS} headers`, input: headers });
  const seen = new Set<string>();
  for (const name of names) {
    const problem = headerNameProblem(name) ?? headerValueProblem(name, headers[name]!);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: headers, path: [name] });
    const lower = name.toLowerCase();
    if (seen.has(lower)) ctx.issues.push({ code: 'custom', message: 'is given twice (header names are case-insensitive)', input: headers, path: [name] });
    seen.add(lower);
  }
}));

/** SES message tags: names and values of ASCII letters, digits, `_` and `-`, 1–256 characters; at most 50 per message. */
export const MAX_TAGS = 50;
const TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;
const tagText = z.string().check(z.regex(TAG_TEXT, 'must be 1 to 256 ASCII letters, digits, underscores or hyphens (SES\'s rule for message tags)'));
export const tagsSchema = z.array(z.strictObject({ name: tagText, value: tagText })).check(
  z.maxLength(MAX_TAGS, `must hold at most ${MAX_TAGS} tags (SES's limit per message)`),
  z.superRefine((tags: Array<{ name: string }>, ctx) => {
    const names = tags.map((t) => t.name);
    if (new Set(names).size !== names.length) ctx.issues.push({ code: 'custom', message: 'names a tag twice', input: tags });
  }),
);

/**
 * The file types SES refuses to send, by extension (Amazon SES Developer Guide, "Unsupported
 * attachment types"). Refused here, before anything is counted, instead of by SES after.
 */
export const SES_BLOCKED_EXTENSIONS: ReadonlySet<string> = new Set([
  'ade', 'adp', 'app', 'asp', 'bas', 'bat', 'cer', 'chm', 'cmd', 'com', 'cpl', 'crt', 'csh', 'der', 'exe', 'fxp', 'gadget',
  'hlp', 'hta', 'inf', 'ins', 'isp', 'its', 'js', 'jse', 'ksh', 'lib', 'lnk', 'mad', 'maf', 'mag', 'mam', 'maq', 'mar',
  'mas', 'mat', 'mau', 'mav', 'maw', 'mda', 'mdb', 'mde', 'mdt', 'mdw', 'mdz', 'msc', 'msh', 'msh1', 'msh2', 'mshxml',
  'msh1xml', 'msh2xml', 'msi', 'msp', 'mst', 'ops', 'pcd', 'pif', 'plg', 'prf', 'prg', 'reg', 'scf', 'scr', 'sct', 'shb',
  'shs', 'sys', 'ps1', 'ps1xml', 'ps2', 'ps2xml', 'psc1', 'psc2', 'tmp', 'url', 'vb', 'vbe', 'vbs', 'vps', 'vsmacros',
  'vss', 'vst', 'vsw', 'vxd', 'ws', 'wsc', 'wsf', 'wsh', 'xnk',
]);

export const MAX_ATTACHMENTS = 50;
/**
 * Standard base64: a multiple of 4 characters, padding only at the end. One character class and a
 * length check, linear on megabytes (a grouped `(?:…{4})*` pattern took 360 ms on 1.4 MB).
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (value: string): boolean => value.length % 4 === 0 && BASE64_CHARS.test(value);
/** type/subtype, RFC 6838 characters, no parameters (the builder sets those). */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
/** What may stand between the angle brackets of a Content-ID (dot-atom text, RFC 5322), SES's 78 characters at most. */
const CONTENT_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]{1,78}$/;

/**
 * A part that holds other parts or a whole message (multipart/*, message/*) cannot be an attachment:
 * the builder would write the bytes as an empty multipart's preamble (nothing arrives) or unencoded
 * (NUL and bare CR kept), and the files inside one would pass the blocked-type check above, for SES
 * to refuse after the send was counted. Refused whether given as content_type or derived from the
 * file name, which the builder does when content_type is absent.
 */
const CONTAINER_TYPE = /^(multipart|message)\//i;
const CONTAINER_RULE = 'must not be a multipart/* or message/* type (an email or a multipart container inside the message); attach the files it holds one by one';
/**
 * The file names the builder (nodemailer's detectMimeType) gives a multipart/* or message/* type,
 * by the extension it reads: the text after the last dot, up to a `?`, or the whole name without a
 * dot. A unit test holds this list to nodemailer's own table.
 */
export const CONTAINER_EXTENSIONS: ReadonlySet<string> = new Set(['eml', 'mht', 'mhtml', 'mime', 'nws', 'gzip']);

/** The extension nodemailer derives a content type from (its detectMimeType's reading of a name). */
export function typeExtension(filename: string): string {
  const { ext, name } = posix.parse(filename);
  return (ext.slice(1) || name).split('?')[0]!.trim().toLowerCase();
}

export function contentTypeProblem(contentType: string | undefined, filename: string): string | undefined {
  if (contentType !== undefined) return CONTAINER_TYPE.test(contentType) ? CONTAINER_RULE : undefined;
  if (CONTAINER_EXTENSIONS.has(typeExtension(filename))) {
    return `is missing, and the file name's extension gives a message/* or multipart/* type, which ${CONTAINER_RULE.replace(/^must not be/, 'cannot be')}; give content_type for another kind of file`;
  }
  return undefined;
}

export function filenameProblem(filename: string): string | undefined {
  if (/[/\\]/.test(filename)) return 'must be a file name without a path (no / or \\)';
  if (/[\s.]$/.test(filename) || /^\s/.test(filename)) return 'must not start with a space or end with a space or a dot';
  const dot = filename.lastIndexOf('.');
  const extension = dot >= 0 ? filename.slice(dot + 1).toLowerCase() : '';
  if (SES_BLOCKED_EXTENSIONS.has(extension)) {
    return `has the extension .${extension}, a file type Amazon SES refuses to send: ${[...SES_BLOCKED_EXTENSIONS].map((e) => `.${e}`).join(' ')}`;
  }
  return undefined;
}

export const attachmentsSchema = z.array(z.strictObject({
  filename: z.string().check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(255, 'must be at most 255 characters'),
    ...validUnicode,
    ...headerText,
    z.superRefine((value: string, ctx) => {
      const problem = filenameProblem(value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: value });
    }),
  ),
  content: z.string().check(
    z.minLength(1, 'must not be empty'),
    z.refine((value: string) => isBase64(value), 'must be standard base64 (A-Z, a-z, 0-9, +, /, = padding; no line breaks or spaces)'),
  ),
  content_type: z.optional(z.string().check(z.regex(MEDIA_TYPE, 'must be a media type such as application/pdf (type/subtype, no parameters)'))),
  content_id: z.optional(z.string().check(z.regex(CONTENT_ID, 'must be 1 to 78 characters without spaces or angle brackets, e.g. logo@acme (refer to it as cid:logo@acme)'))),
}).check(z.superRefine((attachment: { filename: string; content_type?: string }, ctx) => {
  const problem = contentTypeProblem(attachment.content_type, attachment.filename);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: attachment, path: ['content_type'] });
}))).check(z.minLength(1, 'must hold at least one attachment'), z.maxLength(MAX_ATTACHMENTS, `must hold at most ${MAX_ATTACHMENTS} attachments`));

export interface Attachment {
  filename: string;
  /** base64 as received: decoded only when the message is built */
  content: string;
  contentType?: string;
  contentId?: string;
}

export interface MessageTag {
  name: string;
  value: string;
}
