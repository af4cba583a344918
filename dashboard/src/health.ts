/**
 * Settings → Account health: what the last scheduled (or requested) check of the customer's AWS
 * account found — the three account checks and each domain's DNS records as SES sees them — and
 * "Check now", at most once a minute. Times are shown in the reader's local time.
 */
import { api, ApiProblem } from './api';
import { h, uniqueId } from './dom';
import type { AccountHealth, CheckHealth, HealthCheckName, RecordHealth, RecordKind } from './types';
import { badge, clearMessages, fact, showError, showStatus } from './ui';
import { CHECK_LABELS, checkWords } from './messages';
import { localTime } from './time';

const CHECKS: HealthCheckName[] = ['assume_role', 'sending_enabled', 'production_access'];

const RECORDS: Array<{ kind: RecordKind; label: string }> = [
  { kind: 'ownership', label: 'Ownership (TXT)' },
  { kind: 'dkim', label: 'DKIM (CNAME)' },
  { kind: 'mail_from', label: 'Custom MAIL FROM (MX, TXT)' },
];

const STATE_TEXT: Record<AccountHealth['state'], string> = {
  healthy: 'Every check passed on the last complete run.',
  failing: 'Something in your AWS account needs attention: see what fails below.',
  unknown: 'Not checked yet. SendFleet checks your account every 6 hours, or now with Check now.',
};

const CHECK_STATUS_TEXT: Record<CheckHealth['status'], string> = { ok: 'Passing', failing: 'Failing' };

/** On a phone each row is a card (table.stack in style.css): every cell names its column in data-label. */
function checksTable(checks: AccountHealth['checks']): HTMLElement {
  const rows = CHECKS.map((name) => {
    const check = checks[name];
    return h('tr', { attrs: { 'data-health-check': name } },
      h('th', { attrs: { scope: 'row' } }, CHECK_LABELS[name]),
      h('td', { attrs: { 'data-field': 'status', 'data-label': 'Status' } }, check ? badge(check.status) : 'Not checked yet', check ? ` ${CHECK_STATUS_TEXT[check.status]}` : null),
      h('td', { attrs: { 'data-field': 'detail', 'data-label': 'Detail' } }, check ? checkWords(check) : '—'),
      h('td', { attrs: { 'data-field': 'since', 'data-label': 'Since' } }, localTime(check?.since ?? null)),
      h('td', { attrs: { 'data-field': 'last_change', 'data-label': 'Last change' } }, localTime(check?.last_transition_at ?? null, 'No change seen')));
  });
  return h('div', { class: 'scroll' }, h('table', { class: 'grid stack' },
    h('caption', {}, 'Your AWS account'),
    h('thead', {}, h('tr', {}, ...['Check', 'Status', 'Detail', 'Since', 'Last change'].map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
    h('tbody', {}, ...rows)));
}

function recordRow(kind: RecordKind, label: string, record: RecordHealth | undefined): HTMLElement {
  return h('tr', { attrs: { 'data-health-record': kind } },
    h('th', { attrs: { scope: 'row' } }, label),
    h('td', { attrs: { 'data-field': 'status', 'data-label': 'Status in SES' } }, record ? badge(record.status) : 'Not checked yet'),
    h('td', { attrs: { 'data-field': 'since', 'data-label': 'Since' } }, localTime(record?.since ?? null)),
    h('td', { attrs: { 'data-field': 'last_checked', 'data-label': 'Last checked' } }, localTime(record?.last_checked_at ?? null)));
}

function domainTable(domain: AccountHealth['domains'][number]): HTMLElement {
  return h('div', { class: 'scroll', attrs: { 'data-health-domain': domain.domain } }, h('table', { class: 'grid stack' },
    h('caption', {}, `${domain.domain} (${domain.region})`),
    h('thead', {}, h('tr', {}, ...['Record', 'Status in SES', 'Since', 'Last checked'].map((title) => h('th', { attrs: { scope: 'col' } }, title)))),
    h('tbody', {}, ...RECORDS.map(({ kind, label }) => recordRow(kind, label, domain.records[kind])))));
}

/**
 * "Check now": queues a check (its result shows here once it ran). Within a minute of the last
 * request the API refuses with how long to wait: the button stays disabled for that long, saying so.
 */
function checkNowButton(noteId: string, note: HTMLElement): HTMLButtonElement {
  const button = h('button', { attrs: { type: 'button', 'aria-describedby': noteId } }, 'Check now');
  const holdFor = (seconds: number): void => {
    button.disabled = true;
    note.textContent = `A check was requested less than a minute ago. You can check again in ${seconds} seconds.`;
    showStatus(note.textContent);
    window.setTimeout(() => {
      button.disabled = false;
      note.textContent = '';
    }, seconds * 1000);
  };
  button.addEventListener('click', () => {
    clearMessages();
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    void api('POST', '/api/byoc/health/check')
      .then(() => {
        button.disabled = false;
        note.textContent = 'Check queued; results appear here in a minute or two.';
        showStatus(note.textContent);
      })
      .catch((error: unknown) => {
        if (error instanceof ApiProblem && error.status === 429) return holdFor(error.retryAfterSeconds ?? 60);
        button.disabled = false;
        showError(error, { near: button, screen: 'health', context: 'Not checked.' });
      })
      .finally(() => button.removeAttribute('aria-busy'));
  });
  return button;
}

export function healthPanel(health: AccountHealth): HTMLElement {
  const noteId = uniqueId('health-note');
  const note = h('p', { class: 'hint', id: noteId, attrs: { 'data-field': 'health_check_note' } });
  return h('section', { class: 'card health', id: 'health', attrs: { 'aria-labelledby': 'health-title' } },
    h('h2', { id: 'health-title' }, 'Account health'),
    h('p', { attrs: { 'data-field': 'health_state' } }, badge(health.state), ' ', STATE_TEXT[health.state]),
    h('dl', { class: 'facts' },
      fact('Last run', 'last_run_at', localTime(health.last_run_at, 'Never')),
      fact('Last run complete', 'last_run_complete', health.last_run_at === null ? '—'
        : health.last_run_complete ? 'Yes'
          : 'No: AWS did not answer every check; those keep their previous result.')),
    checksTable(health.checks),
    health.domains.length === 0
      ? h('p', { class: 'muted', attrs: { 'data-field': 'no_domains' } }, 'No domains yet: their DNS records are checked once you add them.')
      : h('section', { attrs: { 'aria-labelledby': 'health-domains-title' } },
        h('h3', { id: 'health-domains-title' }, 'Your domains\' DNS records'),
        ...health.domains.map(domainTable)),
    h('div', { class: 'actions' }, checkNowButton(noteId, note)),
    note);
}

/** The panel, or a card saying the health could not be read (the rest of Settings still works). */
export async function loadHealthPanel(): Promise<HTMLElement> {
  try {
    return healthPanel(await api<AccountHealth>('GET', '/api/byoc/health'));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) throw error;
    return h('section', { class: 'card health', id: 'health', attrs: { 'aria-labelledby': 'health-title' } },
      h('h2', { id: 'health-title' }, 'Account health'),
      h('p', { attrs: { 'data-field': 'health_unavailable' } }, 'The account health could not be read just now. Reload the page to try again.'));
  }
}
