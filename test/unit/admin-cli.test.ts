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
