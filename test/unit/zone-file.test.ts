/**
 * The dashboard's zone-file export: the records of presentDomain as BIND lines a DNS provider
 * imports — fully-qualified names, quoted TXT strings of at most 255 octets, the MX priority.
 */
import { fullyQualified, txtStrings, zoneFile, zoneFileName } from '../../dashboard/src/zone-file';
import { presentDomain } from '../../lambdas/relay/onboarding/domain-records';
import type { DomainRecord } from '../../lambdas/relay/store/domain-store';

const stored: DomainRecord = {
  tenant_id: 't-1', domain: 'acme.com', region: 'eu-west-1', verification_token: 'PyKkJnd/SyK3SyxpTZSZOR8Qib6DSDlTAErtniA+dDk=', dkim_tokens: ['aaa', 'bbb', 'ccc'],
  mail_from_domain: 'send.acme.com', ownership_status: 'Pending', dkim_status: 'Pending', mail_from_status: 'Pending',
  created_at: '2026-12-01T10:00:00.000Z', checked_at: null,
};

test('the API\'s records of a domain, one line each, in BIND syntax', () => {
  const text = zoneFile('acme.com', presentDomain(stored).records);
  expect(text.split('\n')).toEqual([
    expect.stringMatching(/^; .*acme\.com/),
    expect.stringMatching(/^; /),
    '_amazonses.acme.com.\t3600\tIN\tTXT\t"PyKkJnd/SyK3SyxpTZSZOR8Qib6DSDlTAErtniA+dDk="',
    'aaa._domainkey.acme.com.\t3600\tIN\tCNAME\taaa.dkim.amazonses.com.',
    'bbb._domainkey.acme.com.\t3600\tIN\tCNAME\tbbb.dkim.amazonses.com.',
    'ccc._domainkey.acme.com.\t3600\tIN\tCNAME\tccc.dkim.amazonses.com.',
    'send.acme.com.\t3600\tIN\tMX\t10 feedback-smtp.eu-west-1.amazonses.com.',
    'send.acme.com.\t3600\tIN\tTXT\t"v=spf1 include:amazonses.com ~all"',
    '_dmarc.acme.com.\t3600\tIN\tTXT\t"v=DMARC1; p=none;"',
    '',
  ]);
  expect(zoneFileName('acme.com')).toBe('acme.com.zone');
});

test('names get one trailing dot, never two', () => {
  expect(fullyQualified('acme.com')).toBe('acme.com.');
  expect(fullyQualified('acme.com.')).toBe('acme.com.');
});

/** The contents of each "…" character-string of a TXT rdata, escapes kept. */
const quotedStrings = (text: string): string[] => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);

describe('TXT values', () => {
  test('split into quoted strings of at most 255 octets, joined back they are the value', () => {
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(600)}`;
    const text = txtStrings(value);
    const strings = quotedStrings(text);
    expect(strings.map((s) => s.length)).toEqual([255, 255, value.length - 510]);
    expect(strings.map((s) => `"${s}"`).join(' ')).toBe(text);
    expect(strings.join('')).toBe(value);
  });

  test('exactly 255 octets stay one string; an empty value is one empty string', () => {
    expect(txtStrings('x'.repeat(255))).toBe(`"${'x'.repeat(255)}"`);
    expect(txtStrings('')).toBe('""');
  });

  test('quotes and backslashes escaped; other octets as \\DDD, counted as the octets they are', () => {
    expect(txtStrings('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(txtStrings('é\t')).toBe('"\\195\\169\\009"');
    // 254 ASCII then a 2-octet character: the split falls between its octets, by octet count
    expect(quotedStrings(txtStrings(`${'x'.repeat(254)}é`))).toEqual([`${'x'.repeat(254)}\\195`, '\\169']);
  });
});

test('an MX record without a priority is refused, not given one', () => {
  expect(() => zoneFile('acme.com', [{ type: 'MX', name: 'send.acme.com', value: '10 feedback-smtp.eu-west-1.amazonses.com' }])).toThrow(/priority/);
});
