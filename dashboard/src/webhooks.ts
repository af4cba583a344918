/**
 * Webhooks: the one endpoint SendFleet POSTs delivery events to (URL and event types), its signing
 * secret shown once when the endpoint is created, and deletion behind a confirmation.
 */
import { api } from './api';
import { append, h, uniqueId } from './dom';
import { localTime } from './time';
import type { Webhook, WebhookSaved } from './types';
import { confirmedDelete, copyButton, field, heading, input, showError, showStatus, submitForm } from './ui';
import { WEBHOOK_EVENT_TYPES } from '../../lambdas/relay/webhooks/outbox';

const EVENT_LABELS: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  'email.sent': 'Sent: SES accepted the message',
  'email.delivered': 'Delivered: the recipient\'s server accepted it',
  'email.delivery_delayed': 'Delivery delayed: SES keeps trying',
  'email.bounced': 'Bounced',
  'email.complained': 'Complained: marked as spam',
  'email.suppressed': 'Suppressed: the address is on your SES suppression list',
  'email.failed': 'Failed: rejected or not rendered by SES',
  'byoc.role_failed': 'Account: SendFleet can no longer use your role',
  'byoc.permission_missing': 'Account: the role lost an SES permission SendFleet needs',
  'byoc.sending_paused': 'Account: SES sending is paused',
  'byoc.sandbox': 'Account: back in the SES sandbox',
  'byoc.recovered': 'Account: a failing check passes again',
  'domain.verification_failed': 'Domain: ownership verification failed',
  'domain.dkim_failed': 'Domain: DKIM failed',
  'domain.mail_from_failed': 'Domain: custom MAIL FROM failed',
  'domain.recovered': 'Domain: a failing record is verified again',
};

/** The secret, once: with a copy button and the note that it will not be shown again. */
function secretCard(secret: string): HTMLElement {
  const labelId = uniqueId('label');
  return h('section', { class: 'card secret', attrs: { 'aria-labelledby': 'secret-title', 'data-field': 'signing_secret' } },
    h('h2', { id: 'secret-title' }, 'Your signing secret'),
    h('p', {}, h('strong', {}, 'Copy it now: it will not be shown again.'), ' Verify each delivery\'s webhook-signature with it (the standardwebhooks package does it in one call). To get a new one, delete the endpoint and create it again.'),
    h('dl', { class: 'facts' }, h('div', { class: 'kv' }, h('dt', { id: labelId }, 'Signing secret'), h('dd', {}, h('code', {}, secret), copyButton(() => secret, 'Signing secret', labelId)))));
}

export async function renderWebhooks(main: HTMLElement, navigate: (hash: string, status?: string) => void): Promise<void> {
  const { webhook } = await api<{ webhook: Webhook | null }>('GET', '/api/webhooks');
  const secretSlot = h('div', {});
  const url = field('Endpoint URL', input({ name: 'url', type: 'url', inputmode: 'url', placeholder: 'https://example.com/webhooks/sendfleet', value: webhook?.url ?? '' }),
    'https, on a public host; SendFleet POSTs JSON there and counts any 2xx answer within 10 s as delivered.');
  const boxes = WEBHOOK_EVENT_TYPES.map((type) => {
    const id = uniqueId('event');
    const box = h('input', { id, attrs: { type: 'checkbox', name: 'events', value: type } });
    box.checked = webhook ? webhook.events.includes(type) : ['email.delivered', 'email.bounced', 'email.complained'].includes(type);
    return { box, row: h('div', { class: 'check' }, box, h('label', { attrs: { for: id } }, h('code', {}, type), ' ', EVENT_LABELS[type])) };
  });
  const save = h('button', { class: 'primary', attrs: { type: 'submit' } }, webhook ? 'Save changes' : 'Create endpoint');
  const form = submitForm({ class: 'card', labelledBy: 'endpoint-title', button: save }, async () => {
    const events = boxes.filter(({ box }) => box.checked).map(({ box }) => box.value);
    try {
      const saved = await api<WebhookSaved>('PUT', '/api/webhooks', { body: { url: url.control.value.trim(), events } });
      if (saved.signing_secret) {
        secretSlot.replaceChildren(secretCard(saved.signing_secret));
        showStatus('Endpoint created. Copy the signing secret below: it is shown only this once.');
        save.textContent = 'Save changes';
        deleteCard.hidden = false;
      } else {
        showStatus('Endpoint saved. The signing secret is unchanged.');
      }
    } catch (error) {
      showError(error, {
        near: form, screen: 'webhooks', context: 'Not saved.',
        fields: {
          url: { control: url.control, words: { label: 'The endpoint URL', empty: 'Enter the endpoint URL: an https address on a public host, like https://example.com/webhooks/sendfleet.' } },
          events: { control: boxes[0]!.box, words: { label: 'The events to send', empty: 'Choose at least one event to send.' } },
        },
      });
    }
  },
  h('h2', { id: 'endpoint-title' }, 'Endpoint'),
  url.row,
  h('fieldset', {}, h('legend', {}, 'Events to send'), ...boxes.map(({ row }) => row)),
  h('div', { class: 'actions' }, save));

  const { button: deleteButton, confirm } = confirmedDelete({
    label: 'Delete endpoint',
    confirmLabel: 'Yes, delete endpoint',
    question: 'Delete the endpoint? SendFleet stops sending webhooks and forgets the signing secret; a new endpoint gets a new secret.',
    screen: 'webhooks',
    onConfirm: async () => {
      await api('DELETE', '/api/webhooks');
      navigate('#/webhooks', 'Endpoint deleted, with its signing secret. Notifications still waiting for a retry are dropped.');
    },
  });
  const deleteCard = h('section', { class: 'card', attrs: { 'aria-label': 'Delete' } }, h('div', { class: 'actions' }, deleteButton), confirm);
  deleteCard.hidden = webhook === null;

  append(main,
    heading('Webhooks'),
    h('p', { class: 'lead' }, 'SendFleet POSTs your messages\' delivery events to one endpoint of yours, signed per Standard Webhooks, and retries for more than a day while it is down.'),
    secretSlot,
    form,
    webhook ? h('p', { class: 'muted', attrs: { 'data-field': 'updated_at' } }, 'Created ', localTime(webhook.created_at), ', last changed ', localTime(webhook.updated_at), '.') : null,
    deleteCard);
}
