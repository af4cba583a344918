/**
 * The dashboard's API keys screen in headless Chromium against local mode: sign in, create a
 * sending-only key limited to a domain, see its secret once and copy it, find it listed (the
 * signed-in key marked, its revoke disabled with the reason), revoke it, and see it refused. axe
 * is clean at 1280 px and 390 px wide, and nothing overflows sideways at 390 px.
 */
import type { Page } from 'playwright-core';
import { screenshot, seriousAxeFindings } from '../support/browser';
import { dashboardSuite } from '../support/dashboard-suite';
import { call, createTenant, onboard, type TestSystem } from '../support/system';

jest.setTimeout(120_000);

const suite = dashboardSuite('dashboard-keys');
let system: TestSystem;
let page: Page;
beforeAll(() => { system = suite.system; });
beforeEach(() => { page = suite.page; });

const { button, heading } = suite;
const keyCard = (id: string) => page.locator(`li[data-key="${id}"]`);

/** axe's serious findings and the sideways overflow, at a width. */
async function checkAt(width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  expect({ width, findings: await seriousAxeFindings(page) }).toEqual({ width, findings: [] });
  if (width <= 390) {
    expect({ width, overflow: await page.evaluate('document.documentElement.scrollWidth <= innerWidth') }).toEqual({ width, overflow: true });
  }
}

async function signIn(apiKey: string): Promise<void> {
  await page.goto(system.dashboardUrl);
  await heading('Sign in').waitFor();
  await page.getByLabel('API key', { exact: true }).fill(apiKey);
  await page.keyboard.press('Enter');
  await heading('Settings').waitFor();
}

test('create a sending key, see and copy its secret once, revoke it; the signed-in key cannot be revoked', async () => {
  const admin = await createTenant(system, 'byoc');
  const domain = 'dashboard-keys.dev';
  await onboard(system, admin.apiKey, { accountId: '730000000001', domain, verify: false });
  await signIn(admin.apiKey);
  await page.getByRole('link', { name: 'API keys', exact: true }).click();
  await heading('API keys').waitFor();

  // The signed-in key: marked, its revoke disabled with the reason.
  const mine = keyCard(admin.keyId);
  await mine.getByText('Signed in with this key', { exact: true }).waitFor();
  const ownRevoke = mine.getByRole('button', { name: 'Revoke', exact: true });
  expect(await ownRevoke.isDisabled()).toBe(true);
  expect(await page.evaluate(`document.getElementById(document.querySelector('li[data-key="${admin.keyId}"] button').getAttribute('aria-describedby')).textContent`))
    .toContain('sign in with another full-access key');
  // The domain choice appears only for a sending key.
  expect(await page.getByRole('group', { name: 'Sending domains (optional)' }).isVisible()).toBe(false);
  await checkAt(1280);
  await checkAt(390);
  await page.setViewportSize({ width: 1280, height: 900 });

  // A name the API refuses: the reason in the form, in the page's words; the Name field marked and described by it.
  await page.getByLabel('Name', { exact: true }).fill('Checkout ');
  await button('Create key').click();
  const refusal = page.locator('form .field-error[role="alert"]');
  await refusal.filter({ hasText: 'Name must not start or end with spaces.' }).waitFor();
  const nameField = page.getByLabel('Name', { exact: true });
  expect(await nameField.getAttribute('aria-invalid')).toBe('true');
  expect((await nameField.getAttribute('aria-describedby'))!.split(' ')).toContain(await refusal.getAttribute('id'));
  await checkAt(390);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Create: sending only, limited to the domain.
  await page.getByLabel('Name', { exact: true }).fill('Checkout');
  await page.getByLabel(/^Sending only/).check();
  await page.getByRole('group', { name: 'Sending domains (optional)' }).getByLabel(domain, { exact: true }).check();
  await button('Create key').click();
  const secretBox = page.locator('[data-field="api_key"]');
  await secretBox.waitFor();
  expect(await secretBox.textContent()).toContain('you won\'t see it again');
  const secret = (await secretBox.locator('code').textContent())!;
  expect(secret).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);
  await secretBox.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'copied' }).waitFor();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
  await checkAt(1280);
  await checkAt(390);
  await screenshot(page, 'api-keys-secret');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The API has it, as the dashboard said; it is a sending key (it may not manage keys).
  const listed = (await call(system.relayUrl, 'GET', '/api/keys', { apiKey: admin.apiKey })).body.keys as Array<{ id: string; prefix: string; scope: string; domains: string[] | null }>;
  const created = listed.find((k) => k.prefix === secret.slice(0, 11))!;
  expect(created).toMatchObject({ scope: 'sending_access', domains: [domain] });
  expect((await call(system.relayUrl, 'GET', '/api/keys', { apiKey: secret })).body.error).toBe('insufficient_scope');
  const card = keyCard(created.id);
  expect(await card.locator('[data-field="scope"] dd').textContent()).toBe('Sending only');
  expect(await card.locator('[data-field="domains"] dd').textContent()).toBe(domain);
  expect(await card.locator('[data-field="created_at"] time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

  // No method, header or path in any words on the page.
  const words = await page.locator('main').innerText();
  expect(words).not.toMatch(/\b(GET|POST|PUT|PATCH|DELETE)\b|X-API-Key|\/api\//);

  // Leaving the page and coming back: the secret is gone for good.
  await page.getByRole('link', { name: 'Usage', exact: true }).click();
  await heading('Usage').waitFor();
  await page.getByRole('link', { name: 'API keys', exact: true }).click();
  await heading('API keys').waitFor();
  expect(await page.locator('main').innerText()).not.toContain(secret);

  // Revoke it behind the confirmation.
  await card.getByRole('button', { name: 'Revoke', exact: true }).click();
  await card.getByRole('button', { name: 'Yes, revoke', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Key “Checkout” revoked' }).waitFor();
  expect(await keyCard(created.id).getAttribute('data-status')).toBe('revoked');
  expect(await keyCard(created.id).getByRole('button', { name: 'Revoke', exact: true }).count()).toBe(0);
  expect((await call(system.relayUrl, 'GET', '/api/keys', { apiKey: secret })).status).toBe(401);
  await checkAt(1280);
  await checkAt(390);
});
