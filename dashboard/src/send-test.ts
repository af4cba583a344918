/** Send test: one email through the tenant's SES, as POST /api/send would from their code. */
import { api } from './api';
import { h } from './dom';
import type { SendResult } from './types';
import { busy, clearMessages, field, heading, input, showError, showStatus } from './ui';

export function renderSendTest(main: HTMLElement): void {
  const to = field('To', input({ name: 'to', type: 'email', placeholder: 'you@example.com' }));
  const from = field('From', input({ name: 'from_email', type: 'email', placeholder: 'hello@acme.com' }), 'An address at one of your verified domains (or a subdomain of one).');
  const subject = field('Subject', input({ name: 'subject', value: 'SendFleet test' }));
  const message = field('Message', h('textarea', { attrs: { name: 'message', rows: '5' } }, 'This is a test email sent from the SendFleet dashboard.'));
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Send test email');
  const result = h('p', { class: 'result', attrs: { 'data-field': 'message_id' } });

  const form = h('form', {
    class: 'card',
    attrs: { 'aria-labelledby': 'send-title', novalidate: '' },
    on: {
      submit: (event) => {
        event.preventDefault();
        void busy(submit, async () => {
          clearMessages();
          result.replaceChildren();
          try {
            const sent = await api<SendResult>('POST', '/api/send', {
              body: { to: to.control.value.trim(), from_email: from.control.value.trim(), subject: subject.control.value, message: message.control.value },
            });
            showStatus('Email accepted by your SES account.');
            result.replaceChildren('Message id: ', h('code', {}, sent.message_id));
          } catch (error) {
            showError(error, { near: form, screen: 'send', context: 'Not sent.' });
          }
        });
      },
    },
  }, h('h2', { id: 'send-title' }, 'Send one email through your SES'), to.row, from.row, subject.row, message.row, h('div', { class: 'actions' }, submit), result);

  main.append(heading('Send test'), form);
}
