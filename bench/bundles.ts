/**
 * Cold-start proxy: each function bundled the way the CDK stacks bundle it, its size, and how long
 * a fresh `node` takes to `require` it, compared with an empty `node` and with a bundle holding
 * only the three SDK clients (bench/three-clients.ts).
 *
 * Bundling options: those of `ServiceFunction` in lib/constructs/service-function.ts (NodejsFunction
 * `bundling`): minify, keepNames, no source map, target node24, CJS, mainFields module→main, every
 * module bundled (AWS SDK v3 included), platform node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { FUNCTIONS } from '../lib/function-catalog';
import { median } from './stats';

export const ROOT = path.resolve(__dirname, '..');
export const OUT_DIR = path.join(ROOT, '.bench', 'bundles');

/** Mirrors `bundling` in lib/constructs/service-function.ts. */
export const LAMBDA_BUNDLING: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  sourcemap: false,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  mainFields: ['module', 'main'],
  external: [],
  logLevel: 'silent',
};

export interface BundleEntry {
  name: string;
  entry: string;
  /** Import paths left to `require` at run time (esbuild `external`). */
  external?: string[];
  /** Files bundled on their own beside index.js (name → entry), for the imports left external. */
  chunks?: Record<string, string>;
}

export function bundleEntries(): BundleEntry[] {
  // As `ServiceFunction` bundles them: a function's lazily loaded modules (the send function's MIME
  // builder) are left out of index.js and bundled beside it, loaded on first use only.
  const functions = Object.entries(FUNCTIONS)
    .map(([name, spec]): BundleEntry => {
      const lazy: Record<string, string> = 'lazyModules' in spec ? { ...spec.lazyModules } : {};
      return {
        name,
        entry: spec.entry as string,
        external: Object.keys(lazy).map((module) => `./${module}`),
        chunks: Object.fromEntries(Object.entries(lazy).map(([module, entry]) => [`${module}.js`, entry])),
      };
    })
    .filter((e) => existsSync(path.join(ROOT, e.entry)));
  return [...functions, { name: 'threeClients', entry: 'bench/three-clients.ts' }];
}

export interface BuiltBundle extends BundleEntry {
  file: string;
  /** index.js alone: what a cold start loads. */
  bytes: number;
  gzipBytes: number;
  /** Bytes of each chunk beside index.js, loaded later if at all. */
  chunkBytes: Record<string, number>;
  metafile: Metafile;
}

export async function buildBundles(entries: BundleEntry[]): Promise<BuiltBundle[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const built: BuiltBundle[] = [];
  for (const e of entries) {
    const file = path.join(OUT_DIR, e.name, 'index.js');
    const result = await build({ ...LAMBDA_BUNDLING, entryPoints: [path.join(ROOT, e.entry)], outfile: file, metafile: true, external: e.external ?? [] });
    const chunkBytes: Record<string, number> = {};
    for (const [chunk, entry] of Object.entries(e.chunks ?? {})) {
      const chunkFile = path.join(path.dirname(file), chunk);
      await build({ ...LAMBDA_BUNDLING, entryPoints: [path.join(ROOT, entry)], outfile: chunkFile });
      chunkBytes[chunk] = statSync(chunkFile).size;
    }
    built.push({ ...e, file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length, chunkBytes, metafile: result.metafile });
  }
  return built;
}

/** Output bytes per npm package (or per project folder) of a bundle. */
export function bytesByOrigin(bundle: BuiltBundle): Map<string, number> {
  const byOrigin = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [file, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
      const origin = pkg ?? `${path.dirname(file).split('/').slice(0, 2).join('/')}/ (project)`;
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + info.bytesInOutput);
    }
  }
  return byOrigin;
}

export interface SizeDelta {
  origin: string;
  bytes: number;
  referenceBytes: number;
}

/** What a bundle holds beyond the reference bundle, largest first. */
export function analyseBundle(bundle: BuiltBundle, reference: BuiltBundle): SizeDelta[] {
  const mine = bytesByOrigin(bundle);
  const theirs = bytesByOrigin(reference);
  return [...mine]
    .map(([origin, bytes]) => ({ origin, bytes, referenceBytes: theirs.get(origin) ?? 0 }))
    .filter((d) => d.bytes - d.referenceBytes > 0)
    .sort((a, b) => (b.bytes - b.referenceBytes) - (a.bytes - a.referenceBytes));
}

/** Dummy values for every variable a handler reads at load (they only need to be present). */
const HANDLER_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIADUMMY',
  AWS_SECRET_ACCESS_KEY: 'dummy',
  RELAY_TABLE: 'bench-relay',
  TENANTS_TABLE: 'bench-tenants',
  EVENT_BUS_NAME: 'bench-bus',
  RELAY_ACCOUNT_ID: '111111111111',
  PLATFORM_ACCOUNT_ID: '222222222222',
  SERVICE_NAME: 'bench',
  // The notification producers and the webhook delivery read the queue's URL at load.
  WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/bench-webhooks',
  HEALTH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/bench-health',
  // The keys function names the platform function it invokes at load.
  CUSTOMER_KEYS_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:222222222222:function:bench-customer-keys',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface LoadTiming {
  name: string;
  /** Median wall time of `node -e "require(bundle)"`, spawn to exit. */
  processMs: number;
  /** Median time of the `require` call alone, measured inside the process. */
  requireMs: number;
  /** Median CPU time (user + system) of the `require` call: steadier than wall time on a busy machine. */
  requireCpuMs: number;
  runs: number;
}

const TIMED_REQUIRE = (file: string) =>
  `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1e3)`;

function runOnce(script: string): { wallMs: number; requireMs: number; requireCpuMs: number } {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...HANDLER_ENV };
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node -e failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  const [requireMs = '0', requireCpuMs = '0'] = result.stdout.split(' ');
  return { wallMs, requireMs: Number(requireMs), requireCpuMs: Number(requireCpuMs) };
}

/** Round-robin over the bundles (and the empty start) so machine noise spreads over all of them. */
export function timeLoads(bundles: readonly BuiltBundle[], runs: number): { empty: LoadTiming; bundles: LoadTiming[] } {
  const subjects = [{ name: '(empty node)', script: '' }, ...bundles.map((b) => ({ name: b.name, script: TIMED_REQUIRE(b.file) }))];
  const samples = new Map(subjects.map((s) => [s.name, { wall: [] as number[], req: [] as number[], cpu: [] as number[] }]));
  for (const s of subjects) runOnce(s.script); // page cache, first-run effects
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) {
      const { wallMs, requireMs, requireCpuMs } = runOnce(s.script);
      const bucket = samples.get(s.name)!;
      bucket.wall.push(wallMs);
      bucket.req.push(requireMs);
      bucket.cpu.push(requireCpuMs);
    }
  }
  const timing = (name: string): LoadTiming => {
    const bucket = samples.get(name)!;
    return { name, processMs: median(bucket.wall), requireMs: median(bucket.req), requireCpuMs: median(bucket.cpu), runs };
  };
  return { empty: timing('(empty node)'), bundles: bundles.map((b) => timing(b.name)) };
}
