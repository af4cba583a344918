/**
 * The API's vocabulary, which a person on the dashboard should never have to read: HTTP methods,
 * status numbers, header names, `/api/` paths, response field names and pointers to parts of an
 * answer the page never shows. The dashboard checks every server sentence against it before showing
 * it (messages.ts), and the browser tests check every message on the page with the same words.
 * No DOM here: the tests import it.
 */
const API_WORDS: readonly RegExp[] = [
  /\/api\//,
  /\b(GET|POST|PUT|PATCH|DELETE)\b/,
  /\bHTTP\b/,
  /\b(202|400|401|403|404|409|413|422|429|500|502|503)\b/,
  /\b(retry-after|x-api-key|idempotency-key|authorization header|bearer)\b/i,
  /see issues|\band \d+ more\b/i,
];

/** Field names of the API (role_arn, external_id, launch_stack_url…): snake_case words. */
const FIELD_NAME = /\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b/;

/** The API words `text` contains, for a test's failure message; empty when it reads as people's words. */
export function apiWordsIn(text: string, { fieldNames = true } = {}): string[] {
  return [...API_WORDS, ...(fieldNames ? [FIELD_NAME] : [])].flatMap((words) => text.match(words)?.[0] ?? []);
}

export const speaksApi = (text: string): boolean => apiWordsIn(text).length > 0;
