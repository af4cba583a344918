/** Building blocks shared by the views: the alert and status regions, fields, copy buttons. */
import { append, h, uniqueId, type Child } from './dom';
import { errorWords, type FieldWords, type Screen } from './messages';

/**
 * The page-wide alert region (role="alert"), for a view that could not load, and one status region
 * for confirmations. Both persist across views, so screen readers announce each change. An error
 * caused by a form or button is shown next to it instead (showError).
 */
export const alertRegion = h('div', { class: 'alert', id: 'alert', attrs: { role: 'alert' } });
export const statusRegion = h('div', { class: 'status', id: 'status', attrs: { role: 'status' } });

const INLINE_ERROR = 'field-error';

/** Removes every message and every field's error mark. */
export function clearMessages(): void {
  alertRegion.replaceChildren();
  statusRegion.replaceChildren();
  for (const message of document.querySelectorAll(`.${INLINE_ERROR}`)) message.remove();
  for (const control of document.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) unmark(control);
}

function mark(control: HTMLElement, messageId: string): void {
  if (control.getAttribute('aria-invalid') === 'true') unmark(control); // marked by an earlier message: describe it by this one
  const describedBy = control.getAttribute('aria-describedby');
  if (describedBy !== null) control.dataset.describedby = describedBy;
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', [describedBy, messageId].filter(Boolean).join(' '));
}

function unmark(control: HTMLElement): void {
  control.removeAttribute('aria-invalid');
  const describedBy = control.dataset.describedby;
  if (describedBy === undefined) control.removeAttribute('aria-describedby');
  else control.setAttribute('aria-describedby', describedBy);
  delete control.dataset.describedby;
}

/** Where an error is shown: next to the form or button that caused it. */
export interface ErrorPlace {
  /** The form (message above its buttons) or the button (message after its row) the person used. */
  near: HTMLElement;
  /** Whose words the message takes (messages.ts). */
  screen: Screen;
  /** The control the error is about when no issue names one: marked and focused. */
  field?: HTMLElement;
  /** The form's fields by API path, with their words: each issue of a refused form marks its own. */
  fields?: Record<string, { control: HTMLElement; words: FieldWords }>;
  /** A short lead before the message ("Not saved."). */
  context?: string;
}

/**
 * Shows what went wrong next to the control that caused it, in the screen's words: a role="alert"
 * message after the button (or above the form's buttons) that lists every issue, each field in
 * error marked aria-invalid and described by it; focus moves to the first such field, or to the message.
 */
export function showError(error: unknown, place: ErrorPlace): HTMLElement {
  const words = errorWords(error, place.screen, Object.fromEntries(Object.entries(place.fields ?? {}).map(([path, f]) => [path, f.words])));
  return showErrorText([
    place.context ? h('strong', {}, place.context) : null, place.context ? ' ' : null, words.summary,
    words.issues.length > 0 ? h('ul', {}, ...words.issues.map((issue) => h('li', {}, issue.text))) : null,
  ], place, words.issues.map((issue) => place.fields?.[issue.path]?.control));
}

/** A message of the page's own next to `near` (see showError); `controls` are marked, the first focused. */
export function showErrorText(content: Child[], place: Pick<ErrorPlace, 'near' | 'field'>, controls: Array<HTMLElement | undefined> = []): HTMLElement {
  statusRegion.replaceChildren();
  const id = uniqueId('error');
  const message = h('div', { class: INLINE_ERROR, id, attrs: { role: 'alert', tabindex: '-1' } });
  const { near } = place;
  if (near instanceof HTMLFormElement) {
    const actions = near.querySelector(':scope > .actions');
    if (actions) actions.before(message);
    else near.append(message);
  } else {
    (near.closest('.actions') ?? near).after(message);
  }
  // Filled once it is in the page, so screen readers announce it as it appears.
  append(message, ...content);
  const marked = [...new Set(controls.filter((c): c is HTMLElement => c !== undefined))];
  if (marked.length === 0 && place.field) marked.push(place.field);
  for (const control of marked) mark(control, id);
  (marked[0] ?? message).focus();
  return message;
}

/** A view that could not load: the page-wide alert, in the page's words. */
export function showPageError(error: unknown, context?: string): void {
  statusRegion.replaceChildren();
  const { summary } = errorWords(error, 'page');
  alertRegion.replaceChildren(...(context ? [h('strong', {}, context), ' '] : []), summary ?? '');
}

/**
 * A note after `near` while slow work runs: what is happening (announced when it changes,
 * role=status) and the seconds so far (updated each second on the page's timer, not read out).
 */
export function showProgress(near: HTMLElement, progress: (seconds: number) => { doing: string; elapsed: string }): { stop(): void } {
  const startedAt = Date.now();
  const doing = h('span', {});
  const elapsed = h('span', { attrs: { 'aria-live': 'off', 'data-field': 'elapsed' } });
  const note = h('p', { class: 'progress', attrs: { role: 'status', 'data-field': 'progress' } }, doing, ' ', elapsed);
  const tick = () => {
    const now = progress(Math.floor((Date.now() - startedAt) / 1000));
    if (doing.textContent !== now.doing) doing.textContent = now.doing;
    elapsed.textContent = now.elapsed;
  };
  (near.closest('.actions') ?? near).after(note);
  tick();
  const timer = window.setInterval(tick, 1000);
  return {
    stop: () => {
      window.clearInterval(timer);
      note.remove();
    },
  };
}

export function showStatus(text: string): void {
  alertRegion.replaceChildren();
  statusRegion.replaceChildren(text);
}

/** A labelled input or select; returns the wrapper and the control. */
export function field<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(label: string, control: T, hint?: string): { row: HTMLElement; control: T } {
  const id = uniqueId('field');
  control.id = id;
  const hintId = hint ? uniqueId('hint') : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  const row = h('div', { class: 'field' }, h('label', { attrs: { for: id } }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
  return { row, control };
}

export const input = (attrs: Record<string, string>): HTMLInputElement => h('input', { attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs } });

/**
 * A "Copy" button for one value. Its accessible name is "Copy"; `describedBy` names what it copies.
 * What was copied is also kept in `data-copied` on the page body, for people whose browser refuses
 * the clipboard (and for the tests).
 */
export function copyButton(value: () => string, what: string, describedBy?: string): HTMLButtonElement {
  const button: HTMLButtonElement = h('button', {
    class: 'copy',
    attrs: { type: 'button', 'aria-describedby': describedBy },
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(value());
          showStatus(`${what} copied to the clipboard.`);
        } catch {
          showErrorText([`Your browser did not allow copying. Select the ${what} and copy it by hand.`], { near: button });
        }
      },
    },
  }, 'Copy');
  return button;
}

/** Disables a form's button while `work` runs, so a double click does not send twice. */
export async function busy(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * A form the page submits itself: the browser's own validation is off (the API's refusals are shown
 * beside their fields instead), and each submit clears the earlier messages and runs `submitted`
 * with `button` busy, so it cannot be sent twice while the first is on its way.
 */
export function submitForm(
  options: { class: string; labelledBy: string; button: HTMLButtonElement },
  submitted: () => Promise<void>,
  ...children: Child[]
): HTMLFormElement {
  return h('form', {
    class: options.class,
    attrs: { 'aria-labelledby': options.labelledBy, novalidate: '' },
    on: {
      submit: (event) => {
        event.preventDefault();
        void busy(options.button, async () => {
          clearMessages();
          await submitted();
        });
      },
    },
  }, ...children);
}

/** One label and its value in a `dl.facts` list; `field` names the value for the page's tests and styles. */
export function fact(label: Child, field: string | undefined, ...value: Child[]): HTMLElement {
  return h('div', { class: 'kv' }, h('dt', {}, label), h('dd', { attrs: { 'data-field': field } }, ...value));
}

export const badge = (status: string): HTMLElement => h('span', { class: `badge badge-${status.replace(/[^a-z_]/gi, '').toLowerCase()}` }, status);

export function heading(text: Child): HTMLHeadingElement {
  // Focused on each view change, so keyboard and screen-reader users start at the new view's title.
  return h('h1', { attrs: { tabindex: '-1' } }, text);
}

/**
 * A destructive action behind an in-page confirmation: the button opens the question with its
 * Yes/Cancel pair (focus moves to Yes; Cancel closes it and returns focus), and Yes runs `onConfirm`
 * with the messages cleared and an error shown next to Yes as `Not deleted.`. Several may share a
 * page (the API keys screen has one per key): each has its own ids.
 */
export function confirmedDelete(options: { label: string; confirmLabel: string; question: string; screen: Screen; onConfirm: () => Promise<void> }): { button: HTMLButtonElement; confirm: HTMLElement } {
  const confirmId = uniqueId('confirm-delete');
  const button = h('button', { class: 'danger', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': confirmId } }, options.label);
  const confirm = h('div', { id: confirmId, class: 'confirm', attrs: { hidden: '' } });
  button.addEventListener('click', () => {
    const yes = h('button', { class: 'danger', attrs: { type: 'button' } }, options.confirmLabel);
    const no = h('button', { attrs: { type: 'button' } }, 'Cancel');
    const close = () => {
      confirm.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    };
    no.addEventListener('click', close);
    yes.addEventListener('click', () => void busy(yes, async () => {
      clearMessages();
      try {
        await options.onConfirm();
      } catch (error) {
        showError(error, { near: yes, screen: options.screen, context: 'Not deleted.' });
      }
    }));
    confirm.replaceChildren(h('p', {}, options.question), h('div', { class: 'actions' }, yes, no));
    confirm.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    yes.focus();
  });
  return { button, confirm };
}
