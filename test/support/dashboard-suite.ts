/**
 * The browser tests' common frame: one local system and one Chromium per test file, a fresh page
 * per test (so sessionStorage starts empty), and a test fails on any page error or console error
 * (a CSP violation among them) but the browser's own note on each 4xx answer.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './browser';
import { startTestSystem, type TestSystem } from './system';

export interface DashboardSuite {
  readonly system: TestSystem;
  readonly page: Page;
  button(name: string): ReturnType<Page['getByRole']>;
  /** The screen's title (the one h1). */
  heading(name: string): ReturnType<Page['getByRole']>;
}

/** Registers the hooks; the returned suite's system and page are set once they run. */
export function dashboardSuite(name: string, options: { initScript?: string } = {}): DashboardSuite {
  let system: TestSystem | undefined;
  let browser: TestBrowser | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem(name);
    browser = await launchBrowser(new URL(system.dashboardUrl).origin);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });
  beforeEach(async () => {
    page = await browser!.context.newPage();
    if (options.initScript) await page.addInitScript(options.initScript);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded with a status of 4')) pageErrors.push(message.text());
    });
  });
  afterEach(async () => {
    await page?.close();
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const suite: DashboardSuite = {
    get system() { return system!; },
    get page() { return page!; },
    button: (buttonName) => suite.page.getByRole('button', { name: buttonName, exact: true }),
    heading: (title) => suite.page.getByRole('heading', { level: 1, name: title, exact: true }),
  };
  return suite;
}
