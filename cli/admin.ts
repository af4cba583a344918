/**
 * Operator CLI for the platform admin API. Prints the API's JSON answer; exits 1 on an error answer.
 * Against local mode (default http://127.0.0.1:3001) it sends plain requests; against AWS it signs
 * each request with SigV4 (the admin API is IAM-authorised) using the usual AWS credential chain.
 *
 *   npm run admin -- tenant create --plan starter [--name "Acme"]
 *   npm run admin -- tenant show --tenant <id>        (also: tenant get)
 *   npm run admin -- --help | <noun> --help | <noun> <verb> --help
 *   npm run admin -- tenant update --tenant <id> [--plan byoc] [--rate 120]
 *   npm run admin -- tenant suspend|reactivate|publish --tenant <id>
 *   npm run admin -- key create --tenant <id> [--expires 2027-01-31T00:00:00Z]
 *   npm run admin -- key list --tenant <id>
 *   npm run admin -- key revoke --tenant <id> --key <key id>
 */
import '../local/node-version-notice';
import { parseArgs } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

const USAGE = `usage: npm run admin -- <tenant|key> <command> [options]
  tenant create --plan starter|byoc [--name NAME]
  tenant show --tenant ID               (also: tenant get)
  tenant update --tenant ID [--plan starter|byoc] [--rate SENDS_PER_MINUTE] [--name NAME]
  tenant suspend --tenant ID
  tenant reactivate --tenant ID
  tenant publish --tenant ID            (send the current snapshot to the relay again)
  key create --tenant ID [--expires ISO_DATE_TIME]
  key list --tenant ID
  key revoke --tenant ID --key KEY_ID
environment: PLATFORM_URL (default http://127.0.0.1:3001); AWS credentials when it is not local`;

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

class UsageError extends Error {}

/**
 * `--help` (or `-h`) anywhere: the usage of the command named before it, or all of it. Printed on
 * stdout with exit code 0; undefined when help was not asked for.
 */
export function helpFor(argv: readonly string[]): string | undefined {
  if (!argv.includes('--help') && !argv.includes('-h')) return undefined;
  const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ');
  const [header, ...lines] = USAGE.split('\n');
  const commandLines = lines.filter((line) => line.startsWith('  ') && !line.startsWith('environment'));
  const matching = words ? commandLines.filter((line) => line.trimStart().startsWith(words)) : [];
  const footer = lines.filter((line) => line.startsWith('environment'));
  return [header, ...(matching.length > 0 ? matching : commandLines), ...footer].join('\n');
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return encodeURIComponent(value);
}

export function toCall(argv: string[]): Call {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      plan: { type: 'string' }, name: { type: 'string' }, tenant: { type: 'string' }, key: { type: 'string' },
      rate: { type: 'string' }, expires: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb] = positionals;
  const tenant = () => need(values.tenant, 'tenant');
  switch (`${noun} ${verb}`) {
    case 'tenant create':
      return { method: 'POST', path: '/admin/tenants', body: { plan: values.plan, ...(values.name ? { name: values.name } : {}) } };
    case 'tenant show':
    case 'tenant get':
      return { method: 'GET', path: `/admin/tenants/${tenant()}` };
    case 'tenant update': {
      const body: Record<string, unknown> = {};
      if (values.plan) body.plan = values.plan;
      if (values.name) body.name = values.name;
      if (values.rate) body.sends_per_minute = Number(values.rate);
      return { method: 'PATCH', path: `/admin/tenants/${tenant()}`, body };
    }
    case 'tenant suspend':
      return { method: 'PATCH', path: `/admin/tenants/${tenant()}`, body: { status: 'suspended' } };
    case 'tenant reactivate':
      return { method: 'PATCH', path: `/admin/tenants/${tenant()}`, body: { status: 'active' } };
    case 'tenant publish':
      return { method: 'POST', path: `/admin/tenants/${tenant()}/publish` };
    case 'key create':
      return { method: 'POST', path: `/admin/tenants/${tenant()}/keys`, body: values.expires ? { expires_at: values.expires } : {} };
    case 'key list':
      return { method: 'GET', path: `/admin/tenants/${tenant()}/keys` };
    case 'key revoke':
      return { method: 'DELETE', path: `/admin/tenants/${tenant()}/keys/${need(values.key, 'key')}` };
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ') || '(none)'}`);
  }
}

function isLocal(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

async function signedHeaders(url: URL, call: Call, body: string | undefined): Promise<Record<string, string>> {
  const region = /execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: fromNodeProviderChain(), sha256: Sha256 });
  const signed = await signer.sign({
    method: call.method, protocol: url.protocol, hostname: url.hostname, path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' }, body,
  });
  return signed.headers as Record<string, string>;
}

export async function run(argv: string[], baseUrl = process.env.PLATFORM_URL ?? 'http://127.0.0.1:3001'): Promise<{ status: number; body: unknown }> {
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
  const help = helpFor(process.argv.slice(2));
  if (help !== undefined) {
    console.log(help);
    process.exit(0);
  }
  run(process.argv.slice(2)).then(
    ({ status, body }) => {
      console.log(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
      process.exit(status >= 400 ? 1 : 0);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${USAGE}`);
        process.exit(2);
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      console.error(cause === 'ECONNREFUSED'
        ? `cannot reach the platform admin API at ${process.env.PLATFORM_URL ?? 'http://127.0.0.1:3001'}: is \`npm start\` running? (set PLATFORM_URL otherwise)`
        : `admin CLI failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
