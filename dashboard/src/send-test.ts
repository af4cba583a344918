/**
 * Send test: one email through the tenant's SES, as their code would send it: from an address at
 * one of their verified domains (picked, not typed), with an optional sender name and HTML body.
 */
import { api } from './api';
import { append, h } from './dom';
import type { DomainSummary, SendResult } from './types';
import { field, heading, input, showError, showStatus, submitForm } from './ui';

/** Send test with `domain` picked in From (the Domains page's next step). */
export const sendTestHref = (domain?: string): string => (domain ? `#/send/${encodeURIComponent(domain)}` : '#/send');

/** Without a verified domain there is nothing to send from: say so, and lead to Domains. */
const noVerifiedDomain = (): HTMLElement => h('section', { class: 'card', attrs: { 'aria-labelledby': 'no-domain-title', 'data-field': 'no_verified_domain' } },
  h('h2', { id: 'no-domain-title' }, 'No verified domain yet'),
  h('p', {}, 'A test email is sent from an address at one of your verified domains. Add a domain, publish its DNS records and verify them first.'),
  h('p', { class: 'actions' }, h('a', { class: 'button primary', attrs: { href: '#/domains' } }, 'Go to Domains')));

export async function renderSendTest(main: HTMLElement, preferredDomain?: string): Promise<void> {
  const { domains } = await api<{ domains: DomainSummary[] }>('GET', '/api/byoc/domains');
  const verified = domains.filter((d) => d.can_send).map((d) => d.domain);
  if (verified.length === 0) {
    append(main, heading('Send test'), noVerifiedDomain());
    return;
  }

  const to = field('To', input({ name: 'to', type: 'email', placeholder: 'you@example.com' }));
  const localPart = field('From address', input({ name: 'from_local_part', placeholder: 'hello', value: 'hello' }), 'The part before the @.');
  const fromDomain = field('From domain', h('select', { attrs: { name: 'from_domain' } }, ...verified.map((d) => h('option', { attrs: { value: d } }, d))),
    'Your verified domains. From your own code you can also send from their subdomains.');
  if (preferredDomain && verified.includes(preferredDomain)) fromDomain.control.value = preferredDomain;
  const fromName = field('From name (optional)', input({ name: 'from_name', placeholder: 'Acme' }), 'Shown to the reader beside the address.');
  const subject = field('Subject', input({ name: 'subject', value: 'SendFleet test' }));
  const message = field('Message', h('textarea', { attrs: { name: 'message', rows: '5' } }, 'This is a test email sent from the SendFleet dashboard.'), 'The plain-text body.');
  const html = field('HTML body (optional)', h('textarea', { attrs: { name: 'html', rows: '5', spellcheck: 'false', placeholder: '<p>Hello from <strong>Acme</strong></p>' } }),
    'Sent beside the message: mail apps that show HTML show this, the others show the plain text.');
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Send test email');
  const result = h('p', { class: 'result', attrs: { 'data-field': 'message_id' } });

  const form = submitForm({ class: 'card', labelledBy: 'send-title', button: submit }, async () => {
    result.replaceChildren();
    // Optional fields left empty are not sent; everything given is sent as typed, for the API to accept or refuse.
    const optional = (name: string, value: string) => (value.trim() === '' ? {} : { [name]: value });
    try {
      const sent = await api<SendResult>('POST', '/api/send', {
        body: {
          to: to.control.value.trim(),
          from_email: `${localPart.control.value.trim()}@${fromDomain.control.value}`,
          ...optional('from_name', fromName.control.value),
          subject: subject.control.value,
          ...optional('message', message.control.value),
          ...optional('html', html.control.value),
        },
      });
      showStatus('Email accepted by your SES account.');
      result.replaceChildren('Message id: ', h('code', {}, sent.message_id));
    } catch (error) {
      showError(error, { near: form, screen: 'send', context: 'Not sent.' });
    }
  }, h('h2', { id: 'send-title' }, 'Send one email through your SES'), to.row,
  h('div', { class: 'from-address' }, localPart.row, h('span', { class: 'at', attrs: { 'aria-hidden': 'true' } }, '@'), fromDomain.row),
  fromName.row, subject.row, message.row, html.row, h('div', { class: 'actions' }, submit), result);

  append(main, heading('Send test'), form);
}
