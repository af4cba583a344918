import type { DomainRecord } from '../../lambdas/relay/store/domain-store';
import { AwsUnavailableError, RoleNotAssumableError, SesPermissionDeniedError } from '../../lambdas/relay/customer-account/errors';
import { canSend, dnsRecords, domainState, presentDomain } from '../../lambdas/relay/onboarding/domain-records';
import { MAX_DOMAINS_PER_TENANT, SendingDomains } from '../../lambdas/relay/onboarding/domains';
import { FakeAccounts, FakeConfigs, FakeDomains, NOW, RELAY_ACCOUNT, TENANT, configFixture } from './onboarding-fakes';
import { VirtualClock } from '../../local/virtual-clock';

const record = (overrides: Partial<DomainRecord> = {}): DomainRecord => ({
  tenant_id: TENANT, domain: 'acme.com', region: 'eu-west-1', verification_token: 'TOKEN=', dkim_tokens: ['aaa', 'bbb', 'ccc'],
  mail_from_domain: 'send.acme.com', ownership_status: 'Pending', dkim_status: 'Pending', mail_from_status: 'Pending',
  created_at: NOW.toISOString(), checked_at: null, ...overrides,
});

describe('record table', () => {
  test('the spec table, in order, with each record kind\'s status and the identity\'s region', () => {
    expect(dnsRecords(record({ region: 'us-west-2', ownership_status: 'Success', dkim_status: 'Failed', mail_from_status: 'TemporaryFailure' }))).toEqual([
      { id: 'ownership', type: 'TXT', name: '_amazonses.acme.com', value: 'TOKEN=', status: 'Success', required: true },
      { id: 'dkim1', type: 'CNAME', name: 'aaa._domainkey.acme.com', value: 'aaa.dkim.amazonses.com', status: 'Failed', required: true },
      { id: 'dkim2', type: 'CNAME', name: 'bbb._domainkey.acme.com', value: 'bbb.dkim.amazonses.com', status: 'Failed', required: true },
      { id: 'dkim3', type: 'CNAME', name: 'ccc._domainkey.acme.com', value: 'ccc.dkim.amazonses.com', status: 'Failed', required: true },
      { id: 'mail_from_mx', type: 'MX', name: 'send.acme.com', value: '10 feedback-smtp.us-west-2.amazonses.com', priority: 10, exchange: 'feedback-smtp.us-west-2.amazonses.com', status: 'TemporaryFailure', required: true },
      { id: 'mail_from_spf', type: 'TXT', name: 'send.acme.com', value: 'v=spf1 include:amazonses.com ~all', status: 'TemporaryFailure', required: true },
      { id: 'dmarc', type: 'TXT', name: '_dmarc.acme.com', value: 'v=DMARC1; p=none;', status: 'NotChecked', required: false },
    ]);
  });

  test.each([
    [{ ownership_status: 'Success', dkim_status: 'Success', mail_from_status: 'Pending' }, 'verified', true],
    [{ ownership_status: 'Success', dkim_status: 'Pending' }, 'pending', false],
    [{ ownership_status: 'Pending', dkim_status: 'Success' }, 'pending', false],
    [{ ownership_status: 'TemporaryFailure', dkim_status: 'Success' }, 'pending', false],
    [{ ownership_status: 'Failed', dkim_status: 'Success' }, 'failed', false],
    [{ ownership_status: 'Success', dkim_status: 'NotStarted' }, 'failed', false],
  ] as const)('%j → %s, can_send %s (MAIL FROM does not gate sending)', (statuses, state, send) => {
    expect(domainState(record(statuses))).toBe(state);
    expect(canSend(record(statuses))).toBe(send);
  });

  test('the domain view carries no tenant id or internal keys', () => {
    const view = presentDomain(record());
    expect(Object.keys(view).sort()).toEqual(['can_send', 'checked_at', 'created_at', 'domain', 'records', 'region', 'status', 'statuses', 'success']);
  });
});

describe('SendingDomains', () => {
  let configs: FakeConfigs;
  let domains: FakeDomains;
  let accounts: FakeAccounts;
  let service: SendingDomains;

  beforeEach(() => {
    configs = new FakeConfigs(configFixture());
    domains = new FakeDomains();
    accounts = new FakeAccounts();
    service = new SendingDomains({ configs, domains, accounts, relayAccountId: RELAY_ACCOUNT, clock: new VirtualClock({ start: NOW.getTime() }) });
  });

  test('add: creates the identity in the config\'s region, stores it Pending, 201; again → same record, no SES call', async () => {
    const first = await service.add(TENANT, 'acme.com');
    expect(first.created).toBe(true);
    expect(first.record).toMatchObject({ domain: 'acme.com', region: 'eu-west-1', verification_token: 'tok', dkim_tokens: ['d1', 'd2', 'd3'], mail_from_domain: 'send.acme.com', ownership_status: 'Pending', dkim_status: 'Pending', mail_from_status: 'Pending' });
    expect(domains.records.get('acme.com')).toEqual(first.record);
    expect(accounts.calls).toEqual(['createDomainIdentity']);
    const again = await service.add(TENANT, 'acme.com');
    expect(again).toEqual({ record: first.record, created: false });
    expect(accounts.calls).toEqual(['createDomainIdentity']);
  });

  test.each([
    ['no config', undefined, /PUT \/api\/byoc\/config/],
    ['pending validation', configFixture({ status: 'pending_validation' }), /run POST \/api\/byoc\/validate/],
    ['invalid', configFixture({ status: 'invalid' }), /fix what POST \/api\/byoc\/validate reported/],
  ])('add before validation (%s) → 403 byoc_not_validated, SES untouched', async (_name, config, detail) => {
    configs.config = config;
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'byoc_not_validated', detail: expect.stringMatching(detail) } });
    expect(accounts.targets).toEqual([]);
  });

  test.each(['Failed', 'NotStarted'] as const)('add of a domain whose ownership is %s sets it up in SES again (200, Pending)', async (status) => {
    await domains.put(record({ ownership_status: status, dkim_status: 'Success', checked_at: NOW.toISOString() }));
    const again = await service.add(TENANT, 'acme.com');
    expect(again.created).toBe(false);
    expect(again.record).toMatchObject({ ownership_status: 'Pending', dkim_status: 'Pending', verification_token: 'tok', created_at: NOW.toISOString(), checked_at: null });
    expect(accounts.calls).toEqual(['createDomainIdentity']);
  });

  test('add after the config moved to another region → 409 telling to delete and add again', async () => {
    await domains.put(record({ region: 'us-east-1' }));
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'conflict', detail: expect.stringMatching(/set up in us-east-1.*now uses eu-west-1/) } });
  });

  test(`at most ${MAX_DOMAINS_PER_TENANT} domains`, async () => {
    for (let i = 0; i < MAX_DOMAINS_PER_TENANT; i++) await domains.put(record({ domain: `d${i}.com` }));
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'conflict', detail: expect.stringMatching(/20 sending domains/) } });
    expect(accounts.targets).toEqual([]);
  });

  test('add: a refused SES call stores nothing, gives the slot back and names the missing permission', async () => {
    accounts.failures.set('createDomainIdentity', new SesPermissionDeniedError('ses:SetIdentityMailFromDomain'));
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'missing_permission', detail: expect.stringMatching(/ses:SetIdentityMailFromDomain/) } });
    expect(domains.records.size).toBe(0);
    expect(domains.slots.size).toBe(0);
  });

  test('a failed set-up of a domain that is already stored keeps its slot', async () => {
    await domains.put(record({ ownership_status: 'Failed' }));
    accounts.failures.set('createDomainIdentity', new SesPermissionDeniedError('ses:VerifyDomainIdentity'));
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'missing_permission' } });
    expect([...domains.slots]).toEqual(['acme.com']);
  });

  test('the cap counts slots: a slot held by an add in flight (or one that died) blocks the 21st domain; re-adding a domain is not counted twice', async () => {
    for (let i = 0; i < MAX_DOMAINS_PER_TENANT - 1; i++) await domains.put(record({ domain: `d${i}.com` }));
    await domains.reserveSlot(TENANT, 'in-flight.com', MAX_DOMAINS_PER_TENANT);
    await expect(service.add(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code: 'conflict' } });
    await expect(service.add(TENANT, 'd0.com')).resolves.toMatchObject({ created: false });
    await expect(service.remove(TENANT, 'in-flight.com')).rejects.toMatchObject({ refusal: { code: 'not_found' } });
    await expect(service.add(TENANT, 'acme.com')).resolves.toMatchObject({ created: true });
    expect(domains.slots.size).toBe(MAX_DOMAINS_PER_TENANT);
  });

  test('verify: asks SES only for the kinds requested, in the identity\'s region, and stores them', async () => {
    await domains.put(record({ region: 'us-east-1' }));
    configs.config = configFixture({ region: 'eu-west-1' });
    const updated = await service.verify(TENANT, 'acme.com', ['dkim']);
    expect(updated).toMatchObject({ ownership_status: 'Pending', dkim_status: 'Success', mail_from_status: 'Pending', checked_at: NOW.toISOString() });
    expect(accounts.targets[0]).toMatchObject({ region: 'us-east-1', fresh: false });
    const all = await service.verify(TENANT, 'acme.com', ['ownership', 'dkim', 'mail_from']);
    expect(canSend(all)).toBe(true);
  });

  test('verify, get and delete of an unknown domain → 404 not_found, SES untouched', async () => {
    await expect(service.verify(TENANT, 'nope.com', ['dkim'])).rejects.toMatchObject({ refusal: { code: 'not_found' } });
    await expect(service.get(TENANT, 'nope.com')).rejects.toMatchObject({ refusal: { code: 'not_found' } });
    await expect(service.remove(TENANT, 'nope.com')).rejects.toMatchObject({ refusal: { code: 'not_found' } });
    expect(accounts.targets).toEqual([]);
  });

  test('remove: DeleteIdentity first, then the record and its slot', async () => {
    await domains.put(record());
    await service.remove(TENANT, 'acme.com');
    expect(accounts.calls).toEqual(['deleteIdentity']);
    expect(domains.records.size).toBe(0);
    expect(domains.slots.size).toBe(0);
  });

  test.each([
    ['AccessDenied', () => accounts.failures.set('deleteIdentity', new SesPermissionDeniedError('ses:DeleteIdentity')), 'missing_permission', 422],
    ['SES unavailable', () => accounts.failures.set('deleteIdentity', new AwsUnavailableError('ses', 'DeleteIdentity', 'ServiceUnavailable')), 'ses_unavailable', 502],
    ['role refused', () => { accounts.openFailure = new RoleNotAssumableError('AccessDenied'); }, 'could_not_assume_role', 403],
  ])('remove when %s → the domain is kept and the error says so', async (_name, arrange, code, status) => {
    await domains.put(record());
    arrange();
    await expect(service.remove(TENANT, 'acme.com')).rejects.toMatchObject({ refusal: { code, detail: expect.stringMatching(/was not deleted/) } });
    expect(domains.records.has('acme.com')).toBe(true);
  });
});
