/** Domains: the list, "Add domain", and one domain's DNS records with per-kind Verify. */
import { api } from './api';
import { h, uniqueId } from './dom';
import type { DnsRecord, Domain, DomainSummary, RecordKind } from './types';
import { badge, busy, clearMessages, confirmedDelete, copyButton, field, heading, input, showError, showStatus } from './ui';

export const domainHref = (domain: string): string => `#/domains/${encodeURIComponent(domain)}`;
const domainPath = (domain: string): string => `/api/byoc/domains/${encodeURIComponent(domain)}`;

export async function renderDomains(main: HTMLElement, navigate: (hash: string, status?: string) => void): Promise<void> {
  const { domains } = await api<{ domains: DomainSummary[] }>('GET', '/api/byoc/domains');
  const name = field('Domain', input({ name: 'domain', placeholder: 'acme.com' }),
    'Your root domain (acme.com, not mail.acme.com): you can send from its subdomains once it is verified.');
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Add domain');
  const form = h('form', {
    class: 'card inline-form',
    attrs: { 'aria-labelledby': 'add-title', novalidate: '' },
    on: {
      submit: (event) => {
        event.preventDefault();
        const given = name.control.value;
        void busy(submit, async () => {
          clearMessages();
          try {
            const added = await api<Domain>('POST', '/api/byoc/domains', { body: { domain: given.trim() } });
            navigate(domainHref(added.domain), `${added.domain} added. Publish its DNS records, then verify them.`);
          } catch (error) {
            // The name as typed is shown as text: it may carry markup.
            showError(error, { near: form, screen: 'domains', field: name.control, fields: { domain: { control: name.control, words: { label: 'Domain', empty: 'Enter your domain, like acme.com.' } } }, context: `Could not add “${given}”.` });
          }
        });
      },
    },
  }, h('h2', { id: 'add-title' }, 'Add a sending domain'), name.row, h('div', { class: 'actions' }, submit));

  const list = domains.length === 0
    ? h('p', { class: 'muted' }, 'No domains yet.')
    : h('table', { class: 'grid' },
      h('caption', {}, 'Your domains'),
      h('thead', {}, h('tr', {}, ...['Domain', 'Region', 'Status', 'Can send'].map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
      h('tbody', {}, ...domains.map((d) => h('tr', { attrs: { 'data-domain': d.domain } },
        h('td', {}, h('a', { attrs: { href: domainHref(d.domain) } }, d.domain)),
        h('td', {}, d.region),
        h('td', {}, badge(d.status)),
        h('td', {}, d.can_send ? 'Yes' : 'No')))));

  main.append(heading('Domains'), form, h('section', { class: 'card', attrs: { 'aria-label': 'Your domains' } }, list));
}

const KINDS: ReadonlyArray<{ kind: RecordKind | 'dmarc'; title: string; ids: RegExp }> = [
  { kind: 'ownership', title: 'Ownership', ids: /^ownership$/ },
  { kind: 'dkim', title: 'DKIM', ids: /^dkim\d$/ },
  { kind: 'mail_from', title: 'MAIL FROM', ids: /^mail_from_/ },
  { kind: 'dmarc', title: 'DMARC (recommended, not checked by SES)', ids: /^dmarc$/ },
];

function recordRow(record: DnsRecord): HTMLTableRowElement {
  const valueId = uniqueId('value');
  return h('tr', { attrs: { 'data-record': record.id } },
    h('td', {}, record.type),
    h('td', {}, h('code', { class: 'wrap' }, record.name)),
    h('td', {}, h('span', { class: 'value-cell' }, h('code', { class: 'wrap', id: valueId }, record.value), copyButton(() => record.value, `${record.type} value for ${record.name}`, valueId))),
    h('td', {}, badge(record.status)));
}

export async function renderDomain(main: HTMLElement, domain: string, navigate: (hash: string, status?: string) => void): Promise<void> {
  let current = await api<Domain>('GET', domainPath(domain));
  const body = h('div');

  const verify = (button: HTMLButtonElement, record?: RecordKind) => busy(button, async () => {
    clearMessages();
    try {
      current = await api<Domain>('POST', `${domainPath(domain)}/verify`, { body: record ? { record } : {} });
      draw();
      showStatus(current.can_send ? `${current.domain} is verified: you can send from it.` : `Checked with SES: ${current.domain} is ${current.status}.`);
    } catch (error) {
      showError(error, { near: button, screen: 'domains' });
    }
  });

  function recordsTable(): HTMLTableElement {
    return h('table', { class: 'grid records' },
      h('caption', {}, 'DNS records to publish'),
      h('thead', {}, h('tr', {}, ...['Type', 'Name', 'Value', 'Status'].map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
      ...KINDS.map(({ kind, title, ids }) => {
        const titleId = uniqueId('kind');
        const button = kind === 'dmarc' ? null : h('button', { attrs: { type: 'button', 'aria-describedby': titleId } }, 'Verify');
        button?.addEventListener('click', () => void verify(button, kind as RecordKind));
        return h('tbody', { attrs: { 'data-kind': kind } },
          h('tr', { class: 'group' },
            h('th', { id: titleId, attrs: { scope: 'rowgroup', colspan: '3' } }, title),
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
        h('div', { class: 'kv' }, h('dt', {}, 'Status'), h('dd', { attrs: { 'data-field': 'status' } }, badge(current.status))),
        h('div', { class: 'kv' }, h('dt', {}, 'Can send'), h('dd', { attrs: { 'data-field': 'can_send' } }, current.can_send ? 'Yes' : 'No')),
        h('div', { class: 'kv' }, h('dt', {}, 'Region'), h('dd', {}, current.region)),
        h('div', { class: 'kv' }, h('dt', {}, 'Last checked'), h('dd', {}, current.checked_at ?? 'never'))),
      h('p', {}, 'Publish every record at your DNS provider, then verify each kind. Sending needs ownership and DKIM.'),
      h('div', { class: 'scroll' }, recordsTable()));
  }
  draw();

  main.append(
    h('p', {}, h('a', { attrs: { href: '#/domains' } }, '← All domains')),
    heading(current.domain),
    h('section', { class: 'card', attrs: { 'aria-label': 'DNS records' } }, body, h('div', { class: 'actions' }, verifyAll)),
    h('section', { class: 'card', attrs: { 'aria-label': 'Delete' } }, h('div', { class: 'actions' }, deleteButton), confirm));
}
