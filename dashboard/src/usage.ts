/** Usage: this month's accepted sends against the plan's limit, and the per-minute rate limit. */
import { api } from './api';
import { h } from './dom';
import type { Usage } from './types';
import { heading } from './ui';

export async function renderUsage(main: HTMLElement): Promise<void> {
  const usage = await api<Usage>('GET', '/api/usage');
  const sends = usage.used === null
    ? 'Not counted by SendFleet on this plan: your SES account counts your sends.'
    : usage.limit === null ? `${usage.used}` : `${usage.used} of ${usage.limit}`;
  main.append(
    heading('Usage'),
    h('section', { class: 'card', attrs: { 'aria-label': 'This month' } },
      h('dl', { class: 'facts' },
        h('div', { class: 'kv' }, h('dt', {}, 'Plan'), h('dd', { attrs: { 'data-field': 'plan' } }, usage.plan)),
        h('div', { class: 'kv' }, h('dt', {}, 'Month (UTC)'), h('dd', {}, usage.month)),
        h('div', { class: 'kv' }, h('dt', {}, 'Accepted sends this month'), h('dd', { attrs: { 'data-field': 'used' } }, sends)),
        h('div', { class: 'kv' }, h('dt', {}, 'Monthly limit'), h('dd', { attrs: { 'data-field': 'limit' } }, usage.limit === null ? 'Unlimited' : `${usage.limit} accepted sends`)),
        h('div', { class: 'kv' }, h('dt', {}, 'Rate limit'), h('dd', { attrs: { 'data-field': 'sends_per_minute' } }, `${usage.sends_per_minute} sends per minute per API key`))),
      usage.used !== null && usage.limit !== null
        ? h('progress', { attrs: { max: String(usage.limit), value: String(Math.min(usage.used, usage.limit)), 'aria-label': 'Accepted sends this month' } })
        : null));
}
