/**
 * API keys: the account's keys (name, how it starts, access, domains, created and expiry in local
 * time, status), a form to create one (full access or sending only, optionally limited to some
 * sending domains, optionally expiring), its secret shown once with a Copy button, and revoke
 * behind a confirmation. The key this tab is signed in with is marked and cannot be revoked here.
 * Errors appear next to the form or button that failed, in this screen's words (messages.ts 'keys'):
 * no HTTP methods, header names or paths.
 */
import { api } from './api';
import { append, h, uniqueId, type Child } from './dom';
import { localTime } from './time';
import type { ApiKey, CreatedApiKey, DomainSummary } from './types';
import { badge, confirmedDelete, copyButton, field, heading, input, showError, showStatus, submitForm } from './ui';

const ACCESS_TEXT: Record<ApiKey['scope'], string> = {
  full_access: 'Full access',
  sending_access: 'Sending only',
};

const STATUS_TEXT: Record<ApiKey['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** The latest expiry the API takes: a year from now. */
const MAX_LIFETIME_DAYS = 365;

/** "Sending only: acme.com, shop.dev" in people's words. */
function domainsText(key: Pick<ApiKey, 'scope' | 'domains'>): string {
  if (key.scope === 'full_access') return 'Not limited';
  return key.domains && key.domains.length > 0 ? key.domains.join(', ') : 'Any of your domains';
}

/** The secret, once: with a copy button and the note that it will not be shown again. */
function secretCard(created: CreatedApiKey): HTMLElement {
  const titleId = uniqueId('secret-title');
  const labelId = uniqueId('label');
  return h('section', { class: 'card secret', attrs: { 'aria-labelledby': titleId, 'data-field': 'api_key' } },
    h('h2', { id: titleId }, `Your new key “${created.name ?? created.prefix}”`),
    h('p', {}, h('strong', {}, 'Copy it now: you won\'t see it again.'), ' SendFleet keeps only a fingerprint of it. If you lose it, revoke this key and create a new one.'),
    h('dl', { class: 'facts' }, h('div', { class: 'kv secret-value' }, h('dt', { id: labelId }, 'API key'), h('dd', {}, h('code', {}, created.key), copyButton(() => created.key, 'API key', labelId)))));
}

function keyItem(key: ApiKey, navigate: (hash: string, status?: string) => void): HTMLElement {
  const label = key.name ?? key.prefix;
  const fact = (name: string, value: Child, fieldName: string) => h('div', { class: 'kv', attrs: { 'data-field': fieldName } }, h('dt', {}, name), h('dd', {}, value));
  const item = h('li', { class: 'card key', attrs: { 'data-key': key.id, 'data-status': key.status } },
    h('div', { class: 'row' },
      h('h3', {}, label),
      h('div', { class: 'badges' }, badge(STATUS_TEXT[key.status]), key.current ? h('span', { class: 'badge badge-current', attrs: { 'data-field': 'current' } }, 'Signed in with this key') : null)),
    h('dl', { class: 'facts' },
      fact('Starts with', h('code', {}, `${key.prefix}…`), 'prefix'),
      fact('Access', ACCESS_TEXT[key.scope], 'scope'),
      fact('Sending domains', domainsText(key), 'domains'),
      fact('Created', localTime(key.created_at, 'Before creation dates were kept'), 'created_at'),
      fact('Expires', localTime(key.expires_at, 'Never'), 'expires_at')));
  if (key.status === 'revoked') return item;

  const { button, confirm } = confirmedDelete({
    label: 'Revoke',
    confirmLabel: 'Yes, revoke',
    question: `Revoke “${label}”? Anything using this key stops working within seconds. This cannot be undone.`,
    screen: 'keys',
    onConfirm: async () => {
      await api('DELETE', `/api/keys/${encodeURIComponent(key.id)}`);
      navigate('#/keys', `Key “${label}” revoked. It no longer works.`);
    },
  });
  if (key.current) {
    // Revoking the key this tab uses would sign it out: the API refuses it too.
    const reason = h('p', { class: 'hint', id: uniqueId('reason') }, 'You are signed in with this key, so it cannot be revoked here. To revoke it, sign in with another full-access key.');
    button.disabled = true;
    button.setAttribute('aria-describedby', reason.id);
    append(item, h('div', { class: 'actions' }, button), reason);
  } else {
    append(item, h('div', { class: 'actions' }, button), confirm);
  }
  return item;
}

function keyList(keys: ApiKey[], navigate: (hash: string, status?: string) => void): HTMLElement {
  return h('section', { class: 'keys', attrs: { 'aria-labelledby': 'keys-title' } },
    h('h2', { id: 'keys-title' }, `Your keys (${keys.filter((k) => k.status !== 'revoked').length} in use)`),
    keys.length === 0 ? h('p', { class: 'muted' }, 'No keys yet.') : h('ul', { class: 'key-list' }, ...keys.map((key) => keyItem(key, navigate))));
}

/** The expiry date picked (local midnight at the start of that day) as the instant the API takes. */
function expiryInstant(day: string): string | undefined {
  if (day === '') return undefined;
  const at = new Date(`${day}T00:00`);
  return Number.isNaN(at.getTime()) ? day : at.toISOString();
}

const dayString = (date: Date): string => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

export async function renderKeys(main: HTMLElement, navigate: (hash: string, status?: string) => void): Promise<void> {
  const [{ keys }, domains] = await Promise.all([
    api<{ keys: ApiKey[] }>('GET', '/api/keys'),
    // Without a domain list (no setup yet) a sending key simply is not limited to some.
    api<{ domains: DomainSummary[] }>('GET', '/api/byoc/domains').then(({ domains: list }) => list, () => [] as DomainSummary[]),
  ]);
  const secretSlot = h('div', {});
  const listSlot = h('div', {}, keyList(keys, navigate));

  const name = field('Name', input({ name: 'name', maxlength: '50', placeholder: 'Checkout service' }), 'A label to recognise the key by, up to 50 characters.');

  const accessChoice = (value: ApiKey['scope'], text: string, hint: string) => {
    const id = uniqueId('access');
    const hintId = uniqueId('hint');
    const radio = h('input', { id, attrs: { type: 'radio', name: 'scope', value, 'aria-describedby': hintId } });
    return { radio, row: h('div', { class: 'check' }, radio, h('label', { attrs: { for: id } }, h('strong', {}, text), ' ', h('span', { class: 'hint', id: hintId }, hint))) };
  };
  const full = accessChoice('full_access', 'Full access', 'Everything this dashboard can do, including managing keys.');
  const sending = accessChoice('sending_access', 'Sending only', 'Can send email and nothing else. Good for an application server.');
  full.radio.checked = true;

  const domainBoxes = domains.map((d) => {
    const id = uniqueId('domain');
    const box = h('input', { id, attrs: { type: 'checkbox', name: 'domains', value: d.domain } });
    return { box, row: h('div', { class: 'check' }, box, h('label', { attrs: { for: id } }, d.domain)) };
  });
  const domainSet = h('fieldset', { attrs: { 'data-field': 'domain-choice' } },
    h('legend', {}, 'Sending domains (optional)'),
    h('p', { class: 'hint' }, domains.length === 0
      ? 'You have not added a sending domain yet: this key may send from any domain you add.'
      : 'Tick the domains this key may send from. Leave them all unticked to allow any of your domains.'),
    ...domainBoxes.map(({ row }) => row));
  const showDomains = () => { domainSet.hidden = !sending.radio.checked; };
  full.radio.addEventListener('change', showDomains);
  sending.radio.addEventListener('change', showDomains);
  showDomains();

  const today = new Date();
  const latest = new Date(today.getTime() + (MAX_LIFETIME_DAYS - 1) * 24 * 3600 * 1000);
  const tomorrow = new Date(today.getTime() + 24 * 3600 * 1000);
  const expiry = field('Expires on (optional)', input({ name: 'expires_at', type: 'date', min: dayString(tomorrow), max: dayString(latest) }),
    'The key stops working at the start of this day, your local time. Leave empty for a key that does not expire; at most a year ahead.');

  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Create key');
  /** The form's fields by API path, in the page's words, for the issues of a refused create. */
  const fields = {
    name: { control: name.control as HTMLElement, words: { label: 'Name', empty: 'Give the key a name, so you can tell it from your other keys.' } },
    expires_at: { control: expiry.control as HTMLElement, words: { label: 'Expires on', empty: 'Pick the day the key stops working, or leave it empty.' } },
    domains: { control: (domainBoxes[0]?.box ?? sending.radio) as HTMLElement, words: { label: 'Sending domains', empty: 'Tick at least one domain, or none for any of your domains.' } },
  };

  const form = submitForm({ class: 'card', labelledBy: 'create-title', button: submit }, async () => {
    const scope: ApiKey['scope'] = sending.radio.checked ? 'sending_access' : 'full_access';
    const picked = domainBoxes.filter(({ box }) => box.checked).map(({ box }) => box.value);
    const body = {
      name: name.control.value,
      scope,
      ...(scope === 'sending_access' && picked.length > 0 ? { domains: picked } : {}),
      ...(expiry.control.value ? { expires_at: expiryInstant(expiry.control.value) } : {}),
    };
    let created: CreatedApiKey;
    try {
      created = await api<CreatedApiKey>('POST', '/api/keys', { body });
    } catch (error) {
      showError(error, { near: form, screen: 'keys', fields, context: 'Not created.' });
      return;
    }
    secretSlot.replaceChildren(secretCard(created));
    showStatus(`Key “${created.name ?? created.prefix}” created. Copy it from the box below: it is shown only this once.`);
    form.reset();
    full.radio.checked = true;
    showDomains();
    listSlot.replaceChildren(keyList((await api<{ keys: ApiKey[] }>('GET', '/api/keys')).keys, navigate));
    secretSlot.querySelector('h2')?.setAttribute('tabindex', '-1');
    (secretSlot.querySelector('h2') as HTMLElement | null)?.focus();
  },
  h('h2', { id: 'create-title' }, 'Create a key'),
  name.row,
  h('fieldset', {}, h('legend', {}, 'Access'), full.row, sending.row),
  domainSet,
  expiry.row,
  h('div', { class: 'actions' }, submit));

  append(main,
    heading('API keys'),
    h('p', { class: 'lead' }, 'Your applications sign in to SendFleet with these keys. Give each application its own key, so you can revoke one without touching the others. Your account can hold 100 keys that are not revoked.'),
    secretSlot,
    form,
    listSlot);
}
