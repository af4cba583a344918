/**
 * Headless Debian Chromium driven by playwright-core, with a fresh profile per run, no network
 * beyond localhost chatter, clipboard access granted; axe-core for accessibility findings.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(origin: string): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'sendfleet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 820 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: string | undefined;

export interface AxeFinding { id: string; impact: string | null; help: string; targets: string[] }

/** axe-core's serious and critical findings on the page as it is now. */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate("'axe' in window"))) {
    // Evaluated through DevTools, not as a page script: the page's CSP (script-src 'self') stays on.
    await page.evaluate(axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  }
  // A string, evaluated in the page: the tests' TypeScript has no DOM types.
  return page.evaluate(`axe.run(document).then(({ violations }) => violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))`) as Promise<AxeFinding[]>;
}

/** Screenshots for the docs, only when asked: SCREENSHOTS=1 writes docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  await page.screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'screenshots', `${name}.png`) });
}
