/**
 * What a person reads when something goes wrong, written for the screen they are on. The API's
 * `detail`s are written for code calling the API (they name methods, headers, paths and fields);
 * here each error code (per screen where the words differ) has the page's own sentence. A code not
 * in the table shows the server's detail only if it reads as people's words (api-words.ts), else a
 * generic sentence. A refused form lists every issue, each next to its field.
 */
import { ApiProblem } from './api';
import { speaksApi } from './api-words';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';

/** The screen (or action) an error happened on: the same code can need other words elsewhere. */
export type Screen = 'sign-in' | 'page' | 'settings' | 'validate' | 'rotate' | 'health' | 'webhooks' | 'domains' | 'send' | 'keys' | 'copy';

type Words = string | ((problem: ApiProblem) => string);

const retryIn = (problem: ApiProblem, otherwise: string): string =>
  problem.retryAfterSeconds ? `Try again in ${problem.retryAfterSeconds} seconds.` : otherwise;

const NOT_FULL_ACCESS = 'This key can only send email. Sign in with a full-access key — create one under API keys.';

/** By code, for every screen. */
const COMMON: Record<string, Words> = {
  network_error: 'SendFleet could not be reached. Check your internet connection and try again.',
  http_error: 'SendFleet did not answer as expected. Try again in a moment.',
  invalid_api_key: 'Your API key is no longer valid: it was revoked or it expired. Sign out and sign in with another key.',
  insufficient_scope: 'This key can only send email, so it cannot change your account. Sign out and sign in with a full-access key — create one under API keys.',
  forbidden: 'This key may not do this. Sign out and sign in with a full-access key.',
  tenant_suspended: 'Your SendFleet account is suspended. Contact SendFleet support to find out why.',
  rate_limited: (p) => `Too many requests with this key in the last minute. ${retryIn(p, 'Wait a minute and try again.')}`,
  edge_rate_limited: (p) => `Too many requests from this key or your network. ${retryIn(p, 'Wait a minute and try again.')}`,
  edge_blocked: 'SendFleet\'s firewall refused this request. If it keeps happening, contact support with the time it happened.',
  request_too_large: 'That is more than SendFleet accepts in one go. Make it smaller and try again.',
  conflict: 'Your settings changed meanwhile (in another tab, or your stack), so nothing was changed here. Reload the page and try again.',
  upstream_unavailable: 'AWS did not answer in time. Nothing was changed; try again in a few seconds.',
  ses_unavailable: 'Amazon SES did not answer in time. Nothing was changed; try again in a few seconds.',
  time_budget_exhausted: 'Amazon SES answered too slowly. Nothing was changed; try again in a few seconds.',
  ses_throttled: (p) => `Your SES account is throttling SendFleet (its sending rate or 24-hour quota is used up). ${retryIn(p, 'Try again later')}, or ask AWS for a higher quota in the SES console.`,
  internal_error: 'Something went wrong on SendFleet\'s side. Try again in a moment; if it keeps happening, contact support.',
  could_not_assume_role: `SendFleet could not use your role. In Settings, check it is named exactly ${BYOC_ROLE_NAME} and trusts SendFleet with your ExternalId (the trust policy shown there), then press Validate & save.`,
  missing_permission: 'Your role may not use an SES action SendFleet needs. In Settings, replace its permissions policy with the one shown there, wait about 15 seconds, then press Validate & save.',
  byoc_not_validated: 'Your AWS role is not connected yet. In Settings, connect it and press Validate & save first.',
  byoc_disconnected: 'Your SendFleet-BYOC stack was deleted in your AWS account. In Settings, launch it again.',
};

/** Where a screen needs other words than COMMON. */
const BY_SCREEN: Partial<Record<Screen, Record<string, Words>>> = {
  page: {
    invalid_api_key: 'Your API key is no longer valid: it was revoked or it expired. Sign in with another key.',
  },
  'sign-in': {
    invalid_api_key: 'SendFleet does not know this API key, or it was revoked or expired. Paste the whole key as it was given to you (it starts with sf_), or ask your SendFleet operator for a new one.',
    insufficient_scope: NOT_FULL_ACCESS,
    forbidden: NOT_FULL_ACCESS,
  },
  validate: {
    could_not_assume_role: `SendFleet could not assume your role. Check it is named exactly ${BYOC_ROLE_NAME} and that its trust policy is the one above (it trusts SendFleet with your ExternalId), then press Validate & save again: IAM can take about 15 seconds to apply a change.`,
    missing_permission: 'Your role may not use an SES action SendFleet needs. Replace its permissions policy with the one above, wait about 15 seconds, then press Validate & save again.',
    sending_disabled: 'Sending is paused for your SES account. AWS pauses it for high bounce or complaint rates (see Reputation metrics in the SES console), or someone in your account paused it. Fix the cause, re-enable sending, then press Validate & save again.',
    ses_sandbox: 'Your SES account is still in the SES sandbox: it can send only to addresses you verified, 200 a day. Request production access from AWS (links in the checks below), then press Validate & save again once AWS grants it.',
  },
  health: {
    byoc_not_validated: 'There is nothing to check yet: connect your role above and press Validate & save first.',
  },
  rotate: {
    conflict: 'Your settings changed while the ExternalId was being rotated, so nothing was changed. Reload the page and press Rotate ExternalId again.',
  },
  domains: {
    byoc_not_validated: 'Connect your AWS role in Settings first (Validate & save): SendFleet adds the domain in your SES account through it.',
    not_found: 'This domain is not one of your sending domains any more. Go back to all domains.',
  },
  keys: {
    key_limit_reached: 'Your account has 100 keys that are not revoked, the most it can hold (expired keys count until they are revoked). Revoke keys you no longer use, then create this one.',
    key_in_use: 'You are signed in with this key, so it cannot be revoked here. Sign in with another full-access key to revoke it.',
    key_not_found: 'This key is not one of your keys any more. Reload the page.',
    domain_not_added: 'A domain you ticked is no longer one of your sending domains. Reload the page and tick among the domains listed.',
    upstream_unavailable: 'SendFleet could not reach the service that keeps your keys. Nothing was changed; try again in a few seconds.',
  },
  send: {
    domain_not_registered: 'The From address is not at one of your sending domains. Add its domain under Domains, publish its DNS records and verify them.',
    domain_not_verified: 'SES has not verified the From address\'s domain yet. Publish its records under Domains, then press Verify.',
    dkim_not_verified: 'SES has not verified DKIM for the From address\'s domain yet. Publish its three DKIM records under Domains, then press Verify.',
  },
};

/** What the form's fields are called on the page, and what to say when one is left empty. */
export interface FieldWords { label: string; empty: string }

const GENERIC = 'Something went wrong. Try again in a moment; if it keeps happening, contact support.';
const EMPTY = /^(must not be empty|is required\b|must have at least 1 item)/;

/** A sentence for people, or undefined when `text` is missing or speaks the API. */
const peoples = (text: string | undefined): string | undefined => (text && !speaksApi(text) ? text : undefined);

/** One issue of a refused form, in the words of the field it is about. */
export function issueText(path: string, message: string, given: FieldWords | undefined): string {
  // A field the screen did not name: its API name in plain words ("from email").
  const plain = path.replace(/[_.]/g, ' ');
  const words = given ?? { label: plain.charAt(0).toUpperCase() + plain.slice(1), empty: `${plain.charAt(0).toUpperCase() + plain.slice(1)} is missing: fill it in.` };
  if (EMPTY.test(message)) return words.empty;
  // The API's issue messages are fragments ("must use https") or whole sentences naming the field.
  const sentence = /^[a-z]/.test(message) ? `${words.label} ${message}` : message.replaceAll(path, words.label);
  return peoples(sentence.endsWith('.') ? sentence : `${sentence}.`) ?? `${words.label} is not valid: check it and try again.`;
}

export interface ErrorWords {
  /** The sentence for the error as a whole (absent when the issues say it all). */
  summary?: string;
  /** Each issue of a refused form, with the API field it is about. */
  issues: Array<{ path: string; text: string }>;
}

/** The words for `error` on `screen`; `fields` names the form's fields (by API path) for its issues. */
export function errorWords(error: unknown, screen: Screen, fields: Record<string, FieldWords> = {}): ErrorWords {
  if (!(error instanceof ApiProblem)) return { summary: 'Something went wrong in the dashboard. Reload the page and try again.', issues: [] };
  const issues = Array.isArray(error.body.issues)
    ? (error.body.issues as Array<{ path?: unknown; message?: unknown }>).map(({ path, message }) => ({ path: String(path), text: issueText(String(path), String(message), fields[String(path)]) }))
    : [];
  if (issues.length > 0) return { issues };
  const words = BY_SCREEN[screen]?.[error.code] ?? COMMON[error.code];
  const summary = typeof words === 'function' ? words(error) : words ?? peoples(error.detail) ?? GENERIC;
  return { summary, issues };
}

/** Why SendFleet refused sends (Usage), by error code: short reasons, several codes sharing one. */

/** The account checks (validation's and the health check's), by name. */
export const CHECK_LABELS: Record<string, string> = {
  assume_role: 'SendFleet can assume your role',
  sending_enabled: 'Sending enabled in SES',
  production_access: 'SES production access',
};

/** A validation check (Settings) or health check, by its status and code; the server's words only for what the table does not know. */
export function checkWords(check: { status: 'passed' | 'failed' | 'not_run' | 'ok' | 'failing'; code?: string | null; detail: string }): string {
  if (check.status === 'not_run') return peoples(check.detail) ?? 'SendFleet could not assume your role, so it could not ask SES.';
  if (check.status === 'passed' || check.status === 'ok') return peoples(check.detail) ?? 'Passed.';
  const words = check.code ? BY_SCREEN.validate?.[check.code] ?? COMMON[check.code] : undefined;
  return typeof words === 'string' ? words : peoples(check.detail) ?? 'This check failed. Press Validate & save to run it again.';
}
