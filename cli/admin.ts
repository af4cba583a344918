/**
 * Operator CLI for the platform admin API. Prints the answer as a table (`--json`: the API's JSON
 * answer as it came); exits 1 on an error answer, 2 on a usage error. Against local mode (default
 * http://127.0.0.1:$PLATFORM_PORT, port 3001) it sends plain requests; against AWS it signs each
 * request with SigV4 (the admin API is IAM-authorised) using the usual AWS credential chain.
 *
 *   npm run admin -- --help | <noun> --help | <noun> <verb> --help
 *   npm run admin -- tenant list [--limit N] [--cursor CURSOR]
 *   npm run admin -- tenant create --plan starter [--name "Acme"]
 *   npm run admin -- key rotate --tenant <id> --key <key id> [--overlap 24h]
 *   … every command, its description and an example: COMMANDS below.
 */
import '../local/node-version-notice';
import { parseArgs } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

class UsageError extends Error {}

const OPTIONS = {
  plan: { type: 'string' }, name: { type: 'string' }, tenant: { type: 'string' }, key: { type: 'string' },
  rate: { type: 'string' }, expires: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' },
  overlap: { type: 'string' }, scope: { type: 'string' }, domain: { type: 'string', multiple: true },
  json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The API's answer; fields are read defensively, as printing must never fail. */
type Answer = Record<string, unknown>;

interface Command {
  /** `<noun> <verb>`. */
  name: string;
  aliases?: string[];
  /** The command with its options, after `npm run admin --`. */
  usage: string;
  description: string;
  /** Arguments after `npm run admin --`. */
  example: string;
  toCall(values: Values): Call;
  /** The answer as a human reads it (the default output). */
  show(answer: Answer, values: Values): string;
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return encodeURIComponent(value);
}

const tenantPath = (values: Values) => `/admin/tenants/${need(values.tenant, 'tenant')}`;

/** `0`, or a whole number of seconds, minutes, hours or days: `90s`, `30m`, `24h`, `7d`. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (text.trim() === '0') return 0;
  if (!match) throw new UsageError(`--overlap must be a duration such as 30m, 24h or 7d (or 0: the old key stops at once), not "${text}"`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

// ---- output ----------------------------------------------------------------------------------

/** Columns padded to their widest cell, two spaces apart, no trailing spaces; no header line when `headers` is empty. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const lines = headers.length > 0 ? [headers, ...rows] : rows;
  const widths = (lines[0] ?? []).map((_, i) => Math.max(...lines.map((cells) => (cells[i] ?? '').length)));
  return lines.map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const text = (value: unknown, empty = '-'): string => (value === null || value === undefined || value === '' ? empty : String(value));
const list = (value: unknown): Answer[] => (Array.isArray(value) ? (value as Answer[]) : []);
const record = (value: unknown): Answer => (value && typeof value === 'object' ? (value as Answer) : {});
const limits = (tenant: Answer) => record(tenant.limits);

/** A key's scope as an operator reads it: `sending_access (acme.com, acme.org)` when limited to domains. */
const scopeText = (key: Answer): string => {
  const domains = Array.isArray(key.domains) ? (key.domains as unknown[]).map((d) => text(d)) : [];
  return `${text(key.scope, 'full_access')}${domains.length > 0 ? ` (${domains.join(', ')})` : ''}`;
};

function keysTable(keys: Answer[], tenantId: unknown): string {
  if (keys.length === 0) return `no API keys (create one: npm run admin -- key create --tenant ${text(tenantId)})`;
  return table(['KEY', 'PREFIX', 'STATUS', 'SCOPE', 'NAME', 'EXPIRES'], keys.map((k) => [text(k.key_id), text(k.prefix), text(k.status), scopeText(k), text(k.name), text(k.expires_at, 'never')]));
}

function tenantView(answer: Answer): string {
  const tenant = record(answer.tenant);
  const fields = table([], [
    ['tenant', text(tenant.tenant_id)],
    ['name', text(tenant.name)],
    ['plan', text(tenant.plan)],
    ['status', text(tenant.status)],
    ['limits', `${text(limits(tenant).sends_per_minute)} sends/min per key; ${limits(tenant).monthly_sends == null ? 'month not counted' : `${text(limits(tenant).monthly_sends)} sends/month`}`],
    ['version', `${text(tenant.version)} (updated ${text(tenant.updated_at)})`],
  ]);
  return `${fields}\n\n${keysTable(list(tenant.api_keys), tenant.tenant_id)}`;
}

function issuedKeyView(answer: Answer): string {
  const replaced = record(answer.replaced);
  return [
    table([], [
      ['key', text(answer.key_id)],
      ['prefix', text(answer.prefix)],
      ['name', text(answer.name)],
      ['scope', scopeText(answer)],
      ['expires', text(answer.expires_at, 'never')],
      ...(answer.replaced ? [['replaces', `${text(replaced.key_id)}, which keeps working until ${text(replaced.expires_at)}`]] : []),
      ['api_key', text(answer.api_key)],
    ]),
    '',
    'Store api_key now: it is shown exactly once and only its hash is kept.',
  ].join('\n');
}

function tenantListView(answer: Answer, values: Values): string {
  const tenants = list(answer.tenants);
  const rows = tenants.map((t) => [
    text(t.tenant_id), text(t.name), text(t.plan), text(t.status), text(limits(t).sends_per_minute), text(limits(t).monthly_sends), text(t.version), text(t.updated_at),
  ]);
  const body = tenants.length === 0 ? 'no tenants' : table(['TENANT', 'NAME', 'PLAN', 'STATUS', 'PER MIN', 'PER MONTH', 'VERSION', 'UPDATED'], rows);
  const next = typeof answer.next_cursor === 'string'
    ? `next page: npm run admin -- tenant list${values.limit ? ` --limit ${values.limit}` : ''} --cursor ${answer.next_cursor}`
    : 'end of the list';
  return `${body}\n\n${tenants.length} tenant${tenants.length === 1 ? '' : 's'}; ${next}`;
}

/** An error answer: its code, status and detail (and each issue), for stderr. */
export function errorView(status: number, answer: unknown): string {
  if (!answer || typeof answer !== 'object') return `error (HTTP ${status}): ${text(answer)}`;
  const { error, detail, issues, message } = answer as Answer;
  const lines = [`error: ${text(error ?? message, 'unknown')} (HTTP ${status})${detail ? `: ${String(detail)}` : ''}`];
  for (const issue of list(issues)) lines.push(`  ${text(issue.path)}: ${text(issue.message)}`);
  return lines.join('\n');
}

// ---- commands --------------------------------------------------------------------------------

export const COMMANDS: readonly Command[] = [
  {
    name: 'tenant list', usage: 'tenant list [--limit N] [--cursor CURSOR]',
    description: 'List the tenants that are not deleted, a page at a time (default 50, at most 100 per page), in a stable order. The last line says how to get the next page.',
    example: 'tenant list --limit 20',
    toCall: (v) => {
      const query = new URLSearchParams();
      if (v.limit !== undefined) query.set('limit', v.limit);
      if (v.cursor !== undefined) query.set('cursor', v.cursor);
      return { method: 'GET', path: `/admin/tenants${query.toString() ? `?${query}` : ''}` };
    },
    show: tenantListView,
  },
  {
    name: 'tenant create', usage: 'tenant create --plan starter|byoc [--name NAME]',
    description: 'Create a tenant on a plan (starter: 50 sends a month; byoc: its own SES, not counted). Then create its first key.',
    example: 'tenant create --plan byoc --name "Acme"',
    toCall: (v) => ({ method: 'POST', path: '/admin/tenants', body: { plan: v.plan, ...(v.name ? { name: v.name } : {}) } }),
    show: tenantView,
  },
  {
    name: 'tenant show', aliases: ['tenant get'], usage: 'tenant show --tenant ID',
    description: 'Show one tenant: plan, status, limits, version and its keys (prefixes only; a key is shown in full once, when created). Also: tenant get.',
    example: 'tenant show --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'GET', path: tenantPath(v) }),
    show: tenantView,
  },
  {
    name: 'tenant update', usage: 'tenant update --tenant ID [--plan starter|byoc] [--rate SENDS_PER_MINUTE] [--name NAME]',
    description: 'Change the plan (its monthly limit comes with it), the per-key rate or the name. A change to what the tenant already has changes nothing: same version, nothing published.',
    example: 'tenant update --tenant ten_0123456789abcdef0123 --plan byoc --rate 120',
    toCall: (v) => {
      const body: Record<string, unknown> = {};
      if (v.plan) body.plan = v.plan;
      if (v.name) body.name = v.name;
      if (v.rate) body.sends_per_minute = Number(v.rate);
      return { method: 'PATCH', path: tenantPath(v), body };
    },
    show: tenantView,
  },
  {
    name: 'tenant suspend', usage: 'tenant suspend --tenant ID',
    description: 'Refuse every request of the tenant (403 tenant_suspended) until it is reactivated. Suspending a suspended tenant changes nothing.',
    example: 'tenant suspend --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'PATCH', path: tenantPath(v), body: { status: 'suspended' } }),
    show: tenantView,
  },
  {
    name: 'tenant reactivate', usage: 'tenant reactivate --tenant ID',
    description: 'Let a suspended tenant send again. Reactivating an active tenant changes nothing.',
    example: 'tenant reactivate --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'PATCH', path: tenantPath(v), body: { status: 'active' } }),
    show: tenantView,
  },
  {
    name: 'tenant delete', usage: 'tenant delete --tenant ID',
    description: 'Offboard the tenant for good: its keys are revoked, and the relay deletes its BYOC config, domains and counters (not the SES identities in the customer\'s own AWS account). The tenant stays listed by `tenant show` as deleted and cannot change again. Deleting twice answers the same.',
    example: 'tenant delete --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'DELETE', path: tenantPath(v) }),
    show: tenantView,
  },
  {
    name: 'tenant publish', usage: 'tenant publish --tenant ID',
    description: 'Send the tenant\'s current snapshot to the relay again (after a change answered 502 upstream_unavailable).',
    example: 'tenant publish --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'POST', path: `${tenantPath(v)}/publish` }),
    show: tenantView,
  },
  {
    name: 'key create', usage: 'key create --tenant ID [--name NAME] [--scope full_access|sending_access] [--domain DOMAIN]... [--expires ISO_DATE_TIME]',
    description: 'Issue an API key. The key is printed once; only its SHA-512 hash is kept. At most 100 keys per tenant that are not revoked (expired ones count until revoked; revoking gives the slot back). --scope sending_access makes a key that may only send (default full_access: every route); each --domain (sending keys only, at most 20) limits the domains its from may use, exactly. --name labels it (1 to 50 characters). A rotation\'s new key keeps name, scope and domains.',
    example: 'key create --tenant ten_0123456789abcdef0123 --name "web app" --scope sending_access --domain acme.com',
    toCall: (v) => ({
      method: 'POST', path: `${tenantPath(v)}/keys`,
      // Passed as given: the API validates and answers what to fix.
      body: {
        ...(v.expires ? { expires_at: v.expires } : {}),
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.scope !== undefined ? { scope: v.scope } : {}),
        ...(v.domain !== undefined ? { domains: v.domain } : {}),
      },
    }),
    show: issuedKeyView,
  },
  {
    name: 'key list', usage: 'key list --tenant ID',
    description: 'List the tenant\'s keys: id, prefix, status, scope (with the domains a sending key is limited to), name and expiry.',
    example: 'key list --tenant ten_0123456789abcdef0123',
    toCall: (v) => ({ method: 'GET', path: `${tenantPath(v)}/keys` }),
    show: (answer, values) => keysTable(list(answer.api_keys), values.tenant),
  },
  {
    name: 'key rotate', usage: 'key rotate --tenant ID --key KEY_ID [--overlap DURATION] [--expires ISO_DATE_TIME]',
    description: 'Issue a new key (printed once) and let the old one work only for the overlap (default 24h; 0 stops it at once; at most 30d; never later than it already expires). --expires sets the new key\'s expiry.',
    example: 'key rotate --tenant ten_0123456789abcdef0123 --key key_0123456789abcdef --overlap 1h',
    toCall: (v) => ({
      method: 'POST',
      path: `${tenantPath(v)}/keys/${need(v.key, 'key')}/rotate`,
      body: { ...(v.overlap !== undefined ? { overlap_seconds: parseDuration(v.overlap) } : {}), ...(v.expires ? { expires_at: v.expires } : {}) },
    }),
    show: issuedKeyView,
  },
  {
    name: 'key revoke', usage: 'key revoke --tenant ID --key KEY_ID',
    description: 'Revoke a key at once (the relay refuses it within seconds). Revoking a revoked key changes nothing.',
    example: 'key revoke --tenant ten_0123456789abcdef0123 --key key_0123456789abcdef',
    toCall: (v) => ({ method: 'DELETE', path: `${tenantPath(v)}/keys/${need(v.key, 'key')}` }),
    show: tenantView,
  },
];

const HEADER = 'usage: npm run admin -- <tenant|key> <command> [options] [--json]';
const FOOTER = [
  'every command: --json prints the API\'s JSON answer instead of a table; --help (-h) explains it',
  'environment: PLATFORM_URL (default http://127.0.0.1:$PLATFORM_PORT, and PLATFORM_PORT defaults to 3001); AWS credentials when it is not local',
];

function summaryLine(command: Command): string {
  return `  ${command.usage}\n      ${command.description.split('. ')[0]!.replace(/\.$/, '')}.`;
}

/**
 * `--help` (or `-h`) anywhere: for `<noun> <verb>` that command (description, example), for a noun
 * its commands, else every command. Printed on stdout with exit code 0; undefined when help was
 * not asked for.
 */
export function helpFor(argv: readonly string[]): string | undefined {
  if (!argv.includes('--help') && !argv.includes('-h')) return undefined;
  const [noun, verb] = argv.filter((a) => !a.startsWith('-'));
  const command = findCommand(noun, verb);
  if (command) {
    return [
      `usage: npm run admin -- ${command.usage} [--json]`, '',
      command.description, '',
      `example: npm run admin -- ${command.example}`, '',
      ...FOOTER,
    ].join('\n');
  }
  const ofNoun = COMMANDS.filter((c) => c.name.startsWith(`${noun} `));
  return [HEADER, ...(ofNoun.length > 0 ? ofNoun : COMMANDS).map(summaryLine), '', ...FOOTER].join('\n');
}

function findCommand(noun: string | undefined, verb: string | undefined): Command | undefined {
  const name = `${noun} ${verb}`;
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

function parse(argv: readonly string[]): { command: Command; values: Values } {
  const { positionals, values } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  const command = findCommand(positionals[0], positionals[1]);
  if (!command) throw new UsageError(`unknown command: ${positionals.join(' ') || '(none)'}`);
  return { command, values };
}

export function toCall(argv: string[]): Call {
  const { command, values } = parse(argv);
  return command.toCall(values);
}

/** What the CLI prints for an answer: the command's table, the error, or (--json) the JSON as it came. */
export function output(argv: string[], status: number, answer: unknown): { stream: 'stdout' | 'stderr'; text: string } {
  const { command, values } = parse(argv);
  const failed = status >= 400;
  if (values.json || typeof answer !== 'object' || answer === null) {
    return { stream: failed ? 'stderr' : 'stdout', text: typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2) };
  }
  return failed ? { stream: 'stderr', text: errorView(status, answer) } : { stream: 'stdout', text: command.show(answer as Answer, values) };
}

/** PLATFORM_URL, else local mode's admin API on PLATFORM_PORT (as `npm start` reads it), else port 3001. */
export function platformUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLATFORM_URL) return env.PLATFORM_URL;
  const port = env.PLATFORM_PORT || '3001';
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new UsageError(`PLATFORM_PORT must be a port number (1-65535), got "${port}"`);
  return `http://127.0.0.1:${port}`;
}

function isLocal(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

async function signedHeaders(url: URL, call: Call, body: string | undefined): Promise<Record<string, string>> {
  const region = /execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: fromNodeProviderChain(), sha256: Sha256 });
  const signed = await signer.sign({
    method: call.method, protocol: url.protocol, hostname: url.hostname, path: url.pathname,
    query: Object.fromEntries(url.searchParams), headers: { host: url.host, 'content-type': 'application/json' }, body,
  });
  return signed.headers as Record<string, string>;
}

export async function run(argv: string[], baseUrl = platformUrl()): Promise<{ status: number; body: unknown }> {
  const call = toCall(argv);
  const url = new URL(baseUrl.replace(/\/$/, '') + call.path);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers = isLocal(url) ? { 'content-type': 'application/json' } : await signedHeaders(url, call, body);
  const response = await fetch(url, { method: call.method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON: print as is */ }
  return { status: response.status, body: parsed };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const help = helpFor(argv);
  if (help !== undefined) {
    console.log(help);
    process.exit(0);
  }
  run(argv).then(
    ({ status, body }) => {
      const { stream, text } = output(argv, status, body);
      (stream === 'stdout' ? console.log : console.error)(text);
      process.exit(status >= 400 ? 1 : 0);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${helpFor([...argv, '--help'])}`);
        process.exit(2);
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      console.error(cause === 'ECONNREFUSED'
        ? `cannot reach the platform admin API at ${platformUrl()}: is \`npm start\` running? (set PLATFORM_URL, or PLATFORM_PORT if local mode runs on another port)`
        : `admin CLI failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
