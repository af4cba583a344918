/**
 * The dashboard as a new customer meets it, at 1280 px and on a 390 px phone: every screen fits the
 * phone's width (no sideways scroll, a one-row header, the DNS records as cards with their Verify
 * buttons in view) and is axe-clean at both widths; a domain's records copy their names too, show
 * the MX priority apart, download as a zone file, say honestly what a check covered and lead to Send
 * test once verified; Send test picks From among the verified domains and sends a name and HTML.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { zoneFile } from '../../dashboard/src/zone-file';
import { screenshot, seriousAxeFindings } from '../support/browser';
import { dashboardSuite } from '../support/dashboard-suite';
import { call, createTenant, onboard, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** The compact header's ceiling on a phone: one row, the page starts right under it. */
const MAX_PHONE_HEADER_PX = 64;

let nextAccount = 630_000_000_000;
const suite = dashboardSuite('dashboard-layout');
let system: TestSystem;
let page: Page;
beforeAll(() => { system = suite.system; });
beforeEach(() => { page = suite.page; });

const { button, heading } = suite;
const status = () => page.getByRole('status');
/** Evaluated in the page (a string: the test's own TypeScript has no DOM types). */
const inPage = <T>(expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
const clipboard = () => inPage<string>('navigator.clipboard.readText()');

async function signIn(apiKey: string): Promise<void> {
  await page.goto(system.dashboardUrl);
  await page.getByLabel('API key', { exact: true }).fill(apiKey);
  await button('Sign in').click();
  await heading('Settings').waitFor();
}

/** A signed-in tenant with a validated role, one verified domain and one whose records are not published yet. */
async function tenantWithDomains(name: string): Promise<{ apiKey: string; accountId: string; verified: string; pending: string }> {
  const { apiKey } = await createTenant(system, 'byoc');
  const accountId = String(nextAccount++);
  const verified = `${name}-verified.dev`;
  const pending = `${name}-pending.dev`;
  await onboard(system, apiKey, { accountId, domain: verified });
  expect((await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain: pending } })).status).toBe(201);
  return { apiKey, accountId, verified, pending };
}

/** Words for people on the screens built here: no HTTP method, header name or API path. */
async function expectPeoplesWords(screen: string): Promise<void> {
  const text = await inPage<string>('document.querySelector("main").textContent');
  expect({ screen, technical: [...text.match(/\/api\/|\b(GET|POST|PUT|PATCH|DELETE|HTTP)\b/g) ?? [], ...text.match(/x-api-key/gi) ?? []] }).toEqual({ screen, technical: [] });
}

/** What sticks out past the viewport's right edge, named so a failure says where to look. */
const OVERFLOW = `(() => {
  const width = window.innerWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const offenders = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 0.5 && ![...document.querySelectorAll('.scroll, nav')].some((s) => s !== e && s.contains(e)))
    .slice(0, 5).map(name);
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, offenders };
})()`;

/** The phone checks of one screen: nothing sideways, the header one short row, every Verify button fully in view, axe clean. */
async function expectFitsPhone(screen: string): Promise<void> {
  const fit = await inPage<{ scrollWidth: number; innerWidth: number; offenders: string[] }>(OVERFLOW);
  expect({ screen, fits: fit.scrollWidth <= fit.innerWidth, offenders: fit.scrollWidth <= fit.innerWidth ? [] : fit.offenders })
    .toEqual({ screen, fits: true, offenders: [] });
  const header = await page.locator('header.topbar').boundingBox();
  expect({ screen, headerHeight: header!.height <= MAX_PHONE_HEADER_PX ? 'fits' : header!.height }).toEqual({ screen, headerHeight: 'fits' });
  const current = page.locator('nav [aria-current="page"]');
  if (await current.count() > 0) {
    // the links scroll sideways on a phone: the current screen's is in view
    const box = (await current.boundingBox())!;
    expect({ screen, currentLinkInView: box.x >= 0 && box.x + box.width <= PHONE.width }).toEqual({ screen, currentLinkInView: true });
  }
  for (const verify of await page.getByRole('button', { name: /^Verify/ }).all()) {
    const box = (await verify.boundingBox())!;
    expect({ screen, left: box.x >= 0, right: box.x + box.width <= PHONE.width }).toEqual({ screen, left: true, right: true });
  }
  expect({ screen, findings: await seriousAxeFindings(page) }).toEqual({ screen, findings: [] });
}

describe('every screen at 390 px and at 1280 px', () => {
  test('fits a phone\'s width with a one-row header, Verify in view; axe clean at both widths', async () => {
    const { apiKey, verified, pending } = await tenantWithDomains('layout');
    // an account health run, so Settings shows its tables (checks, and each domain's records)
    await system.health.runSchedule();
    await system.health.drain();
    // an endpoint, so Webhooks shows it with its times
    const webhook = await call(system.relayUrl, 'PUT', '/api/webhooks', { apiKey, body: { url: 'http://127.0.0.1:9/hooks/layout', events: ['email.bounced'] } });
    expect(webhook.status).toBe(200);
    const updatedAt = String((webhook.body.webhook as { updated_at: string }).updated_at);
    const SCREENS: ReadonlyArray<{ hash: string; title: string; name: string }> = [
      { hash: '#/settings', title: 'Settings', name: 'settings' },
      { hash: '#/domains', title: 'Domains', name: 'domains' },
      { hash: `#/domains/${pending}`, title: pending, name: 'domain' },
      { hash: `#/domains/${verified}`, title: verified, name: 'domain-verified' },
      { hash: '#/send', title: 'Send test', name: 'send-test' },
      { hash: '#/webhooks', title: 'Webhooks', name: 'webhooks' },
      { hash: '#/keys', title: 'API keys', name: 'api-keys' },
      { hash: '#/usage', title: 'Usage', name: 'usage' },
    ];

    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      const phone = viewport === PHONE;
      await page.goto(system.dashboardUrl);
      await heading('Sign in').waitFor();
      if (phone) await expectFitsPhone('sign-in');
      else expect(await seriousAxeFindings(page)).toEqual([]);
      await page.getByLabel('API key', { exact: true }).fill(apiKey);
      await button('Sign in').click();
      await heading('Settings').waitFor();

      for (const { hash, title, name } of SCREENS) {
        await page.goto(`${system.dashboardUrl}${hash}`);
        await heading(title).waitFor();
        if (name === 'settings') expect(await page.locator('[data-health-domain]').count()).toBe(2);
        if (['domain', 'domain-verified', 'send-test', 'api-keys'].includes(name)) await expectPeoplesWords(name);
        if (name === 'webhooks') {
          // in local time, the instant in datetime
          const changed = page.locator('[data-field="updated_at"] time').last();
          expect(await changed.getAttribute('datetime')).toBe(updatedAt);
          expect(await changed.textContent()).toContain(await inPage<string>(`new Date(${JSON.stringify(updatedAt)}).toLocaleString()`));
        }
        if (phone) {
          await expectFitsPhone(name);
          if (name === 'settings') await screenshot(page, 'settings-phone');
          if (name === 'domain') {
            // the records as cards: the MAIL FROM group, its MX priority apart
            await inPage('document.querySelector(\'tbody[data-kind="mail_from"]\').scrollIntoView()');
            await screenshot(page, 'domain-phone');
          }
        } else {
          expect({ screen: name, findings: await seriousAxeFindings(page) }).toEqual({ screen: name, findings: [] });
        }
      }
      await page.evaluate('sessionStorage.clear()');
    }
  });

  test('on a phone the DNS records are labelled cards, their values wrapping in place; at 1280 px a table with its column headers', async () => {
    const { apiKey, pending } = await tenantWithDomains('cards');
    await page.setViewportSize(PHONE);
    await signIn(apiKey);
    await page.goto(`${system.dashboardUrl}#/domains/${pending}`);
    await heading(pending).waitFor();
    const layout = () => inPage<{ header: string; row: string; label: string; valueRight: number; cardRight: number }>(`(() => {
      const row = document.querySelector('tr[data-record="ownership"]');
      const value = row.querySelector('[data-field="value"] code');
      return {
        header: getComputedStyle(document.querySelector('table.records thead')).position,
        row: getComputedStyle(row).display,
        label: getComputedStyle(row.querySelector('td[data-label="Value"]'), '::before').content,
        valueRight: value.getBoundingClientRect().right,
        cardRight: row.getBoundingClientRect().right,
      };
    })()`);
    const phone = await layout();
    expect(phone).toMatchObject({ header: 'absolute', row: 'block', label: '"Value" / ""' });
    expect(phone.valueRight).toBeLessThanOrEqual(phone.cardRight);

    // just above the breakpoint the table itself fits, its long names and values wrapping in their columns
    await page.setViewportSize({ width: 780, height: 844 });
    expect(await layout()).toMatchObject({ row: 'table-row' });
    expect(await inPage(OVERFLOW)).toMatchObject({ offenders: [] });
    expect(await inPage('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    await page.setViewportSize(DESKTOP);
    expect(await layout()).toMatchObject({ header: 'static', row: 'table-row', label: 'none' });
    expect(await page.locator('table.records thead th').allTextContents()).toEqual(['Type', 'Name', 'Value', 'Priority', 'Status']);
  });
});

describe('a domain\'s DNS records', () => {
  test('names copy too, the MX priority stands apart, the zone file downloads, Last checked is local time', async () => {
    const { apiKey, pending } = await tenantWithDomains('records');
    await signIn(apiKey);
    await page.goto(`${system.dashboardUrl}#/domains/${pending}`);
    await heading(pending).waitFor();
    const api = (await call(system.relayUrl, 'GET', `/api/byoc/domains/${pending}`, { apiKey })).body;
    const records = api.records as Array<{ id: string; name: string; value: string; priority?: number }>;

    const row = (id: string) => page.locator(`tr[data-record="${id}"]`);
    const copyIn = async (id: string, field: 'name' | 'value'): Promise<string> => {
      await row(id).locator(`[data-field="${field}"]`).getByRole('button', { name: 'Copy', exact: true }).click();
      await status().filter({ hasText: 'copied' }).waitFor();
      return clipboard();
    };
    expect(await copyIn('ownership', 'name')).toBe(`_amazonses.${pending}`);
    expect(await copyIn('dkim1', 'name')).toBe(records[1]!.name);
    expect(await copyIn('mail_from_mx', 'value')).toBe('feedback-smtp.eu-west-1.amazonses.com');
    expect(await row('mail_from_mx').locator('td[data-label="Priority"]').textContent()).toBe('10');
    expect(await row('mail_from_spf').locator('td[data-label="Priority"]').textContent()).toBe('—');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download zone file', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe(`${pending}.zone`);
    const zone = await readFile((await download.path())!, 'utf8');
    expect(zone).toBe(zoneFile(pending, records as never));
    expect(zone).toContain(`send.${pending}.\t3600\tIN\tMX\t10 feedback-smtp.eu-west-1.amazonses.com.\n`);

    // Never checked since it was added: no time to show yet.
    expect(await page.locator('[data-field="checked_at"]').textContent()).toBe('Never');
    expect(await seriousAxeFindings(page)).toEqual([]);
  });

  test('Verify ownership says DKIM was not checked; once verified the next step leads to Send test with the domain picked', async () => {
    const { apiKey, accountId, pending } = await tenantWithDomains('next');
    await signIn(apiKey);
    await page.goto(`${system.dashboardUrl}#/domains/${pending}`);
    await heading(pending).waitFor();
    expect(await page.locator('[data-field="next_step"]').count()).toBe(0);

    system.simulator.setIdentityStatus(accountId, pending, { ownership: 'Success', dkim: 'Success' });
    await page.locator('tbody[data-kind="ownership"]').getByRole('button', { name: 'Verify', exact: true }).click();
    await status().filter({ hasText: 'Checked with SES' }).waitFor();
    expect(await status().textContent()).toBe(`Checked with SES: Ownership is verified. DKIM is not verified yet and was not part of this check: press its Verify button, or Verify all. ${pending} cannot send yet.`);
    expect(await page.locator('[data-field="next_step"]').count()).toBe(0);
    const checkedAt = String((await call(system.relayUrl, 'GET', `/api/byoc/domains/${pending}`, { apiKey })).body.checked_at);
    expect(await page.locator('[data-field="checked_at"] time').getAttribute('datetime')).toBe(checkedAt);
    expect(await page.locator('[data-field="checked_at"]').textContent()).toContain(await inPage<string>(`new Date(${JSON.stringify(checkedAt)}).toLocaleString()`));

    await page.locator('tbody[data-kind="dkim"]').getByRole('button', { name: 'Verify', exact: true }).click();
    await status().filter({ hasText: 'you can send from it' }).waitFor();
    const next = page.locator('[data-field="next_step"]');
    expect(await next.getByRole('heading', { level: 2 }).textContent()).toBe('Next: send a test email');
    expect(await seriousAxeFindings(page)).toEqual([]);
    await next.getByRole('link', { name: 'Send a test email', exact: true }).click();
    await heading('Send test').waitFor();
    expect(await page.getByLabel('From domain', { exact: true }).inputValue()).toBe(pending);
  });
});

describe('Send test', () => {
  test('without a verified domain it says so and leads to Domains', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    await onboard(system, apiKey, { accountId: String(nextAccount++), domain: 'send-none.dev', verify: false });
    await signIn(apiKey);
    await page.goto(`${system.dashboardUrl}#/send`);
    await heading('Send test').waitFor();
    expect(await page.getByRole('heading', { level: 2, name: 'No verified domain yet' }).count()).toBe(1);
    expect(await button('Send test email').count()).toBe(0);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.getByRole('link', { name: 'Go to Domains', exact: true }).click();
    await heading('Domains').waitFor();
  });

  test('From is picked among the verified domains only; the name and the HTML body are sent beside the text', async () => {
    const { apiKey, accountId, verified } = await tenantWithDomains('send');
    await signIn(apiKey);
    await page.getByRole('link', { name: 'Send test', exact: true }).click();
    await heading('Send test').waitFor();
    const from = page.getByLabel('From domain', { exact: true });
    expect(await from.locator('option').allTextContents()).toEqual([verified]);

    system.simulator.clearMailbox();
    await page.getByLabel('To', { exact: true }).fill('reader@example.com');
    await page.getByLabel('From address', { exact: true }).fill('news');
    await page.getByLabel('From name (optional)', { exact: true }).fill('Acme News');
    await page.getByLabel('Subject', { exact: true }).fill('Layout test');
    await page.getByLabel('Message', { exact: true }).fill('Plain words.');
    await page.getByLabel('HTML body (optional)', { exact: true }).fill('<p>Rich <strong>words</strong>.</p>');
    await button('Send test email').click();
    await page.locator('[data-field="message_id"] code').waitFor();
    expect(system.simulator.mailbox()).toEqual([expect.objectContaining({
      account_id: accountId,
      source: expect.objectContaining({ name: 'Acme News', address: `news@${verified}` }),
      to: ['reader@example.com'],
      subject: 'Layout test',
      text: 'Plain words.',
      html: '<p>Rich <strong>words</strong>.</p>',
    })]);
    expect(await seriousAxeFindings(page)).toEqual([]);
  });
});
