/**
 * The customer dashboard end to end in headless Chromium, against local mode: the customer signs
 * in, creates the role from what the page shows, validates, adds and verifies a domain record by
 * record, sends a test email that lands in the simulator's mailbox; and the failures a customer
 * meets are shown next to the control that caused them, in the page's words (every message the page
 * shows is collected and checked for the API's words). axe-core runs on every screen.
 */
import type { Page } from 'playwright-core';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { CONTENT_SECURITY_POLICY } from '../../lambdas/relay/dashboard/static-site';
import { screenshot, seriousAxeFindings } from '../support/browser';
import { dashboardSuite } from '../support/dashboard-suite';
import { afterIamPropagation, call, createTenant, launchStack, onboard, startTestSystem, type TestSystem } from '../support/system';
import { buildOpenApiDocument } from '../../openapi/document';
import { checkAgainstContract } from '../support/contract';
import { apiWordsIn } from '../../dashboard/src/api-words';

jest.setTimeout(120_000);

let nextAccount = 610_000_000_000;
/**
 * Collects, in the page, the text of every message that is ever shown (alerts, statuses, errors next
 * to a control, progress notes), including the ones gone by the time a test looks.
 */
const COLLECT_MESSAGES = `window.__messages = new Set();
new MutationObserver(() => {
  for (const e of document.querySelectorAll('[role=status], [role=alert], .field-error')) if (e.textContent) window.__messages.add(e.textContent);
}).observe(document, { childList: true, subtree: true, characterData: true });`;
const suite = dashboardSuite('dashboard', { initScript: COLLECT_MESSAGES });
let system: TestSystem;
let page: Page;
beforeAll(() => { system = suite.system; });
beforeEach(() => { page = suite.page; });

/** The error next to the form or button that caused it. */
const inlineError = () => page.locator('.field-error');
/** The page-wide alert: only for a page that could not load. */
const banner = () => page.locator('#alert');
const focusedName = () => inPage('document.activeElement.getAttribute("name")');
const { button, heading } = suite;

async function expectAccessible(): Promise<void> {
  expect(await seriousAxeFindings(page)).toEqual([]);
}

/** Signs in through the form, with the keyboard only. */
async function signIn(apiKey: string): Promise<void> {
  await page.goto(system.dashboardUrl);
  await heading('Sign in').waitFor();
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.getAttribute("name")')).toBe('api_key');
  await page.keyboard.type(apiKey);
  await page.keyboard.press('Enter');
  await heading('Settings').waitFor();
}

const clipboard = () => page.evaluate('navigator.clipboard.readText()') as Promise<string>;
/** Evaluated in the page (a string: the test's own TypeScript has no DOM types). */
const inPage = (expression: string): Promise<unknown> => page.evaluate(expression);

/** Clicks the "Copy" button of a value on the page and returns what reached the clipboard. */
async function copy(field: string): Promise<string> {
  await page.locator(`[data-field="${field}"]`).getByRole('button', { name: 'Copy', exact: true }).first().click();
  await page.getByRole('status').filter({ hasText: 'copied' }).waitFor();
  return clipboard();
}

async function simControl(method: string, path: string, body?: unknown): Promise<void> {
  const response = await call(system.simUrl, method, path, body === undefined ? {} : { body });
  expect(response.status).toBeLessThan(300);
}

async function createRoleFromPage(accountId: string, maxSend = 50_000): Promise<void> {
  await simControl('POST', '/_sim/accounts', { account_id: accountId, regions: { 'eu-west-1': { max_24_hour_send: maxSend } } });
  // The customer's copy-paste: both policies exactly as the page's Copy buttons give them.
  const trust = JSON.parse(await copy('trust_policy'));
  const permissions = JSON.parse(await copy('permissions_policy'));
  await simControl('PUT', `/_sim/accounts/${accountId}/roles/${BYOC_ROLE_NAME}`, { trust_policy: trust, permissions_policy: permissions });
}

async function validateAndSave(roleArn: string): Promise<void> {
  await page.getByLabel('Role ARN', { exact: true }).fill(roleArn);
  await page.getByLabel('Region', { exact: true }).selectOption('eu-west-1');
  await button('Validate & save').click();
  await page.locator('form button[aria-busy]').waitFor({ state: 'detached' });
}

const statusOf = (field: string) => page.locator(`[data-field="${field}"]`).first();

async function verifyKind(kind: 'ownership' | 'dkim' | 'mail_from', expected: string): Promise<void> {
  const group = page.locator(`tbody[data-kind="${kind}"]`);
  await group.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Checked with SES' }).or(page.getByRole('status').filter({ hasText: 'is verified' })).waitFor();
  await expectKindStatus(kind, expected);
}

async function expectKindStatus(kind: string, expected: string): Promise<void> {
  const cells = await page.locator(`tbody[data-kind="${kind}"] tr[data-record] td:last-child`).allTextContents();
  expect({ kind, cells }).toEqual({ kind, cells: cells.map(() => expected) });
  expect(cells.length).toBeGreaterThan(0);
}

describe('the journey: sign in → role → Validate & save → domain → Verify each record → test email', () => {
  test('onboards and sends without curl', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    const domain = 'dashboard-journey.dev';

    const response = await page.goto(system.dashboardUrl);
    expect(response?.headers()).toMatchObject({
      'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
    });
    await expectAccessible();
    await screenshot(page, 'sign-in');

    // Sign-in refusals, next to the form, the key field marked and focused: no key, then one SendFleet does not know.
    await button('Sign in').click();
    await expectFieldError('api_key', 'Not signed in. Paste your API key first: it starts with sf_.');
    await page.getByLabel('API key', { exact: true }).fill(`sf_${'B'.repeat(43)}`);
    await button('Sign in').click();
    await inlineError().filter({ hasText: 'does not know this API key' }).waitFor();
    await expectFieldError('api_key', /^Not signed in\. SendFleet does not know this API key/);
    expect(await banner().textContent()).toBe('');
    await expectPeoplesWords();
    await expectAccessible();
    await signIn(apiKey);

    // Settings: the ExternalId the page copies is the tenant's.
    const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
    expect(await copy('external_id')).toBe(config.body.external_id);
    expect(await statusOf('status').textContent()).toBe('unconfigured');
    await screenshot(page, 'settings');
    await expect(page.getByRole('link', { name: 'Download CloudFormation template', exact: true }).getAttribute('download')).resolves.toBe('sendfleet-byoc-role.json');

    // A role ARN with another name: refused next to the form, the Role ARN field marked and focused.
    await validateAndSave(`arn:aws:iam::${accountId}:role/MySendingRole`);
    await expectFieldError('role_arn', new RegExp(`^Not saved\\. The role must be named exactly ${BYOC_ROLE_NAME}`));
    await expectPeoplesWords();
    await expectAccessible();

    // The right ARN before the role exists: progress while SendFleet waits for IAM, then why the SES checks did not run.
    await page.clock.install(); // the page's timers: the elapsed seconds are fast-forwarded, on no wall clock
    let answerValidation!: () => void;
    const held = new Promise<void>((resolve) => { answerValidation = resolve; });
    await page.route('**/api/byoc/validate', async (route) => { await held; await route.continue(); });
    await page.getByLabel('Role ARN', { exact: true }).fill(`arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`);
    await button('Validate & save').click();
    const progress = page.locator('[data-field="progress"]');
    await progress.waitFor();
    expect(await progress.getAttribute('role')).toBe('status');
    await page.clock.runFor(3000);
    await progress.filter({ hasText: 'Checking… waiting for IAM to propagate your role' }).waitFor();
    expect(Number((await progress.locator('[data-field="elapsed"]').textContent())?.match(/^(\d+) s so far\.$/)?.[1])).toBeGreaterThanOrEqual(3);
    await expectPeoplesWords();
    answerValidation();
    await page.locator('form button[aria-busy]').waitFor({ state: 'detached' });
    await page.unroute('**/api/byoc/validate');
    expect(await progress.count()).toBe(0);
    expect(await inlineError().textContent()).toMatch(/^Saved, but validation failed\. SendFleet could not assume your role\./);
    expect(await page.evaluate('document.activeElement.className')).toBe('field-error');
    expect(await statusOf('status').textContent()).toBe('invalid');
    expect(await page.locator('[data-check] .verdict').allTextContents()).toEqual(['Fail', 'Not run', 'Not run']);
    expect(await page.locator('[data-check="production_access"]').textContent()).toContain('SendFleet could not assume your role, so it could not ask SES.');
    expect(await page.getByRole('link', { name: 'Next: add your sending domain' }).count()).toBe(0);
    await expectPeoplesWords();
    await expectAccessible();
    await screenshot(page, 'settings-not-run');

    await createRoleFromPage(accountId);
    await validateAndSave(`arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`);
    expect(await statusOf('status').textContent()).toBe('validated');
    const validatedAt = String((await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey })).body.validated_at);
    expect(await statusOf('validated_at').locator('time').getAttribute('datetime')).toBe(validatedAt);
    expect(await statusOf('validated_at').textContent()).toContain(await inPage(`new Date(${JSON.stringify(validatedAt)}).toLocaleString()`));
    expect(await page.locator('[data-check] .verdict').allTextContents()).toEqual(['Pass', 'Pass', 'Pass']);
    expect(await inlineError().count()).toBe(0);
    expect(await page.locator('[aria-invalid]').count()).toBe(0);
    await expectPeoplesWords();
    await expectAccessible();
    await screenshot(page, 'settings-validated');

    // Validated: the next step leads to Domains, where a subdomain is refused next to the form.
    await page.getByRole('link', { name: 'Next: add your sending domain', exact: true }).click();
    await heading('Domains').waitFor();
    await page.getByLabel('Domain', { exact: true }).fill(`mail.${domain}`);
    await button('Add domain').click();
    await expectFieldError('domain', new RegExp(`^Could not add “mail\\.${domain.replace('.', '\\.')}”\\. Sending domains are root domains`));
    await expectPeoplesWords();
    await page.getByLabel('Domain', { exact: true }).fill(domain);
    await button('Add domain').click();
    await heading(domain).waitFor();
    expect(await page.locator('tr[data-record]').count()).toBe(7);
    expect(await page.locator('tr[data-record="ownership"] td').first().textContent()).toBe('TXT');
    const ownershipValue = await page.locator('tr[data-record="ownership"] code').nth(1).textContent();
    await page.locator('tr[data-record="ownership"] [data-field="value"]').getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await clipboard()).toBe(ownershipValue);
    await expectAccessible();
    await screenshot(page, 'domain');

    // Publish every record (the simulator stands in for DNS); each Verify re-reads its own kind only.
    await simControl('POST', `/_sim/accounts/${accountId}/identities/${domain}/status`, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
    const kinds = ['ownership', 'dkim', 'mail_from'] as const;
    for (const [i, kind] of kinds.entries()) {
      await verifyKind(kind, 'Success');
      for (const later of kinds.slice(i + 1)) await expectKindStatus(later, 'Pending');
    }
    expect(await statusOf('status').textContent()).toBe('verified');
    expect(await statusOf('can_send').textContent()).toBe('Yes');
    await button('Verify all').click();
    await page.getByRole('status').filter({ hasText: 'is verified' }).waitFor();

    await page.getByRole('link', { name: 'Domains', exact: true }).click();
    await heading('Domains').waitFor();
    expect(await page.locator(`tr[data-domain="${domain}"] td`).allTextContents()).toEqual([domain, 'eu-west-1', 'verified', 'Yes']);
    await screenshot(page, 'domains');

    // Send test → the simulator's mailbox.
    system.simulator.clearMailbox();
    await page.getByRole('link', { name: 'Send test', exact: true }).click();
    await heading('Send test').waitFor();
    await page.getByLabel('From address', { exact: true }).fill('hello');
    await page.getByLabel('From domain', { exact: true }).selectOption(domain);
    await page.getByLabel('Subject', { exact: true }).fill('Dashboard test');
    await page.getByLabel('Message', { exact: true }).fill('Sent from the dashboard.');
    // A To that is no address: refused next to the form, in the page's words.
    await page.getByLabel('To', { exact: true }).fill('reader@');
    await button('Send test email').click();
    await inlineError().filter({ hasText: 'Not sent.' }).waitFor();
    await expectPeoplesWords();
    await page.getByLabel('To', { exact: true }).fill('reader@example.com');
    await button('Send test email').click();
    await page.locator('[data-field="message_id"] code').waitFor();
    const messageId = await page.locator('[data-field="message_id"] code').textContent();
    expect(system.simulator.mailbox()).toEqual([expect.objectContaining({
      message_id: messageId, account_id: accountId, to: ['reader@example.com'], subject: 'Dashboard test', text: 'Sent from the dashboard.',
    })]);
    await expectAccessible();
    await screenshot(page, 'send-test');

    // The customer's code sends from a domain that is not theirs: SendFleet refuses it, and counts why.
    const foreign = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to: 'reader@example.com', from_email: 'hello@not-theirs.dev', subject: 'Hi', message: 'Hi' } });
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await heading('Usage').waitFor();
    expect(await statusOf('plan').textContent()).toBe('byoc');
    expect(await statusOf('sends_per_minute').textContent()).toBe('60 sends per minute per API key');
    expect(await statusOf('limit').textContent()).toBe('Unlimited');
    // No delivery events from this account (no stack), but the send SendFleet refused above is there, with why.
    const today = page.getByRole('region', { name: 'Day by day' }).locator(`tr[data-day="${new Date(system.clock.now()).toISOString().slice(0, 10)}"]`);
    expect(await today.locator('td').allTextContents()).toEqual(['11 from a domain that is not one of yours']);
    expect(await today.locator('[data-field="refused"] li').allTextContents()).toEqual(['1 from a domain that is not one of yours']);
    await expectPeoplesWords();
    await expectAccessible();
    await screenshot(page, 'usage');

    // The key was only ever in sessionStorage; Sign out forgets it.
    expect(page.url()).not.toContain(apiKey);
    expect(await inPage('({ local: localStorage.length, cookie: document.cookie })')).toEqual({ local: 0, cookie: '' });
    expect(await inPage('Object.values({ ...sessionStorage })')).toEqual([apiKey]);
    await button('Sign out').click();
    await heading('Sign in').waitFor();
    expect(await inPage('sessionStorage.length')).toBe(0);
    expect(await page.getByRole('link', { name: 'Settings', exact: true }).count()).toBe(0);
  });
});

describe('the one-click journey: sign in → Launch stack in AWS → Create stack → back in Settings, validated', () => {
  const link = (name: string) => page.getByRole('link', { name, exact: true });

  /** The simulator's console pages: Create (or Update) stack with the IAM acknowledgement, then its page until done. */
  async function pressInConsole(accountId: string, action: 'Create stack' | 'Update stack'): Promise<void> {
    await page.getByRole('heading', { level: 1, name: 'Quick create stack' }).waitFor();
    await expectAccessible();
    await page.getByLabel('AWS account', { exact: true }).selectOption(accountId);
    await page.getByLabel('I acknowledge that AWS CloudFormation might create IAM resources with custom names.').check();
    await button(action).click();
    // the stack's page refreshes itself while in progress; the way back appears once it is done
    await link('Back to SendFleet').waitFor({ timeout: 30_000 });
    await expectAccessible();
  }

  test('no JSON pasted: the stack registers itself and the dashboard shows validated; a rotation updates the stack the same way', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    await simControl('POST', '/_sim/accounts', { account_id: accountId, regions: { 'us-east-1': { max_24_hour_send: 50_000 } } });
    await signIn(apiKey);
    expect(await statusOf('status').textContent()).toBe('unconfigured');

    // the link comes first, above the manual steps, which stay
    const launch = link('Launch stack in AWS');
    const config = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
    expect(await launch.getAttribute('href')).toBe(config.body.launch_stack_url);
    expect(await inPage(`[...document.querySelectorAll('main h2')].map((h) => h.textContent)`)).toEqual([
      'One click: launch the stack in AWS', '1. Create the role in your AWS account', '2. Connect the role', 'Validation', 'Account health', 'Rotate the ExternalId',
    ]);
    await expectPeoplesWords();
    await expectAccessible();
    await screenshot(page, 'settings-launch-stack');

    await launch.click();
    expect(await page.getByLabel('ExternalId', { exact: true }).inputValue()).toBe(config.body.external_id);
    await screenshot(page, 'console-quick-create');
    await pressInConsole(accountId, 'Create stack');
    expect(await page.locator('[data-stack-status]').textContent()).toBe('CREATE_COMPLETE');
    await screenshot(page, 'console-stack-complete');

    await link('Back to SendFleet').click();
    await heading('Settings').waitFor();
    expect(await statusOf('status').textContent()).toBe('validated');
    expect(await page.locator('[data-check] .verdict').allTextContents()).toEqual(['Pass', 'Pass', 'Pass']);

    // Rotate: a new ExternalId, the link now updates the stack with both
    await button('Rotate ExternalId').click();
    await page.getByRole('status').filter({ hasText: 'New ExternalId created' }).waitFor();
    const rotated = await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey });
    expect(rotated.body.previous_external_id).toBe(config.body.external_id);
    expect(await statusOf('previous_external_id').locator('code').textContent()).toBe(config.body.external_id);
    expect(await page.getByRole('heading', { level: 2, name: 'Update your stack with the new ExternalId' }).count()).toBe(1);
    expect(await launch.getAttribute('href')).toBe(rotated.body.launch_stack_url);
    // The real console's quick-create page cannot update a stack: the console's update steps, with the values to set
    expect(await page.locator('ol.steps li').allTextContents()).toEqual([
      expect.stringContaining('SendFleet-BYOC stack'), expect.stringContaining('Update, then Use existing template'),
      expect.stringContaining('PreviousExternalId to the previous one'), expect.stringContaining('choose Update'),
    ]);
    expect(await statusOf('update_external_id').locator('code').textContent()).toBe(rotated.body.external_id);
    expect(await statusOf('update_previous_external_id').locator('code').textContent()).toBe(config.body.external_id);
    expect(await statusOf('update_registration_token').locator('code').textContent())
      .toBe(new URL(String(rotated.body.launch_stack_url)).searchParams.get('param_RegistrationToken'));
    await expectPeoplesWords();
    await expectAccessible();

    await launch.click();
    expect(await page.getByLabel('PreviousExternalId', { exact: true }).inputValue()).toBe(config.body.external_id);
    await pressInConsole(accountId, 'Update stack');
    expect(await page.locator('[data-stack-status]').textContent()).toBe('UPDATE_COMPLETE');
    await link('Back to SendFleet').click();
    await heading('Settings').waitFor();
    expect(await statusOf('status').textContent()).toBe('validated');
    expect(await page.locator('[data-field="previous_external_id"]').count()).toBe(0);
    expect(await page.getByRole('heading', { level: 2, name: 'One click: launch the stack in AWS' }).count()).toBe(1);
  });
});

describe('no one-click link in a region without a registration topic', () => {
  test('Settings says why, and the manual steps stay', async () => {
    const regional = await startTestSystem('dashboard-regions', { registrationRegions: ['us-east-1'] });
    try {
      const { apiKey } = await createTenant(regional, 'byoc');
      const saved = await call(regional.relayUrl, 'PUT', '/api/byoc/config', { apiKey, body: { role_arn: `arn:aws:iam::620000000000:role/${BYOC_ROLE_NAME}`, region: 'eu-west-1' } });
      expect(saved.status).toBe(200);
      const config = await call(regional.relayUrl, 'GET', '/api/byoc/config', { apiKey });
      expect(config.body).toMatchObject({ launch_stack_url: null, launch_stack_unavailable_reason: expect.any(String) });

      await page.goto(regional.dashboardUrl);
      await heading('Sign in').waitFor();
      await page.getByLabel('API key', { exact: true }).fill(apiKey);
      await button('Sign in').click();
      await heading('Settings').waitFor();
      expect(await page.getByRole('link', { name: 'Launch stack in AWS' }).count()).toBe(0);
      // the API's reason names its routes: the page says it in its own words
      expect(await page.locator('[data-field="launch_stack_unavailable_reason"] p').textContent()).toBe('One-click setup is not offered in eu-west-1 yet: create the role by hand with the two steps below.');
      await expectPeoplesWords();
      expect(await page.getByRole('heading', { level: 2, name: '1. Create the role in your AWS account' }).count()).toBe(1);
      await expectAccessible();
    } finally {
      await regional.stop();
    }
  });
});

describe('Webhooks: an endpoint with its event types, the secret shown once, deletion confirmed', () => {
  test('creates, shows the secret once with a copy button, keeps it on update, refuses a private URL with the reason, deletes', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    await signIn(apiKey);
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await heading('Webhooks').waitFor();
    await expectAccessible();

    // Nothing filled in: every issue at once, each field marked, the first focused.
    for (const box of await page.getByRole('checkbox').all()) await box.uncheck();
    await button('Create endpoint').click();
    await expectFieldError('url', 'Not saved. Enter the endpoint URL: an https address on a public host, like https://example.com/webhooks/sendfleet.Choose at least one event to send.');
    expect(await inlineError().locator('li').allTextContents()).toEqual([
      'Enter the endpoint URL: an https address on a public host, like https://example.com/webhooks/sendfleet.', 'Choose at least one event to send.',
    ]);
    expect(await page.getByRole('checkbox').first().getAttribute('aria-invalid')).toBe('true');
    await expectPeoplesWords();
    await expectAccessible();

    // A private address is refused, with the guard's reason next to the form.
    await page.getByLabel('Endpoint URL', { exact: true }).fill('https://10.0.0.1/hooks');
    await page.getByRole('checkbox', { name: /^email\.bounced / }).check();
    await page.getByRole('checkbox', { name: /^email\.complained / }).check();
    await button('Create endpoint').click();
    await inlineError().filter({ hasText: 'private address' }).waitFor();
    await expectFieldError('url', /^Not saved\. The endpoint URL points to a private address/);
    expect(await page.getByRole('checkbox').first().getAttribute('aria-invalid')).toBeNull();
    await expectPeoplesWords();
    expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey })).body.webhook).toBeNull();

    const receiverUrl = 'http://127.0.0.1:9/hooks/sendfleet';
    await page.getByLabel('Endpoint URL', { exact: true }).fill(receiverUrl);
    await page.getByRole('checkbox', { name: /^email\.delivered / }).uncheck();
    await page.getByRole('checkbox', { name: /^email\.suppressed / }).check();
    await button('Create endpoint').click();
    await page.getByRole('heading', { name: 'Your signing secret' }).waitFor();
    expect(await page.getByText('Copy it now: it will not be shown again.').isVisible()).toBe(true);
    const secret = await copy('signing_secret');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey })).body.webhook).toMatchObject({ url: receiverUrl, events: ['email.bounced', 'email.complained', 'email.suppressed'] });
    await expectAccessible();
    await screenshot(page, 'webhooks-secret');

    // Back on the screen: the endpoint as saved, and no secret anywhere on the page.
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await heading('Usage').waitFor();
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await heading('Webhooks').waitFor();
    expect(await page.getByLabel('Endpoint URL', { exact: true }).inputValue()).toBe(receiverUrl);
    const saved = (await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey })).body.webhook as { created_at: string; updated_at: string };
    expect(await page.locator('[data-field="updated_at"] time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')))).toEqual([saved.created_at, saved.updated_at]);
    expect(await page.locator('[data-field="updated_at"]').textContent()).toContain(await inPage(`new Date(${JSON.stringify(saved.created_at)}).toLocaleString()`));
    expect(await page.getByRole('checkbox', { name: /^email\.suppressed / }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^email\.delivered / }).isChecked()).toBe(false);
    expect(await page.content()).not.toContain(secret.slice('whsec_'.length));
    await page.getByRole('checkbox', { name: /^email\.delivered / }).check();
    await button('Save changes').click();
    await page.getByRole('status').filter({ hasText: 'The signing secret is unchanged' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Your signing secret' }).count()).toBe(0);

    // Deletion asks first; Cancel keeps the endpoint.
    await button('Delete endpoint').click();
    await button('Cancel').click();
    expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey })).body.webhook).not.toBeNull();
    await button('Delete endpoint').click();
    await expectAccessible();
    await button('Yes, delete endpoint').click();
    await page.getByRole('status').filter({ hasText: 'Endpoint deleted' }).waitFor();
    expect((await call(system.relayUrl, 'GET', '/api/webhooks', { apiKey })).body.webhook).toBeNull();
    await button('Create endpoint').waitFor();
    await expectPeoplesWords();
  });

  test('Usage: without delivery events, the rates panel says to launch or update the stack', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    await signIn(apiKey);
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await heading('Usage').waitFor();
    const panel = page.getByRole('region', { name: 'Delivery rates' });
    expect(await panel.locator('[data-field="not_connected"]').textContent()).toContain('Events not connected: launch or update the SendFleet-BYOC stack');
    await expectAccessible();
  });
});

/**
 * What a person reads is in people's words: the whole page (main, alert, status) has no HTTP method,
 * status number, header name or API path; and every message (each one shown since the page loaded,
 * errors included, and the check verdicts, hints and reasons on screen) has no API field name either.
 */
async function expectPeoplesWords(): Promise<void> {
  // textContent, not innerText: the page's CSS upper-cases some labels
  const text = String(await inPage(`['main', '#alert', '#status'].map((s) => document.querySelector(s).textContent).join(' ')`));
  expect(apiWordsIn(text, { fieldNames: false })).toEqual([]);
  const messages = await inPage(`[...window.__messages, ...[...document.querySelectorAll(
    '[role=status], [role=alert], .field-error, [data-check], [data-health-check] [data-field=detail], [data-field=launch_stack_unavailable_reason], .hint, .lead'
  )].map((e) => e.textContent)].filter(Boolean)`) as string[];
  expect(messages.length).toBeGreaterThan(0);
  expect(messages.flatMap((message) => apiWordsIn(message).map((words) => `"${words}" in: ${message}`))).toEqual([]);
}

/** The error next to a form: its text, and the field it marked (aria-invalid, described by it, focused). */
async function expectFieldError(fieldName: string, text: string | RegExp): Promise<void> {
  await inlineError().first().waitFor();
  expect(await inlineError().count()).toBe(1);
  const shown = await inlineError().textContent();
  if (typeof text === 'string') expect(shown).toBe(text);
  else expect(shown).toMatch(text);
  const control = page.locator(`[name="${fieldName}"]`).first();
  expect(await control.getAttribute('aria-invalid')).toBe('true');
  expect((await control.getAttribute('aria-describedby'))?.split(' ')).toContain(await inlineError().getAttribute('id'));
  expect(await focusedName()).toBe(fieldName);
  expect(await inlineError().getAttribute('role')).toBe('alert');
}

describe('Settings → Account health: the last runs\' verdicts, each domain\'s records, Check now', () => {
  type Health = { last_run_at: string; checks: Record<string, { since: string; last_transition_at: string | null; detail: string }>; domains: Array<{ records: Record<string, { last_checked_at: string }> }> };
  const health = async (apiKey: string) => (await call(system.relayUrl, 'GET', '/api/byoc/health', { apiKey })).body as unknown as Health;
  const panel = () => page.getByRole('region', { name: 'Account health' });
  const cell = (row: string, field: string) => panel().locator(`${row} [data-field="${field}"]`);
  /** The instant as this browser shows it in its local time. */
  const local = (iso: string) => inPage(`new Date(${JSON.stringify(iso)}).toLocaleString()`);
  async function scheduledRun(): Promise<void> {
    await system.health.runSchedule();
    await system.health.drain();
  }
  async function reloadSettings(): Promise<void> {
    await page.reload();
    await heading('Settings').waitFor();
  }

  test('unknown, then healthy with local times, then a paused account and a failed DKIM record; Check now queues, then waits out Retry-After', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    const domain = 'dashboard-health.dev';
    await onboard(system, apiKey, { accountId, domain });
    await signIn(apiKey);

    // Before any run: nothing to claim yet.
    expect(await panel().locator('[data-field="health_state"]').textContent()).toMatch(/^unknown Not checked yet\./);
    expect(await panel().locator('[data-field="last_run_at"]').textContent()).toBe('Never');
    await expectAccessible();

    await scheduledRun();
    await reloadSettings();
    const healthy = await health(apiKey);
    expect(await panel().locator('[data-field="health_state"] .badge').textContent()).toBe('healthy');
    expect(await panel().locator('[data-field="last_run_at"]').textContent()).toContain(await local(healthy.last_run_at));
    expect(await panel().locator('[data-field="last_run_at"] time').getAttribute('datetime')).toBe(healthy.last_run_at);
    expect(await panel().locator('[data-field="last_run_complete"]').textContent()).toBe('Yes');
    for (const check of ['assume_role', 'sending_enabled', 'production_access']) {
      const row = `tr[data-health-check="${check}"]`;
      expect(await cell(row, 'status').textContent()).toBe('ok Passing');
      expect(await cell(row, 'detail').textContent()).toBe(healthy.checks[check]!.detail);
      expect(await cell(row, 'since').textContent()).toContain(await local(healthy.checks[check]!.since));
      expect(await cell(row, 'last_change').textContent()).toBe('No change seen');
    }
    const records = panel().locator(`[data-health-domain="${domain}"]`);
    expect(await records.locator('caption').textContent()).toBe(`${domain} (eu-west-1)`);
    for (const kind of ['ownership', 'dkim', 'mail_from']) {
      expect(await records.locator(`tr[data-health-record="${kind}"] [data-field="status"]`).textContent()).toBe('Success');
      expect(await records.locator(`tr[data-health-record="${kind}"] [data-field="last_checked"]`).textContent())
        .toContain(await local(healthy.domains[0]!.records[kind]!.last_checked_at));
    }
    await expectAccessible();
    await expectPeoplesWords();

    // The customer's side breaks: sending paused by AWS, a DKIM CNAME removed.
    system.simulator.createAccount({ account_id: accountId, regions: { 'eu-west-1': { sending_enabled: false } } });
    system.simulator.setIdentityStatus(accountId, domain, { dkim: 'Failed' });
    await scheduledRun();
    await reloadSettings();
    const failing = await health(apiKey);
    expect(await panel().locator('[data-field="health_state"] .badge').textContent()).toBe('failing');
    const paused = 'tr[data-health-check="sending_enabled"]';
    expect(await cell(paused, 'status').textContent()).toBe('failing Failing');
    // the API's detail is for code calling it; the page has its own words for a known failure
    expect(failing.checks.sending_enabled!.detail).toMatch(/run validate again/);
    expect(await cell(paused, 'detail').textContent()).toMatch(/^Sending is paused for your SES account\. .*then press Validate & save again\.$/);
    expect(failing.checks.sending_enabled!.last_transition_at).toEqual(expect.any(String));
    expect(await cell(paused, 'since').textContent()).toContain(await local(failing.checks.sending_enabled!.since));
    expect(await cell(paused, 'last_change').textContent()).toContain(await local(failing.checks.sending_enabled!.last_transition_at!));
    expect(await cell('tr[data-health-check="assume_role"]', 'status').textContent()).toBe('ok Passing');
    expect(await records.locator('tr[data-health-record="dkim"] [data-field="status"]').textContent()).toBe('Failed');
    expect(await records.locator('tr[data-health-record="ownership"] [data-field="status"]').textContent()).toBe('Success');
    await expectAccessible();
    await screenshot(page, 'settings-health');

    // Check now: queued; a second request within the minute is refused for Retry-After seconds, the button disabled meanwhile.
    system.simulator.createAccount({ account_id: accountId, regions: { 'eu-west-1': { sending_enabled: true } } });
    const checkNow = panel().getByRole('button', { name: 'Check now', exact: true });
    await checkNow.click();
    await page.getByRole('status').filter({ hasText: 'Check queued; results appear here in a minute or two.' }).waitFor();
    expect(await checkNow.isEnabled()).toBe(true);
    // The page's timers from here on run on Playwright's fake clock: the wait is fast-forwarded, on no wall clock.
    await page.clock.install();
    const refused = page.waitForResponse((response) => response.url().endsWith('/api/byoc/health/check'));
    await checkNow.click();
    const retryAfter = Number((await refused).headers()['retry-after']);
    expect((await refused).status()).toBe(429);
    expect(retryAfter).toBeGreaterThan(5);
    await page.getByRole('status').filter({ hasText: `You can check again in ${retryAfter} seconds.` }).waitFor();
    expect(await checkNow.isDisabled()).toBe(true);
    // 5 s short of Retry-After (the fake clock also flows with real time meanwhile: a margin, not a race), then past it
    await page.clock.runFor((retryAfter - 5) * 1000);
    expect(await checkNow.isDisabled()).toBe(true);
    await page.clock.runFor(6000);
    expect(await checkNow.isEnabled()).toBe(true);
    expect(await inlineError().count()).toBe(0);
    await expectPeoplesWords();
    await expectAccessible();

    // The queued check ran: the page shows the repair.
    await system.health.drain();
    await reloadSettings();
    expect(await cell(paused, 'status').textContent()).toBe('ok Passing');
    expect(await panel().locator('[data-field="health_state"] .badge').textContent()).toBe('failing'); // DKIM still Failed
  });
});

describe('Usage → Delivery rates with events from a stack-connected account', () => {
  test('a bounce and a delivery from the mailbox simulator: counts, rates and the review-risk state', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    const domain = 'dashboard-rates.dev';
    system.simulator.createAccount({ account_id: accountId, regions: { 'us-east-1': { max_24_hour_send: 50_000 } } });
    expect(await launchStack(system, apiKey, accountId)).toMatchObject({ status: 'CREATE_COMPLETE' });
    // the stack's new event-forwarding role takes effect in IAM before SES events can use it
    await afterIamPropagation(system);
    expect((await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain } })).status).toBeLessThan(300);
    system.simulator.setIdentityStatus(accountId, domain, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
    expect((await call(system.relayUrl, 'POST', `/api/byoc/domains/${domain}/verify`, { apiKey })).status).toBe(200);
    for (const to of ['bounce@simulator.amazonses.com', 'success@simulator.amazonses.com']) {
      const sent = await call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to, from_email: `hello@${domain}`, subject: 'Rates', message: 'Hello' } });
      expect(sent.status).toBe(200);
    }
    await system.clock.advance(10_000); // the simulator publishes Send, then Delivery / Bounce

    await signIn(apiKey);
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await heading('Usage').waitFor();
    const rates = page.getByRole('region', { name: 'Delivery rates' });
    const figure = (field: string) => rates.locator(`[data-field="${field}"]`);
    expect({
      sent: await figure('sent').textContent(), delivered: await figure('delivered').textContent(),
      bounced: await figure('bounced').textContent(), complained: await figure('complained').textContent(),
    }).toEqual({ sent: '2', delivered: '1', bounced: '1', complained: '0' });
    expect(await figure('bounce_rate').locator('dd').first().textContent()).toBe('50 %');
    expect(await figure('bounce_rate').locator('meter').getAttribute('value')).toBe('0.05');
    expect(await figure('complaint_rate').locator('dd').first().textContent()).toBe('0 %');
    expect(await figure('state').locator('.badge').textContent()).toBe('review_risk');
    expect(await figure('state').textContent()).toContain('At or past an SES review threshold');
    expect(await figure('not_connected').count()).toBe(0);
    // Day by day, newest first: today's row has the two sends SES accepted and what became of them.
    const today = new Date(system.clock.now()).toISOString().slice(0, 10);
    const days = page.getByRole('region', { name: 'Day by day' });
    expect(await days.locator('tbody tr').count()).toBe(14);
    expect(await days.locator('tbody tr').first().getAttribute('data-day')).toBe(today);
    expect(await days.locator(`tr[data-day="${today}"] td`).allTextContents()).toEqual(['2', '1', '1', '0', '0', '0']);
    expect(await statusOf('used').textContent()).toMatch(/^2 in the last 30 days, as SES reported them/);
    await expectPeoplesWords();
    await expectAccessible();
    await expectPeoplesWords();
    await screenshot(page, 'usage-rates');
  });
});

describe('what goes wrong is shown next to the control that caused it, in the page\'s words', () => {
  test('a wrong key: refused next to the form, nothing kept', async () => {
    await page.goto(system.dashboardUrl);
    await page.getByLabel('API key', { exact: true }).fill(`sf_${'A'.repeat(43)}`);
    await button('Sign in').click();
    await expectFieldError('api_key', /^Not signed in\. SendFleet does not know this API key/);
    await expect(heading('Sign in').isVisible()).resolves.toBe(true);
    expect(await inPage('sessionStorage.length')).toBe(0);
    await expectAccessible();
    await screenshot(page, 'wrong-key');
  });

  test('a sending-only key cannot sign in: the refusal says why and what to do', async () => {
    // A real sending_access key, issued by the operator: the relay answers it 403 insufficient_scope on the sign-in's read.
    const { tenantId } = await createTenant(system, 'byoc');
    const issued = await call(system.platformUrl, 'POST', `/admin/tenants/${tenantId}/keys`, { body: { scope: 'sending_access', name: 'web app' } });
    expect(issued.status).toBe(201);
    const apiKey = issued.body.api_key as string;
    await page.goto(system.dashboardUrl);
    await page.getByLabel('API key', { exact: true }).fill(apiKey);
    await button('Sign in').click();
    await expectFieldError('api_key', 'Not signed in. This key can only send email. Sign in with a full-access key — create one under API keys.');
    expect(await inPage('sessionStorage.length')).toBe(0);
    await expectPeoplesWords();
    await expectAccessible();
  });

  test('a role with another name is refused, naming the required name', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    await signIn(apiKey);
    await validateAndSave(`arn:aws:iam::${nextAccount++}:role/MySendingRole`);
    await expectFieldError('role_arn', new RegExp(`must be named exactly ${BYOC_ROLE_NAME}`));
    expect(await statusOf('status').textContent()).toBe('unconfigured');

    // Check now before any role is connected: why, in the page's words, next to the button.
    await page.getByRole('button', { name: 'Check now', exact: true }).click();
    await inlineError().filter({ hasText: 'Not checked.' }).waitFor();
    expect(await inlineError().textContent()).toBe('Not checked. There is nothing to check yet: connect your role above and press Validate & save first.');
    expect(await page.evaluate('document.activeElement.className')).toBe('field-error');
    await expectPeoplesWords();
  });

  test('a sandboxed SES account: saved, validation fails on production access with its fix', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    await signIn(apiKey);
    await createRoleFromPage(accountId, 200);
    await validateAndSave(`arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`);
    expect(await inlineError().textContent()).toMatch(/^Saved, but validation failed\. Your SES account is still in the SES sandbox.*Request production access/);
    expect(await statusOf('status').textContent()).toBe('invalid');
    expect(await page.locator('[data-check="production_access"] .verdict').textContent()).toBe('Fail');
    // the way out of the sandbox, as links: the SES console's account dashboard in the region, and AWS's guide
    expect(await statusOf('ses_account_dashboard').getAttribute('href')).toBe('https://eu-west-1.console.aws.amazon.com/ses/home?region=eu-west-1#/account');
    expect(await statusOf('production_access_guide').getAttribute('href')).toBe('https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html');
    await expectPeoplesWords();
    expect(await page.locator('[data-check="assume_role"] .verdict').textContent()).toBe('Pass');
    await expectAccessible();
    await screenshot(page, 'sandbox');
  });

  test('a subdomain is refused, naming the root to use; a <script> name is shown as text', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    await signIn(apiKey);
    await createRoleFromPage(accountId);
    await validateAndSave(`arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`);
    await page.getByRole('link', { name: 'Domains', exact: true }).click();
    await heading('Domains').waitFor();

    await page.getByLabel('Domain', { exact: true }).fill('mail.dashboard-sub.dev');
    await button('Add domain').click();
    await inlineError().filter({ hasText: 'dashboard-sub.dev' }).waitFor();
    expect(await inlineError().textContent()).toMatch(/^Could not add “mail\.dashboard-sub\.dev”\. .*\bdashboard-sub\.dev\b/);

    const hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">.com';
    await page.getByLabel('Domain', { exact: true }).fill(hostile);
    await button('Add domain').click();
    await inlineError().filter({ hasText: '<script>' }).waitFor();
    expect(await inlineError().textContent()).toContain(`Could not add “${hostile}”.`);
    expect(await inPage(`({
      pwned: window.__pwned ?? null,
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
    })`)).toEqual({ pwned: null, scripts: 1, images: 0 });
    await expectAccessible();
    await screenshot(page, 'invalid-domain');
  });
});

describe('serving', () => {
  /** A GET whose answer is held to the OpenAPI document, as call() does for JSON answers. */
  async function fetchChecked(url: string): Promise<Response> {
    const response = await fetch(url);
    const text = await response.clone().text();
    checkAgainstContract({ method: 'GET', path: new URL(url).pathname, status: response.status, headers: response.headers, text });
    return response;
  }

  test('assets carry the security headers; unknown files are 404 in the error shape', async () => {
    const html = await (await fetchChecked(system.dashboardUrl)).text();
    const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const response = await fetchChecked(system.dashboardUrl + asset);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
    const missing = await fetchChecked(`${system.dashboardUrl}assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await missing.json()).toEqual({ success: false, error: 'not_found', detail: expect.any(String) });
  });

  test('GET /api/openapi.json answers the generated document without an API key, with the dashboard\'s headers', async () => {
    const response = await call(system.relayUrl, 'GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    // the generated document, whose server is the API it was fetched from
    expect(response.body).toEqual({ ...buildOpenApiDocument(), servers: [{ url: system.relayUrl, description: expect.any(String) }] });
  });

  test('/docs renders every operation of the document, same origin only, under the strict CSP, accessible', async () => {
    const origin = new URL(system.dashboardUrl).origin;
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const response = await page.goto(`${system.dashboardUrl}docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const document = buildOpenApiDocument();
    const operationIds = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => `op-${String(op.operationId)}`));
    expect(await inPage('[...document.querySelectorAll("main section[id]")].map((s) => s.id)')).toEqual(operationIds);
    expect(await page.getByRole('heading', { level: 3, name: 'POST /api/send', exact: true }).count()).toBe(1);
    // The stylesheet loaded (same origin), and nothing else was asked from anywhere.
    expect(await inPage('getComputedStyle(document.body).display')).toBe('grid');
    expect(requested.length).toBeGreaterThanOrEqual(2);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    await expectAccessible();
    await screenshot(page, 'api-reference');
  });
});
