/**
 * Usage: this month's accepted sends against the plan's limit, the per-minute rate limit, and the
 * delivery rates of the last 30 days against SES's review thresholds (bounces 5 %, complaints 0.1 %),
 * with a warning before them.
 */
import { api } from './api';
import { append, h } from './dom';
import type { DeliveryDay, DeliveryRates, Usage } from './types';
import { refusalReasons } from './refusal-reasons';
import { badge, fact, heading } from './ui';
import { CUSTOMER_STACK_NAME } from '../../lambdas/relay/byoc/customer-template';

const percent = (fraction: number): string => `${Number((fraction * 100).toPrecision(3))} %`;

const STATE_TEXT: Record<DeliveryRates['state'], string> = {
  ok: 'Below the warning levels.',
  warning: 'Past a warning level: find the cause before SES reviews your account.',
  review_risk: 'At or past an SES review threshold: SES may put your account under review and pause its sending.',
};

/** One rate against its thresholds: the figure, a meter (warning → high, review → max) and the levels in words. */
function rate(label: string, field: string, value: number | null, warning: number, review: number): HTMLElement {
  return h('div', { class: 'kv', attrs: { 'data-field': field } },
    h('dt', {}, label),
    h('dd', {},
      value === null ? 'No sends in the window' : percent(value),
      value === null ? null : h('meter', { attrs: { min: '0', max: String(review), low: String(warning), high: String(warning), optimum: '0', value: String(Math.min(value, review)), 'aria-label': `${label} against the review threshold` } })),
    h('dd', { class: 'hint' }, `Warning from ${percent(warning)}; SES reviews your account at ${percent(review)}.`));
}

function deliveryPanel(delivery: DeliveryRates | null | undefined): HTMLElement {
  const title = h('h2', { id: 'rates-title' }, 'Delivery rates');
  if (!delivery) {
    return h('section', { class: 'card rates', attrs: { 'aria-labelledby': 'rates-title', 'data-field': 'delivery' } }, title,
      h('p', { attrs: { 'data-field': 'not_connected' } }, `Events not connected: launch or update the ${CUSTOMER_STACK_NAME} stack in your AWS account, so SES reports deliveries, bounces and complaints to SendFleet.`),
      h('p', { class: 'actions' }, h('a', { class: 'button', attrs: { href: '#/settings' } }, 'Go to Settings')));
  }
  return h('section', { class: 'card rates', attrs: { 'aria-labelledby': 'rates-title', 'data-field': 'delivery' } }, title,
    h('p', { attrs: { 'data-field': 'state' } }, badge(delivery.state), ' ', STATE_TEXT[delivery.state]),
    h('dl', { class: 'facts' },
      rate('Bounce rate', 'bounce_rate', delivery.bounce_rate, delivery.bounce_warning_rate, delivery.bounce_review_rate),
      rate('Complaint rate', 'complaint_rate', delivery.complaint_rate, delivery.complaint_warning_rate, delivery.complaint_review_rate),
      fact(`Sent (last ${delivery.window_days} days)`, 'sent', delivery.sent),
      fact('Delivered', 'delivered', delivery.delivered),
      fact('Bounced', 'bounced', delivery.bounced),
      fact('Complained', 'complained', delivery.complained)));
}

/** How many of the latest days the table shows (the API answers the whole window). */
const DAYS_SHOWN = 14;

/** A UTC day as the reader writes dates (the day itself is UTC: the counts are per UTC day). */
const dayLabel = (date: string): string => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });

const DAY_COLUMNS: Array<{ field: keyof Omit<DeliveryDay, 'date'>; title: string }> = [
  { field: 'sent', title: 'Accepted by SES' },
  { field: 'delivered', title: 'Delivered' },
  { field: 'bounced', title: 'Bounced' },
  { field: 'complained', title: 'Complaints' },
  { field: 'rejected', title: 'Rejected by SES' },
];

/**
 * The latest days, newest first: what SES reported for the tenant's messages each day (when its
 * account sends events), and the sends SendFleet refused before SES, with why.
 */
function daysPanel(usage: Usage): HTMLElement {
  const delivery = new Map((usage.delivery?.days ?? []).map((day) => [day.date, day]));
  const latest = (usage.refusals?.days ?? usage.delivery?.days ?? []).slice(-DAYS_SHOWN).reverse().map(({ date }) => date);
  const refusals = new Map((usage.refusals?.days ?? []).map((day) => [day.date, day]));
  const columns = usage.delivery ? DAY_COLUMNS : [];
  return h('section', { class: 'card', attrs: { 'aria-labelledby': 'days-title', 'data-field': 'days' } },
    h('h2', { id: 'days-title' }, 'Day by day'),
    h('p', { class: 'hint' }, usage.delivery
      ? `The last ${latest.length} days (UTC): what your SES account reported to SendFleet, and the sends SendFleet refused before they reached SES. Message contents and recipients are never counted or kept.`
      : `The last ${latest.length} days (UTC): the sends SendFleet refused before they reached SES. Message contents and recipients are never counted or kept.`),
    h('div', { class: 'scroll' }, h('table', { class: 'grid' },
      h('caption', {}, 'Your messages per day'),
      h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' } }, 'Day'), ...columns.map(({ title }) => h('th', { attrs: { scope: 'col' } }, title)),
        h('th', { attrs: { scope: 'col' } }, 'Refused by SendFleet'))),
      h('tbody', {}, ...latest.map((date) => {
        const refused = refusals.get(date);
        const day = delivery.get(date);
        return h('tr', { attrs: { 'data-day': date } },
          h('th', { attrs: { scope: 'row' } }, h('time', { attrs: { datetime: date } }, dayLabel(date))),
          ...columns.map(({ field }) => h('td', { attrs: { 'data-field': field } }, day?.[field] ?? 0)),
          h('td', { attrs: { 'data-field': 'refused' } }, refused?.refused ?? 0,
            refused && refused.refused > 0
              ? h('ul', { class: 'reasons' }, ...refusalReasons(refused.codes).map(({ reason, count }) => h('li', {}, `${count} ${reason}`)))
              : null));
      })))));
}

export async function renderUsage(main: HTMLElement): Promise<void> {
  const usage = await api<Usage>('GET', '/api/usage');
  const sends = usage.used !== null
    ? usage.limit === null ? `${usage.used}` : `${usage.used} of ${usage.limit}`
    : usage.delivery
      ? `${usage.delivery.sent} in the last ${usage.delivery.window_days} days, as SES reported them (day by day below). Your SES account counts them against its own quota; SendFleet sets no monthly limit.`
      : 'Your SES account counts your sends against its own quota; SendFleet sets no monthly limit. Connect delivery events (below) to see them here.';
  append(main,
    heading('Usage'),
    h('section', { class: 'card', attrs: { 'aria-label': 'This month' } },
      h('dl', { class: 'facts' },
        fact('Plan', 'plan', usage.plan),
        fact('Month (UTC)', undefined, usage.month),
        fact(usage.used === null ? 'Accepted sends' : 'Accepted sends this month', 'used', sends),
        fact('Monthly limit', 'limit', usage.limit === null ? 'Unlimited' : `${usage.limit} accepted sends`),
        fact('Rate limit', 'sends_per_minute', `${usage.sends_per_minute} sends per minute per API key`)),
      usage.used !== null && usage.limit !== null
        ? h('progress', { attrs: { max: String(usage.limit), value: String(Math.min(usage.used, usage.limit)), 'aria-label': 'Accepted sends this month' } })
        : null),
    deliveryPanel(usage.delivery),
    usage.delivery || usage.refusals ? daysPanel(usage) : null);
}
