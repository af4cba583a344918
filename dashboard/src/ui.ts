/** Building blocks shared by the views: the alert and status regions, fields, copy buttons. */
import { ApiProblem } from './api';
import { h, uniqueId, type Child } from './dom';

/**
 * One alert region (role="alert") for every error the API returns, and one status region for
 * confirmations. Both persist across views, so screen readers announce each change.
 */
export const alertRegion = h('div', { class: 'alert', id: 'alert', attrs: { role: 'alert' } });
export const statusRegion = h('div', { class: 'status', id: 'status', attrs: { role: 'status' } });

export function clearMessages(): void {
  alertRegion.replaceChildren();
  statusRegion.replaceChildren();
}

/** Shows what went wrong: the API's detail, optionally after a short context. Never raw JSON or a stack. */
export function showError(error: unknown, context?: string): void {
  statusRegion.replaceChildren();
  const detail = error instanceof ApiProblem ? error.detail : 'Something went wrong in the dashboard. Reload the page and try again.';
  alertRegion.replaceChildren(...(context ? [h('strong', {}, context), ' '] : []), detail);
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
  return h('button', {
    class: 'copy',
    attrs: { type: 'button', 'aria-describedby': describedBy },
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(value());
          showStatus(`${what} copied to the clipboard.`);
        } catch {
          alertRegion.replaceChildren(`Your browser did not allow copying. Select the ${what} and copy it by hand.`);
        }
      },
    },
  }, 'Copy');
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

export const badge = (status: string): HTMLElement => h('span', { class: `badge badge-${status.replace(/[^a-z_]/gi, '').toLowerCase()}` }, status);

export function heading(text: Child): HTMLHeadingElement {
  // Focused on each view change, so keyboard and screen-reader users start at the new view's title.
  return h('h1', { attrs: { tabindex: '-1' } }, text);
}

/**
 * A destructive action behind an in-page confirmation: the button opens the question with its
 * Yes/Cancel pair (focus moves to Yes; Cancel closes it and returns focus), and Yes runs `onConfirm`
 * with the messages cleared and an error shown as `Not deleted.` (or handed to `onError`, for a page
 * that shows it next to the control). Several may share a page: each has its own ids.
 */
export function confirmedDelete(options: { label: string; confirmLabel: string; question: string; onConfirm: () => Promise<void>; onError?: (error: unknown) => void }): { button: HTMLButtonElement; confirm: HTMLElement } {
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
        if (options.onError) options.onError(error);
        else showError(error, 'Not deleted.');
      }
    }));
    confirm.replaceChildren(h('p', {}, options.question), h('div', { class: 'actions' }, yes, no));
    confirm.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    yes.focus();
  });
  return { button, confirm };
}
