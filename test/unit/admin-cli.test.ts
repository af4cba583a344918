import { toCall } from '../../cli/admin';

test.each([
  [['tenant', 'create', '--plan', 'starter'], { method: 'POST', path: '/admin/tenants', body: { plan: 'starter' } }],
  [['tenant', 'suspend', '--tenant', 'ten_1'], { method: 'PATCH', path: '/admin/tenants/ten_1', body: { status: 'suspended' } }],
  [['tenant', 'update', '--tenant', 'ten_1', '--rate', '120'], { method: 'PATCH', path: '/admin/tenants/ten_1', body: { sends_per_minute: 120 } }],
  [['key', 'create', '--tenant', 'ten_1', '--expires', '2027-01-01T00:00:00Z'], { method: 'POST', path: '/admin/tenants/ten_1/keys', body: { expires_at: '2027-01-01T00:00:00Z' } }],
  [['key', 'revoke', '--tenant', 'ten_1', '--key', 'key_2'], { method: 'DELETE', path: '/admin/tenants/ten_1/keys/key_2' }],
])('%j', (argv, expected) => expect(toCall(argv)).toEqual(expected));

test('path segments are encoded; missing flags and unknown commands are usage errors', () => {
  expect(toCall(['tenant', 'get', '--tenant', '../x']).path).toBe('/admin/tenants/..%2Fx');
  expect(() => toCall(['key', 'revoke', '--tenant', 't'])).toThrow('missing --key');
  expect(() => toCall(['tenant', 'explode'])).toThrow('unknown command');
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
});
