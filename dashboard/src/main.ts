/**
 * The customer dashboard: sign in with an API key, then Settings (BYOC role), Domains, Send test,
 * Webhooks, API keys and Usage, each a view drawn from the customer API. Hash routes (#/settings …) keep it one page.
 */
import { api, ApiProblem, session } from './api';
import { h, replaceChildren } from './dom';
import { renderDomain, renderDomains } from './domains';
import { renderSendTest } from './send-test';
import { renderSettings } from './settings';
import { alertRegion, clearMessages, field, heading, input, showError, showErrorText, showPageError, showStatus, statusRegion, submitForm } from './ui';
import { renderKeys } from './keys';
import { renderUsage } from './usage';
import { renderWebhooks } from './webhooks';

const VIEWS = [
  { hash: '#/settings', label: 'Settings' },
  { hash: '#/domains', label: 'Domains' },
  { hash: '#/send', label: 'Send test' },
  { hash: '#/webhooks', label: 'Webhooks' },
  { hash: '#/keys', label: 'API keys' },
  { hash: '#/usage', label: 'Usage' },
] as const;

const main = h('main', { id: 'main' });
const nav = h('nav', { attrs: { 'aria-label': 'Dashboard' } }, h('ul', {}, ...VIEWS.map((v) => h('li', {}, h('a', { attrs: { href: v.hash } }, v.label)))));
const signOut = h('button', { class: 'quiet', attrs: { type: 'button' } }, 'Sign out');
const header = h('header', { class: 'topbar' }, h('div', { class: 'inner' }, h('span', { class: 'brand' }, 'SendFleet'), nav, signOut));
let pendingStatus: string | undefined;

function navigate(hash: string, status?: string): void {
  pendingStatus = status;
  if (location.hash === hash) void render();
  else location.hash = hash;
}

signOut.addEventListener('click', () => {
  session.forget();
  navigate('#/', 'Signed out. The API key is forgotten.');
});

function signInView(): void {
  const key = field('API key', input({ name: 'api_key', type: 'password', autocomplete: 'off' }), 'Kept in this browser tab only, until you sign out or close the tab.');
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Sign in');
  const form = submitForm({ class: 'card narrow', labelledBy: 'signin-title', button: submit }, async () => {
    const apiKey = key.control.value.trim();
    if (!apiKey) {
      showErrorText([h('strong', {}, 'Not signed in.'), ' Paste your API key first: it starts with sf_.'], { near: form, field: key.control });
      return;
    }
    try {
      // Reading the usage needs a full-access key: a sending-only key is refused here (insufficient_scope).
      await api('GET', '/api/usage', { apiKey });
    } catch (error) {
      showError(error, { near: form, screen: 'sign-in', field: key.control, context: 'Not signed in.' });
      return;
    }
    session.remember(apiKey);
    navigate(VIEWS.some((v) => v.hash === location.hash) ? location.hash : '#/settings');
  }, h('h2', { id: 'signin-title' }, 'Use your SendFleet API key'), key.row, h('div', { class: 'actions' }, submit));
  main.append(heading('Sign in'), h('p', { class: 'lead' }, 'Connect your own Amazon SES account, verify your sending domains and send a test email.'), form);
}

async function render(): Promise<void> {
  const status = pendingStatus;
  pendingStatus = undefined;
  clearMessages();
  main.replaceChildren();
  const signedIn = session.key() !== null;
  nav.hidden = !signedIn;
  signOut.hidden = !signedIn;
  const hash = location.hash;
  for (const link of nav.querySelectorAll('a')) {
    const current = hash === link.getAttribute('href') || hash.startsWith(`${link.getAttribute('href')}/`);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // On a phone the links scroll sideways: the current one is brought into view.
  nav.querySelector('[aria-current]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  try {
    if (!signedIn) signInView();
    else if (hash === '#/domains') await renderDomains(main, navigate);
    else if (hash.startsWith('#/domains/')) await renderDomain(main, decodeURIComponent(hash.slice('#/domains/'.length)), navigate);
    else if (hash === '#/send') await renderSendTest(main);
    else if (hash.startsWith('#/send/')) await renderSendTest(main, decodeURIComponent(hash.slice('#/send/'.length)));
    else if (hash === '#/webhooks') await renderWebhooks(main, navigate);
    else if (hash === '#/keys') await renderKeys(main, navigate);
    else if (hash === '#/usage') await renderUsage(main);
    else if (hash === '#/settings') await renderSettings(main);
    else return navigate('#/settings', status);
  } catch (error) {
    main.replaceChildren();
    if (error instanceof ApiProblem && error.status === 401) {
      // The key was revoked or expired meanwhile: back to sign-in, saying why.
      session.forget();
      nav.hidden = true;
      signOut.hidden = true;
      signInView();
      showPageError(error, 'Signed out.');
    } else {
      main.append(heading('Could not load this page'));
      showPageError(error);
    }
  }
  if (status) showStatus(status);
  const title = main.querySelector('h1');
  document.title = `${title?.textContent ?? 'Dashboard'} · SendFleet`;
  title?.focus();
}

const root = document.getElementById('app');
if (root) {
  replaceChildren(root, header, h('div', { class: 'page' }, alertRegion, statusRegion, main));
  window.addEventListener('hashchange', () => void render());
  void render();
}
