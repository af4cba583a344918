/**
 * The dashboard as built by the project's own build: within its size budget, no way to turn an API
 * string into markup, no inline script or style, nothing from another origin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard } from '../../dashboard/build';
import type { StaticAsset } from '../../lambdas/relay/dashboard/static-site';

/** The budget for the first load: JavaScript and CSS, compressed. */
const FIRST_LOAD_BUDGET_BYTES = 100 * 1024;

let assets: StaticAsset[];
beforeAll(async () => { assets = await buildDashboard(); });

const byExtension = (extension: string) => assets.filter((a) => a.path.endsWith(extension));

test('index.html, one script and one stylesheet with content-hashed names', () => {
  expect(assets.map((a) => a.path)).toEqual(['index.html', expect.stringMatching(/^assets\/app-[A-Z0-9]{8}\.js$/), expect.stringMatching(/^assets\/style-[A-Z0-9]{8}\.css$/)]);
});

test(`first load: JS + CSS at most ${FIRST_LOAD_BUDGET_BYTES} bytes gzipped`, () => {
  const gzipped = [...byExtension('.js'), ...byExtension('.css')].reduce((n, a) => n + gzipSync(a.body, { level: 9 }).length, 0);
  expect(gzipped).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
  expect(gzipped).toBeGreaterThan(1000); // the budget measures a real build, not an empty one
});

test('the page loads only its own files: no inline script, no inline style, no other origin', () => {
  const html = byExtension('.html')[0]!.body;
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.map(([, attrs, body]) => ({ src: /\bsrc="assets\//.test(attrs ?? ''), body }))).toEqual([{ src: true, body: '' }]);
  expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  expect(html).not.toMatch(/https?:\/\//);
  for (const asset of assets) expect({ asset: asset.path, external: /\b(?:src|href|url)\(?=?["']?https?:\/\//.test(asset.body) }).toEqual({ asset: asset.path, external: false });
});

test('no markup sinks in the source: every API string is rendered as text', () => {
  const dir = path.join(__dirname, '..', '..', 'dashboard', 'src');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    expect({ file, sinks: source.match(/\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/g) ?? [] }).toEqual({ file, sinks: [] });
  }
});
