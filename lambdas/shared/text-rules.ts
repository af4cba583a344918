/**
 * Rules for text that ends up in a mail header or on an operator's screen (from_name, subject, a
 * tenant's name), and for every string field. Each rule refuses; none rewrites. Messages name the
 * rule, never the value.
 *
 * - Well-formed Unicode: no lone surrogates (they cannot be encoded as UTF-8 for SES).
 * - No U+FFFD: it is what a lenient decoder leaves where the bytes were not UTF-8, and after
 *   decoding nothing tells it apart from one the caller meant, so it is refused in every field.
 * - Header text is one line: no control characters, no CR/LF, no Unicode line/paragraph separators.
 * - No RFC 2047 encoded-word syntax (`=?charset?B|Q?text?=`) in header text: a mail client decodes
 *   it after our checks, so `=?UTF-8?B?QWNtZQ0KQmNjOi4uLg==?=` would become a CR/LF (or anything
 *   else) in the reader's view. We encode non-ASCII text ourselves; callers send plain Unicode.
 * - No bidirectional controls or zero-width characters in header text: they make a sender or
 *   subject read as something else than it is (U+202E turns "moc.evil" into "live.com"). This
 *   includes U+200D, so emoji joined into one (family, profession) sequences are refused there.
 */
import * as z from 'zod/mini';

const LINE_BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const ENCODED_WORD = /=\?[^?]*\?[^?]*\?[^?]*\?=/;
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;
const REPLACEMENT_CHARACTER = '\ufffd';

/** Every string field: well-formed Unicode that was valid UTF-8 when it arrived. */
export const validUnicode = [
  z.refine<string>((value: string) => value.isWellFormed(), 'contains malformed Unicode (a lone surrogate); send valid UTF-8 text'),
  z.refine<string>((value: string) => !value.includes(REPLACEMENT_CHARACTER), 'contains U+FFFD, the mark of bytes that were not valid UTF-8; send valid UTF-8 text'),
] as const;

/**
 * The longest header value we take. RFC 5322 allows 998 characters per line (SES: 1,000 with
 * CRLF); a value the MIME builder cannot fold (no space in it) goes on a continuation line of its
 * own after one space, so 997 keeps every line within 998 (998 built a 999-character line).
 */
export const MAX_HEADER_VALUE = 997;

/** Text that becomes a header or a label: one line, shown as written. Use after validUnicode. */
export const headerText = [
  z.refine<string>((value: string) => !LINE_BREAKS_AND_CONTROLS.test(value), 'must be a single line without control characters (no CR/LF)'),
  z.refine<string>((value: string) => !ENCODED_WORD.test(value), 'must not contain RFC 2047 encoded-word syntax (=?charset?encoding?text?=): send plain Unicode text, SendFleet encodes it for mail'),
  z.refine<string>((value: string) => !BIDI_CONTROLS.test(value), 'must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)'),
  z.refine<string>((value: string) => !ZERO_WIDTH.test(value), 'must not contain zero-width characters (U+200B-U+200D, U+2060, U+FEFF)'),
] as const;
