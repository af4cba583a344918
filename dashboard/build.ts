/**
 * Builds the customer dashboard (dashboard/src) into static files with esbuild: one minified
 * script, one stylesheet (content-hashed names, so they can be cached for ever) and index.html
 * pointing at them. Nothing built is committed: local mode builds in memory at first request, and
 * the CDK stack builds into the dashboard function's bundle at synth.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StaticAsset } from '../lambdas/relay/dashboard/static-site';

const SRC = path.join(__dirname, 'src');

const options: esbuild.BuildOptions = {
  entryPoints: { app: path.join(SRC, 'main.ts'), style: path.join(SRC, 'style.css') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome115', 'firefox115', 'safari16'],
  entryNames: '[name]-[hash]',
  outdir: '/assets',
  write: false,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'silent',
};

function assemble(outputFiles: esbuild.OutputFile[]): StaticAsset[] {
  const assets = outputFiles.map((file) => ({ path: `assets/${path.basename(file.path)}`, body: file.text }));
  const js = assets.find((a) => a.path.endsWith('.js'));
  const css = assets.find((a) => a.path.endsWith('.css'));
  if (!js || !css) throw new Error('dashboard build produced no script or no stylesheet');
  const html = fs.readFileSync(path.join(SRC, 'index.html'), 'utf8').replace('{{js}}', js.path).replace('{{css}}', css.path);
  return [{ path: 'index.html', body: html }, js, css];
}

export async function buildDashboard(): Promise<StaticAsset[]> {
  return assemble((await esbuild.build(options)).outputFiles ?? []);
}

/** For CDK's bundling hooks, which are synchronous. */
export function buildDashboardSync(): StaticAsset[] {
  return assemble(esbuild.buildSync(options).outputFiles ?? []);
}

/** Writes the files under `dir` (index.html, assets/…), as the dashboard function reads them. */
export function writeDashboard(dir: string, assets: readonly StaticAsset[]): void {
  for (const asset of assets) {
    const file = path.join(dir, asset.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, asset.body);
  }
}
