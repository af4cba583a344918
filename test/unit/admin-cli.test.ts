import { COMMANDS, errorView, helpFor, output, parseDuration, platformUrl, table, toCall } from '../../cli/admin';

test.each([
  [['tenant', 'create', '--plan', 'starter'], { method: 'POST', path: '/admin/tenants', body: { plan: 'starter' } }],
  [['tenant', 'suspend', '--tenant', 'ten_1'], { method: 'PATCH', path: '/admin/tenants/ten_1', body: { status: 'suspended' } }],
  [['tenant', 'update', '--tenant', 'ten_1', '--rate', '120'], { method: 'PATCH', path: '/admin/tenants/ten_1', body: { sends_per_minute: 120 } }],
  [['key', 'create', '--tenant', 'ten_1', '--expires', '2027-01-01T00:00:00Z'], { method: 'POST', path: '/admin/tenants/ten_1/keys', body: { expires_at: '2027-01-01T00:00:00Z' } }],
  [['key', 'create', '--tenant', 'ten_1', '--name', 'web app', '--scope', 'sending_access', '--domain', 'acme.com', '--domain', 'acme.org'],
    { method: 'POST', path: '/admin/tenants/ten_1/keys', body: { name: 'web app', scope: 'sending_access', domains: ['acme.com', 'acme.org'] } }],
  [['key', 'create', '--tenant', 'ten_1'], { method: 'POST', path: '/admin/tenants/ten_1/keys', body: {} }],
  [['key', 'revoke', '--tenant', 'ten_1', '--key', 'key_2'], { method: 'DELETE', path: '/admin/tenants/ten_1/keys/key_2' }],
  [['tenant', 'list'], { method: 'GET', path: '/admin/tenants' }],
  [['tenant', 'list', '--limit', '20', '--cursor', 'eyJh+/='], { method: 'GET', path: '/admin/tenants?limit=20&cursor=eyJh%2B%2F%3D' }],
  [['tenant', 'delete', '--tenant', 'ten_1'], { method: 'DELETE', path: '/admin/tenants/ten_1' }],
  [['key', 'rotate', '--tenant', 'ten_1', '--key', 'key_2'], { method: 'POST', path: '/admin/tenants/ten_1/keys/key_2/rotate', body: {} }],
  [['key', 'rotate', '--tenant', 'ten_1', '--key', 'key_2', '--overlap', '90m', '--expires', '2027-01-01T00:00:00Z'],
    { method: 'POST', path: '/admin/tenants/ten_1/keys/key_2/rotate', body: { overlap_seconds: 5400, expires_at: '2027-01-01T00:00:00Z' } }],
  [['tenant', 'show', '--tenant', 'ten_1', '--json'], { method: 'GET', path: '/admin/tenants/ten_1' }],
])('%j', (argv, expected) => expect(toCall(argv)).toEqual(expected));

test('path segments are encoded; missing flags and unknown commands are usage errors', () => {
  expect(toCall(['tenant', 'get', '--tenant', '../x']).path).toBe('/admin/tenants/..%2Fx');
  expect(() => toCall(['key', 'revoke', '--tenant', 't'])).toThrow('missing --key');
  expect(() => toCall(['tenant', 'explode'])).toThrow('unknown command');
  expect(() => toCall(['key', 'rotate', '--tenant', 't'])).toThrow('missing --key');
});

test('--overlap takes 0 or a whole number of s, m, h or d', () => {
  expect([parseDuration('0'), parseDuration('45s'), parseDuration('30m'), parseDuration('24h'), parseDuration('7d')]).toEqual([0, 45, 1800, 86_400, 604_800]);
  for (const bad of ['', '24', '1.5h', '-1h', '1w', 'h', '1h30m']) expect(() => parseDuration(bad)).toThrow('--overlap must be a duration such as 30m, 24h or 7d');
});

describe('where the admin API is', () => {
  test('PLATFORM_URL wins; else local mode on PLATFORM_PORT; else port 3001', () => {
    expect(platformUrl({ PLATFORM_URL: 'https://x.execute-api.eu-west-1.amazonaws.com/v1/', PLATFORM_PORT: '4001' })).toBe('https://x.execute-api.eu-west-1.amazonaws.com/v1/');
    expect(platformUrl({ PLATFORM_PORT: '4001' })).toBe('http://127.0.0.1:4001');
    expect(platformUrl({})).toBe('http://127.0.0.1:3001');
    expect(platformUrl({ PLATFORM_URL: '', PLATFORM_PORT: '' })).toBe('http://127.0.0.1:3001');
    expect(() => platformUrl({ PLATFORM_PORT: 'abc' })).toThrow('PLATFORM_PORT must be a port number (1-65535), got "abc"');
  });
});

describe('output', () => {
  const tenant = {
    tenant_id: 'ten_0123456789abcdef0123', name: null, plan: 'byoc', status: 'active', limits: { sends_per_minute: 60, monthly_sends: null }, version: 3, updated_at: '2026-01-01T00:00:00.000Z',
    api_keys: [
      { key_id: 'key_0123456789abcdef', prefix: 'sf_AbCdEf12', status: 'active', expires_at: null, name: 'web', scope: 'sending_access', domains: ['acme.com', 'acme.org'] },
      // As a key from before scopes is answered by an older API: no scope, no name.
      { key_id: 'key_fedcba9876543210', prefix: 'sf_Zz', status: 'revoked', expires_at: '2027-01-01T00:00:00Z' },
    ],
  };

  test('columns are padded to the widest cell, two spaces apart, without trailing spaces', () => {
    expect(table(['A', 'LONGER'], [['wide cell', 'x'], ['y', '']])).toBe('A          LONGER\nwide cell  x\ny');
    expect(table([], [['k', 'v'], ['key', 'value']])).toBe('k    v\nkey  value');
  });

  test('a tenant as fields and a table of its keys; --json prints the answer as it came', () => {
    const printed = output(['tenant', 'show', '--tenant', tenant.tenant_id], 200, { success: true, tenant });
    expect(printed.stream).toBe('stdout');
    expect(printed.text).toBe([
      'tenant   ten_0123456789abcdef0123',
      'name     -',
      'plan     byoc',
      'status   active',
      'limits   60 sends/min per key; month not counted',
      'version  3 (updated 2026-01-01T00:00:00.000Z)',
      '',
      'KEY                   PREFIX       STATUS   SCOPE                                NAME  EXPIRES',
      'key_0123456789abcdef  sf_AbCdEf12  active   sending_access (acme.com, acme.org)  web   never',
      'key_fedcba9876543210  sf_Zz        revoked  full_access                          -     2027-01-01T00:00:00Z',
    ].join('\n'));
    const json = output(['tenant', 'show', '--tenant', tenant.tenant_id, '--json'], 200, { success: true, tenant });
    expect(JSON.parse(json.text)).toEqual({ success: true, tenant });
  });

  test('a new key with its secret and the warning that it is shown once', () => {
    const text = output(['key', 'create', '--tenant', 't'], 201, { success: true, key_id: 'key_1', api_key: 'sf_secret', prefix: 'sf_secre', expires_at: null, name: 'web', scope: 'sending_access', domains: ['acme.com'] }).text;
    expect(text).toContain('api_key  sf_secret');
    expect(text).toContain('name     web');
    expect(text).toContain('scope    sending_access (acme.com)');
    expect(text).toContain('expires  never');
    expect(text).toContain('shown exactly once');
  });

  test('the last page of tenants says so; an empty list says so', () => {
    const page = { success: true, tenants: [{ ...tenant, api_keys: undefined }], next_cursor: null };
    const text = output(['tenant', 'list'], 200, page).text;
    expect(text.split('\n')[1]).toMatch(/^ten_0123456789abcdef0123\s+-\s+byoc\s+active\s+60\s+-\s+3\s+2026-01-01T00:00:00.000Z$/);
    expect(text).toContain('1 tenant; end of the list');
    expect(output(['tenant', 'list'], 200, { success: true, tenants: [], next_cursor: null }).text).toBe('no tenants\n\n0 tenants; end of the list');
  });

  test('errors go to stderr with code, status, detail and each issue; --json keeps the body', () => {
    const body = { success: false, error: 'invalid_request', detail: 'The query string is invalid: limit must be a whole number from 1 to 100.', issues: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }] };
    expect(output(['tenant', 'list', '--limit', '0'], 400, body)).toEqual({
      stream: 'stderr',
      text: 'error: invalid_request (HTTP 400): The query string is invalid: limit must be a whole number from 1 to 100.\n  limit: must be a whole number from 1 to 100',
    });
    expect(output(['tenant', 'list', '--json'], 400, body)).toEqual({ stream: 'stderr', text: JSON.stringify(body, null, 2) });
    expect(errorView(403, { message: 'Missing Authentication Token' })).toBe('error: Missing Authentication Token (HTTP 403)');
  });
});

describe('--help', () => {
  test('alone: the whole usage, every command', async () => {
    const { helpFor } = await import('../../cli/admin');
    const help = helpFor(['--help'])!;
    for (const command of ['tenant create', 'tenant show', 'tenant update', 'key create', 'key list', 'key revoke']) expect(help).toContain(command);
    expect(help).toContain('PLATFORM_URL');
  });

  test('after a command: that command only; -h works too; no help flag, no help', async () => {
    const { helpFor } = await import('../../cli/admin');
    const keyRevoke = helpFor(['key', 'revoke', '--help'])!;
    expect(keyRevoke).toContain('key revoke --tenant ID --key KEY_ID');
    expect(keyRevoke).not.toContain('tenant create');
    expect(helpFor(['tenant', '-h'])).toContain('tenant suspend');
    expect(helpFor(['tenant', '-h'])).not.toContain('key create');
    expect(helpFor(['tenant', 'show', '--tenant', 'ten_1'])).toBeUndefined();
  });

  test('the CLI prints it and exits 0 without calling the API', () => {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const root = require('node:path').resolve(__dirname, '..', '..') as string;
    // An unreachable PLATFORM_URL: a call would fail with exit code 1.
    const out = execFileSync(process.execPath, [`${root}/node_modules/tsx/dist/cli.mjs`, 'cli/admin.ts', 'key', 'list', '--help'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, PLATFORM_URL: 'http://127.0.0.1:9' },
    });
    expect(out).toContain('key list --tenant ID');
  });

  test('tenant show reads one tenant', () => {
    expect(toCall(['tenant', 'show', '--tenant', 'ten_1'])).toEqual({ method: 'GET', path: '/admin/tenants/ten_1' });
  });

  test('every command has its own help: usage, a description and an example that parses', () => {
    for (const command of COMMANDS) {
      const help = helpFor([...command.name.split(' '), '--help'])!;
      expect(help.split('\n')[0]).toBe(`usage: npm run admin -- ${command.usage} [--json]`);
      expect(help).toContain(command.description);
      expect(command.description.length).toBeGreaterThan(30);
      expect(help).toContain(`example: npm run admin -- ${command.example}`);
      expect(help).toContain('PLATFORM_PORT');
      // The example is a command the CLI accepts.
      const argv = command.example.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
      expect(() => toCall(argv)).not.toThrow();
    }
  });

  test('tenant list --help: what it does, paging, an example', () => {
    const help = helpFor(['tenant', 'list', '--help'])!;
    expect(help).toContain('usage: npm run admin -- tenant list [--limit N] [--cursor CURSOR] [--json]');
    expect(help).toContain('a page at a time (default 50, at most 100 per page)');
    expect(help).toContain('example: npm run admin -- tenant list --limit 20');
    expect(help).not.toContain('tenant create');
  });
});
