/**
 * Times as people read them: the browser's local date and time, with how long ago ("3 minutes ago")
 * beside it; the ISO instant stays in `datetime` (and its title) for anyone who needs it exact.
 */
import { h, type Child } from './dom';

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600], ['month', 30 * 24 * 3600], ['week', 7 * 24 * 3600],
  ['day', 24 * 3600], ['hour', 3600], ['minute', 60], ['second', 1],
];

/** "3 minutes ago", "in 2 days", "now"; `now` is the page's clock. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(seconds) < 10) return relative.format(0, 'second');
  const [unit, size] = UNITS.find(([, s]) => Math.abs(seconds) >= s) ?? UNITS[UNITS.length - 1]!;
  return relative.format(Math.round(seconds / size), unit);
}

/** A <time> with the local date and time and how long ago; `none` when there is no time. */
export function localTime(iso: string | null | undefined, none = '—'): Child {
  if (!iso || Number.isNaN(Date.parse(iso))) return none;
  return h('time', { attrs: { datetime: iso, title: iso } }, `${new Date(iso).toLocaleString()} (${timeAgo(iso)})`);
}
