/** Domains: the list, "Add domain", and one domain's DNS records with per-kind Verify. */
import { api } from './api';
import { h, uniqueId, type Child } from './dom';
import { sendTestHref } from './send-test';
import { localTime } from './time';
import type { DnsRecord, Domain, DomainSummary, RecordKind } from './types';
import { badge, busy, clearMessages, confirmedDelete, copyButton, fact, field, heading, input, showError, showStatus, submitForm } from './ui';
import { zoneFile, zoneFileName } from './zone-file';

export const domainHref = (domain: string): string => `#/domains/${encodeURIComponent(domain)}`;
const domainPath = (domain: string): string => `/api/byoc/domains/${encodeURIComponent(domain)}`;

export async function renderDomains(main: HTMLElement, navigate: (hash: string, status?: string) => void): Promise<void> {
  const { domains } = await api<{ domains: DomainSummary[] }>('GET', '/api/byoc/domains');
  const name = field('Domain', input({ name: 'domain', placeholder: 'acme.com' }),
    'Your root domain (acme.com, not mail.acme.com): you can send from its subdomains once it is verified.');
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Add domain');
  const form = submitForm({ class: 'card inline-form', labelledBy: 'add-title', button: submit }, async () => {
    const given = name.control.value;
    try {
      const added = await api<Domain>('POST', '/api/byoc/domains', { body: { domain: given.trim() } });
      navigate(domainHref(added.domain), `${added.domain} added. Publish its DNS records, then verify them.`);
    } catch (error) {
      // The name as typed is shown as text: it may carry markup.
      showError(error, { near: form, screen: 'domains', field: name.control, fields: { domain: { control: name.control, words: { label: 'Domain', empty: 'Enter your domain, like acme.com.' } } }, context: `Could not add “${given}”.` });
    }
  }, h('h2', { id: 'add-title' }, 'Add a sending domain'), name.row, h('div', { class: 'actions' }, submit));

  const list = domains.length === 0
    ? h('p', { class: 'muted' }, 'No domains yet.')
    : h('table', { class: 'grid stack' },
      h('caption', {}, 'Your domains'),
      h('thead', {}, h('tr', {}, ...['Domain', 'Region', 'Status', 'Can send'].map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
      h('tbody', {}, ...domains.map((d) => h('tr', { attrs: { 'data-domain': d.domain } },
        cell('Domain', h('a', { attrs: { href: domainHref(d.domain) } }, d.domain)),
        cell('Region', d.region),
        cell('Status', badge(d.status)),
        cell('Can send', d.can_send ? 'Yes' : 'No')))));

  main.append(heading('Domains'), form, h('section', { class: 'card', attrs: { 'aria-label': 'Your domains' } }, list));
}

const KINDS: ReadonlyArray<{ kind: RecordKind | 'dmarc'; title: string; ids: RegExp }> = [
  { kind: 'ownership', title: 'Ownership', ids: /^ownership$/ },
  { kind: 'dkim', title: 'DKIM', ids: /^dkim\d$/ },
  { kind: 'mail_from', title: 'MAIL FROM', ids: /^mail_from_/ },
  { kind: 'dmarc', title: 'DMARC (recommended, not checked by SES)', ids: /^dmarc$/ },
];

/** The kinds SES must verify before the domain can send (MAIL FROM does not gate sending). */
const SENDING_KINDS: readonly RecordKind[] = ['ownership', 'dkim'];
const titleOf = (kind: RecordKind): string => KINDS.find((k) => k.kind === kind)!.title;

/**
 * A record's cell: its label (shown as the field's name when the table is stacked into cards on a
 * phone, see style.css) and the content. The label is given to CSS only, so it is not read twice.
 */
const cell = (label: string, ...content: Child[]): HTMLTableCellElement => h('td', { attrs: { 'data-label': label } }, ...content);

/** A monospace value with its Copy button, which names what it copies. */
function copyable(value: string, what: string, field: string): HTMLElement {
  const valueId = uniqueId(field);
  return h('span', { class: 'value-cell', attrs: { 'data-field': field } }, h('code', { class: 'wrap', id: valueId }, value), copyButton(() => value, what, valueId));
}

function recordRow(record: DnsRecord): HTMLTableRowElement {
  return h('tr', { attrs: { 'data-record': record.id } },
    cell('Type', record.type),
    cell('Name', copyable(record.name, `${record.type} record name`, 'name')),
    // An MX record's host and priority go in separate fields at DNS providers: shown apart.
    cell('Value', copyable(record.exchange ?? record.value, `${record.type} value for ${record.name}`, 'value')),
    record.priority === undefined ? h('td', { class: 'none', attrs: { 'data-label': 'Priority' } }, '—') : cell('Priority', String(record.priority)),
    cell('Status', badge(record.status)));
}

/**
 * What a check found, in words that never overstate it: the kind checked and its status, then the
 * kinds sending still needs that this check did not look at (a Verify of one kind re-reads that kind only).
 */
function checkOutcome(domain: Domain, checked?: RecordKind): string {
  if (domain.can_send) return `${domain.domain} is verified: you can send from it.`;
  const kinds = checked ? [checked] : (['ownership', 'dkim', 'mail_from'] as const);
  const found = kinds.map((kind) => `${titleOf(kind)} ${domain.statuses[kind] === 'Success' ? 'is verified' : `is ${domain.statuses[kind]}`}`).join(', ');
  const unchecked = checked === undefined ? [] : SENDING_KINDS.filter((kind) => kind !== checked && domain.statuses[kind] !== 'Success').map(titleOf);
  const rest = unchecked.length === 0 ? ''
    : ` ${unchecked.join(' and ')} ${unchecked.length === 1 ? 'is' : 'are'} not verified yet and ${unchecked.length === 1 ? 'was' : 'were'} not part of this check: press ${unchecked.length === 1 ? 'its' : 'their'} Verify button, or Verify all.`;
  return `Checked with SES: ${found}.${rest} ${domain.domain} cannot send yet.`;
}

/** Once the domain can send: the way to the next step, a test email from it. */
const nextStep = (domain: string): HTMLElement => h('section', { class: 'card next', attrs: { 'aria-labelledby': 'next-title', 'data-field': 'next_step' } },
  h('h2', { id: 'next-title' }, 'Next: send a test email'),
  h('p', {}, `${domain} is verified. Send yourself an email from it to see it arrive.`),
  h('p', { class: 'actions' }, h('a', { class: 'button primary', attrs: { href: sendTestHref(domain) } }, 'Send a test email')));

/** "Download zone file": every record as a BIND zone file, for DNS providers that import one. */
let zoneUrl: string | undefined;
function zoneDownload(domain: Domain): HTMLAnchorElement {
  // One file at a time: the previous drawing's is released.
  if (zoneUrl) URL.revokeObjectURL(zoneUrl);
  const url = zoneUrl = URL.createObjectURL(new Blob([zoneFile(domain.domain, domain.records)], { type: 'text/dns' }));
  return h('a', { class: 'button', attrs: { href: url, download: zoneFileName(domain.domain), 'data-field': 'zone_file' } }, 'Download zone file');
}

export async function renderDomain(main: HTMLElement, domain: string, navigate: (hash: string, status?: string) => void): Promise<void> {
  let current = await api<Domain>('GET', domainPath(domain));
  const body = h('div');
  const next = h('div');

  const verify = (button: HTMLButtonElement, record?: RecordKind) => busy(button, async () => {
    clearMessages();
    try {
      current = await api<Domain>('POST', `${domainPath(domain)}/verify`, { body: record ? { record } : {} });
      draw();
      showStatus(checkOutcome(current, record));
    } catch (error) {
      showError(error, { near: button, screen: 'domains' });
    }
  });

  function recordsTable(): HTMLTableElement {
    return h('table', { class: 'grid records stack' },
      h('caption', {}, 'DNS records to publish'),
      h('thead', {}, h('tr', {}, ...['Type', 'Name', 'Value', 'Priority', 'Status'].map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
      ...KINDS.map(({ kind, title, ids }) => {
        const titleId = uniqueId('kind');
        const button = kind === 'dmarc' ? null : h('button', { attrs: { type: 'button', 'aria-describedby': titleId } }, 'Verify');
        button?.addEventListener('click', () => void verify(button, kind as RecordKind));
        return h('tbody', { attrs: { 'data-kind': kind } },
          h('tr', { class: 'group' },
            h('th', { id: titleId, attrs: { scope: 'rowgroup', colspan: '4' } }, title),
            h('td', {}, button)),
          ...current.records.filter((r) => ids.test(r.id)).map(recordRow));
      }));
  }

  const verifyAll = h('button', { class: 'primary', attrs: { type: 'button' } }, 'Verify all');
  verifyAll.addEventListener('click', () => void verify(verifyAll));

  const { button: deleteButton, confirm } = confirmedDelete({
    label: 'Delete domain',
    confirmLabel: 'Yes, delete domain',
    question: `Delete ${current.domain}? SendFleet deletes its SES identity in your AWS account; you can no longer send from it.`,
    screen: 'domains',
    onConfirm: async () => {
      await api('DELETE', domainPath(domain));
      navigate('#/domains', `${current.domain} deleted, and its SES identity in your AWS account.`);
    },
  });

  function draw(): void {
    body.replaceChildren(
      h('dl', { class: 'facts' },
        fact('Status', 'status', badge(current.status)),
        fact('Can send', 'can_send', current.can_send ? 'Yes' : 'No'),
        fact('Region', undefined, current.region),
        fact('Last checked', 'checked_at', localTime(current.checked_at, 'Never'))),
      h('p', {}, 'Publish every record at your DNS provider, then verify each kind. Sending needs ownership and DKIM.'),
      h('p', { class: 'actions' }, zoneDownload(current)),
      recordsTable());
    next.replaceChildren(...(current.can_send ? [nextStep(current.domain)] : []));
  }
  draw();

  main.append(
    h('p', {}, h('a', { attrs: { href: '#/domains' } }, '← All domains')),
    heading(current.domain),
    next,
    h('section', { class: 'card', attrs: { 'aria-label': 'DNS records' } }, body, h('div', { class: 'actions' }, verifyAll)),
    h('section', { class: 'card', attrs: { 'aria-label': 'Delete' } }, h('div', { class: 'actions' }, deleteButton), confirm));
}
