/**
 * zod at the edge. We use `zod/mini` (about 14 KB minified against about 450 KB for `zod`) and turn
 * its issues into the spec's `issues: [{ path, message }]`, with messages that say how to fix
 * the input. Messages never quote the input value (it may be an address or a subject).
 *
 * Modules that build schemas import `zod/mini` themselves: re-exporting its namespace from here
 * defeats tree-shaking and puts all of zod (about 420 KB, every locale) into each bundle.
 */
import * as z from 'zod/mini';
import { ApiError, type ValidationIssue } from './errors';

type Issue = z.core.$ZodIssue;

const GENERIC_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized key)/;

/** The value at `path` in the input, or undefined where the input has nothing. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function describe(issue: Issue, input: unknown): string {
  // A message set on the schema itself wins over zod's generic English ones.
  if (issue.message && !GENERIC_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      // zod does not report the input value (by default), so presence is read from the input itself:
      // a field that is there with the wrong type must say so, not that it is missing.
      return valueAt(input, issue.path) === undefined ? `is required (${issue.expected})` : `must be ${article(issue.expected)}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string' ? (issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`) : issue.origin === 'array' ? `must have at least ${issue.minimum} item(s)` : `must be at least ${issue.minimum}`;
    case 'unrecognized_keys':
      // The names are the caller's text (they may be addresses): counted, never quoted.
      return `has ${issue.keys.length} unknown field(s); remove every field this API does not document`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'invalid_union':
      return 'has the wrong type or format';
    default:
      return 'is invalid';
  }
}

/**
 * Fields whose keys the caller names (a map of mail headers): a path names their entry by its
 * position, never by its key, so a detail quotes our field names only.
 */
const CALLER_KEYED = new Set(['headers']);

function pathOf(issue: Issue, input: unknown): string {
  const segments = issue.path.map((segment, i) => {
    const parent = issue.path[i - 1];
    if (typeof parent !== 'string' || !CALLER_KEYED.has(parent)) return String(segment);
    const keys = Object.keys((valueAt(input, issue.path.slice(0, i)) ?? {}) as object);
    return `[${keys.indexOf(String(segment)) + 1}]`;
  });
  return segments.join('.').replace(/\.\[/g, '[') || '(body)';
}

/** `input` is what was parsed: it tells a missing field from a present one of the wrong type. */
export function toValidationIssues(issues: readonly Issue[], input: unknown): ValidationIssue[] {
  return issues.map((issue) => ({ path: pathOf(issue, input), message: describe(issue, input) }));
}

/** Parses `input` or throws 400 invalid_request listing every problem. */
export function parseInput<T>(schema: z.ZodMiniType<T>, input: unknown, what = 'request body'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues, input);
  const first = issues[0];
  const summary = first ? `${first.path} ${first.message}` : 'is invalid';
  throw new ApiError('invalid_request', `The ${what} is invalid: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more, see issues)` : ''}.`, { issues });
}

