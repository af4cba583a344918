/** The webhook URL guard: https to public addresses only, judged on what names resolve to. */
import { checkWebhookUrl, nonPublicKind, WebhookUrlRefusedError, type AddressResolver } from '../../lambdas/relay/webhooks/url-guard';

/** A resolver answering from a table (unknown names do not resolve). */
const resolverOf = (table: Record<string, string[]>): AddressResolver => ({
  resolve: async (host) => (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
});
const dns = resolverOf({
  'hooks.example.com': ['93.184.215.14'],
  'internal.example.com': ['10.1.2.3'],
  'mixed.example.com': ['93.184.215.14', '192.168.1.10'],
  'metadata.example.com': ['169.254.169.254'],
  'v6.example.com': ['2606:4700::6810:84e5'],
  'v6-private.example.com': ['fd00::1'],
  localhost: ['127.0.0.1', '::1'],
});

const refusal = async (url: string, local = false): Promise<string> => {
  try {
    await checkWebhookUrl(url, dns, { allowLoopbackHttp: local });
  } catch (error) {
    if (error instanceof WebhookUrlRefusedError) return error.reason;
    throw error;
  }
  throw new Error(`${url} was accepted`);
};

test.each([
  ['http://169.254.169.254/', 'must use https'],
  ['https://169.254.169.254/latest/meta-data/', 'link-local (instance metadata)'],
  ['https://10.0.0.1/', 'private'],
  ['https://[::1]/', 'loopback'],
  ['https://internal.example.com/hook', 'resolves to a private address (10.1.2.3)'],
  ['https://mixed.example.com/hook', 'resolves to a private address (192.168.1.10)'],
  ['https://metadata.example.com/', 'link-local (instance metadata)'],
  ['https://localhost/', 'loopback'],
  ['https://v6-private.example.com/', 'unique-local'],
  ['https://[::ffff:10.0.0.1]/', 'IPv4-mapped private'],
  ['https://[::ffff:169.254.169.254]/', 'IPv4-mapped link-local'],
  ['https://[fe80::1]/', 'link-local'],
  ['https://[2002:a00:1::]/', '6to4 private'],
  ['https://0.0.0.0/', '"this network"'],
  ['https://100.64.1.1/', 'shared (carrier-grade NAT)'],
  ['https://172.31.255.255/', 'private'],
  ['https://224.0.0.1/', 'multicast'],
  ['https://255.255.255.255/', 'reserved'],
  ['https://[ff02::1]/', 'multicast'],
  ['https://[::]/', 'unspecified'],
  ['https://2130706433/', 'loopback'], // the URL parser reads a decimal host as 127.0.0.1
  ['https://0x7f.1/', 'loopback'],
  ['https://nowhere.example.com/', 'does not resolve'],
  ['ftp://hooks.example.com/', 'must use https'],
  ['hooks.example.com/webhooks', 'not an absolute URL'],
  ['https://user:pw@hooks.example.com/', 'user name or password'],
  ['http://127.0.0.1:8080/hook', 'must use https'], // not in AWS
])('refuses %s', async (url, reason) => {
  expect(await refusal(url)).toContain(reason);
});

test('accepts https to public addresses and pins the connection to the checked address', async () => {
  const target = await checkWebhookUrl('https://hooks.example.com/in?token=abc', dns);
  expect(target).toMatchObject({ host: 'hooks.example.com', address: '93.184.215.14', family: 4 });
  expect(await checkWebhookUrl('https://v6.example.com:8443/', dns)).toMatchObject({ address: '2606:4700::6810:84e5', family: 6 });
  expect(await checkWebhookUrl('https://[2606:4700::6810:84e5]/', dns)).toMatchObject({ host: '2606:4700::6810:84e5', family: 6 });
  expect(await checkWebhookUrl('https://8.8.8.8/', dns)).toMatchObject({ address: '8.8.8.8' });
});

test('local mode allows http://127.0.0.1:<port> only', async () => {
  expect(await checkWebhookUrl('http://127.0.0.1:9000/hook', dns, { allowLoopbackHttp: true })).toMatchObject({ address: '127.0.0.1' });
  expect(await refusal('http://localhost:9000/hook', true)).toContain('http://127.0.0.1:<port>');
  expect(await refusal('http://127.0.0.1/hook', true)).toContain('http://127.0.0.1:<port>');
  expect(await refusal('http://10.0.0.1:80/', true)).toContain('http://127.0.0.1:<port>');
  // https in local mode still goes through the public-address rule
  expect(await refusal('https://127.0.0.1:9000/', true)).toContain('loopback');
});

test('address classes at the edges of the ranges', () => {
  expect(nonPublicKind('172.15.255.255')).toBeUndefined();
  expect(nonPublicKind('172.32.0.0')).toBeUndefined();
  expect(nonPublicKind('100.63.255.255')).toBeUndefined();
  expect(nonPublicKind('100.128.0.0')).toBeUndefined();
  expect(nonPublicKind('169.253.255.255')).toBeUndefined();
  expect(nonPublicKind('223.255.255.255')).toBeUndefined();
  expect(nonPublicKind('::ffff:8.8.8.8')).toBeUndefined();
  expect(nonPublicKind('::ffff:7f00:1')).toBe('IPv4-mapped loopback');
  expect(nonPublicKind('2001:db8::1')).toBe('documentation');
  expect(nonPublicKind('2001::1')).toBe('Teredo');
  expect(nonPublicKind('64:ff9b::a00:1')).toBe('non-global IPv6');
});
