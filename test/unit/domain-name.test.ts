import { normalizeDomain, rootDomain, rootDomainFromPath } from '../../lambdas/relay/byoc/domain-name';
import { ApiError } from '../../lambdas/shared/errors';

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('accepted root domains, normalised', () => {
  test.each([
    ['acme.com', 'acme.com'],
    ['acme.co.uk', 'acme.co.uk'],
    ['  ACME.Com  ', 'acme.com'],
    ['acme.com.', 'acme.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.DE.', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    // UTS #46 mapping, as browsers do: full-width letters and the ideographic full stop
    ['ａｃｍｅ.com', 'acme.com'],
    ['acme。com', 'acme.com'],
    ['faß.de', 'xn--fa-hia.de'],
    ['a-b.io', 'a-b.io'],
    ['x'.repeat(63) + '.com', 'x'.repeat(63) + '.com'],
    // private PSL suffixes: each name below them belongs to a different party
    ['alice.github.io', 'alice.github.io'],
    ['acme.eu.org', 'acme.eu.org'],
  ])('%j → %s', (input, expected) => {
    expect(rootDomain(input)).toBe(expected);
  });
});

describe('subdomains → subdomain_not_allowed naming the root', () => {
  test.each([
    ['mail.acme.com', 'acme.com'],
    ['a.b.c.acme.co.uk', 'acme.co.uk'],
    ['WWW.Bücher.de', 'xn--bcher-kva.de'],
    ['www.alice.github.io', 'alice.github.io'],
  ])('%s', (input, root) => {
    const error = refusal(() => rootDomain(input));
    expect(error.code).toBe('subdomain_not_allowed');
    expect(error.status).toBe(422);
    expect(error.detail).toContain(`Use ${root} instead`);
  });
});

describe('invalid_domain', () => {
  test.each([
    ['public suffix co.uk', 'co.uk'],
    ['bare TLD', 'com'],
    ['private suffix itself', 'github.io'],
    ['wildcard PSL rule', 'acme.kawasaki.jp'],
    ['IPv4', '1.2.3.4'],
    ['IPv4 in hex (URL parsers turn it into 127.0.0.1)', '0x7f.1'],
    ['IPv6', '[::1]'],
    ['localhost', 'localhost'],
    ['reserved .test', 'acme.test'],
    ['reserved .local', 'acme.local'],
    ['unknown TLD', 'acme.zz'],
    ['empty', ''],
    ['blank', '   '],
    ['300 characters', `${'a'.repeat(60)}.`.repeat(4) + 'a'.repeat(55) + '.com'],
    ['a 64-character label', 'x'.repeat(64) + '.com'],
    ['over 1024 characters', 'a'.repeat(2000)],
    ['empty label', 'acme..com'],
    ['leading dot', '.acme.com'],
    ['two trailing dots', 'acme.com..'],
    ['leading hyphen', '-acme.com'],
    ['trailing hyphen', 'acme-.com'],
    ['underscore', 'a_b.com'],
    ['wildcard', '*.acme.com'],
    ['with a path (URL parsers would cut it off)', 'acme.com/x'],
    ['with a port', 'acme.com:25'],
    ['an email address', 'user@acme.com'],
    ['a URL', 'https://acme.com'],
    ['percent-encoded', '%41cme.com'],
    ['inner tab (URL parsers drop it)', 'ac\tme.com'],
    ['inner space', 'ac me.com'],
    ['NUL', 'acme.com\u0000'],
    ['right-to-left override', '\u202emoc.emca'],
    ['paragraph separator', 'acme\u2029.com'],
    ['invalid punycode', 'xn--zz.com'],
    ['single label', 'acme'],
  ])('%s', (_name, input) => {
    const error = refusal(() => rootDomain(input));
    expect(error.code).toBe('invalid_domain');
    expect(error.status).toBe(422);
  });

  test('details say how to fix it and never quote the input', () => {
    const error = refusal(() => rootDomain('<script>@evil'));
    expect(error.detail).toMatch(/root domain such as acme\.com/);
    expect(error.detail).not.toContain('script');
  });

  test('normalizeDomain alone keeps subdomains (the root rule is separate)', () => {
    expect(normalizeDomain('Mail.Acme.COM.')).toBe('mail.acme.com');
  });
});

describe('path parameter', () => {
  test('percent-encoded IDN and upper case find the stored name', () => {
    expect(rootDomainFromPath(encodeURIComponent('Bücher.de'))).toBe('xn--bcher-kva.de');
    expect(rootDomainFromPath('ACME.com')).toBe('acme.com');
  });

  test('broken percent-encoding and encoded slashes are invalid_domain, not a crash', () => {
    expect(refusal(() => rootDomainFromPath('%E0%A4%A')).code).toBe('invalid_domain');
    expect(refusal(() => rootDomainFromPath('acme.com%2F..%2Fx')).code).toBe('invalid_domain');
  });
});
