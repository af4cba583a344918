/**
 * Account state per region (sending enabled, sandbox, Max24HourSend including -1, MaxSendRate,
 * SentLast24Hours), the backward-compatible control API, and DKIM verification implying ownership.
 */
import { GetAccountSendingEnabledCommand, GetIdentityVerificationAttributesCommand, GetSendQuotaCommand, VerifyDomainDkimCommand, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import { CUSTOMER, rejectionOf, simpleEmail, simulatorHarness } from '../support/simulator-harness';

jest.setTimeout(30_000);

const h = simulatorHarness({ controlPlaneBurst: 50 }); // room for several quota reads per test; the limit has its own tests
const { sim } = h;

describe('per-region account state', () => {
  test('a region overrides sandbox, sending and rates; quota and SentLast24Hours are per region', async () => {
    h.customerAccount({ regions: { 'us-east-1': { max_24_hour_send: 200, sending_enabled: false }, 'eu-central-1': { max_send_rate: 40 } } });
    const credentials = await h.assumeRole();
    const euWest = h.sesClient(credentials);
    const usEast = h.sesClient(credentials, { region: 'us-east-1' });
    const euCentral = h.sesClient(credentials, { region: 'eu-central-1' });
    await h.verifiedDomain(euWest, 'acme.com');
    await euWest.send(simpleEmail('hello@acme.com', ['ann@example.com', 'bob@example.com']));

    expect(await euWest.send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 2 });
    expect(await usEast.send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 });
    // a region given only a rate was never moved out of the sandbox
    expect(await euCentral.send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: 200, MaxSendRate: 40 });
    expect((await euWest.send(new GetAccountSendingEnabledCommand({}))).Enabled).toBe(true);
    expect((await usEast.send(new GetAccountSendingEnabledCommand({}))).Enabled).toBe(false);

    const view = await h.control('GET', `/_sim/accounts/${CUSTOMER}`);
    expect(view.json).toMatchObject({
      // the account-wide view is what a region never moved out of the sandbox has
      sandbox: true,
      max_24_hour_send: 200,
      sent_last_24_hours: 2,
      regions: {
        'eu-west-1': { sandbox: false, sent_last_24_hours: 2 },
        'us-east-1': { sandbox: true, sending_enabled: false, max_24_hour_send: 200, max_send_rate: 1 },
        'eu-central-1': { max_send_rate: 40 },
      },
    });
  });

  test('the sandbox and a paused account apply in their region only', async () => {
    h.customerAccount({ regions: { 'us-east-1': { max_24_hour_send: 200 }, 'ap-south-1': { sending_enabled: false } } });
    const credentials = await h.assumeRole();
    const bySandbox = h.sesClient(credentials, { region: 'us-east-1' });
    const byPaused = h.sesClient(credentials, { region: 'ap-south-1' });
    const byProduction = h.sesClient(credentials);
    for (const ses of [bySandbox, byPaused, byProduction]) await h.verifiedDomain(ses, 'acme.com');

    expect((await rejectionOf(bySandbox.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).message).toMatch(/^Email address is not verified/);
    expect((await rejectionOf(byPaused.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('AccountSendingPausedException');
    await expect(byProduction.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('Max24HourSend -1 is unlimited and out of the sandbox, as SES reports it', async () => {
    const created = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, regions: { 'eu-west-1': { max_24_hour_send: -1 } } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ regions: { 'eu-west-1': { max_24_hour_send: -1, sandbox: false, max_send_rate: 14 } } });
    h.customerAccount({ max_24_hour_send: -1, max_send_rate: 1000, send_burst: 1000 });
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    expect(await ses.send(new GetSendQuotaCommand({}))).toMatchObject({ Max24HourSend: -1 });
    const fifty = Array.from({ length: 50 }, (_, i) => `r${i}@example.com`);
    for (let i = 0; i < 6; i++) await ses.send(simpleEmail('hello@acme.com', fifty)); // unverified recipients: production
    expect((await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(300);
  });

  test.each([[-2], [1.5]])('refuses Max24HourSend %p', async (value) => {
    const response = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, regions: { 'eu-west-1': { max_24_hour_send: value } } });
    expect(response).toEqual({ status: 400, json: { error: 'ValidationError', detail: expect.stringContaining('max_24_hour_send') } });
  });

  test.each([['max_24_hour_send', 50_000], ['max_send_rate', 20]])('an account-wide %s is refused: SES grants production access per region', async (name, value) => {
    const response = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, [name]: value });
    expect(response).toEqual({ status: 400, json: { error: 'ValidationError', detail: expect.stringMatching(new RegExp(`^${name} is per region in SES .*"regions":\\{"eu-west-1"`)) } });
  });

  test('an account-wide value replaces that setting in every region', async () => {
    await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, regions: { 'eu-west-1': { max_24_hour_send: 50_000, send_burst: 5, sending_enabled: false } } });
    const updated = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, send_burst: 20 });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      account_id: CUSTOMER,
      sending_enabled: true,
      send_burst: 20,
      regions: { 'eu-west-1': { max_24_hour_send: 50_000, send_burst: 20, sending_enabled: false } },
    });
    const refused = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, regions: { 'not-a-region': { max_send_rate: 1 } } });
    expect(refused.status).toBe(400);
  });
});

describe('DKIM and ownership', () => {
  test('DKIM Success makes the domain verified, so it can send', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    await ses.send(new VerifyDomainDkimCommand({ Domain: 'acme.com' }));
    sim.setIdentityStatus(CUSTOMER, 'acme.com', { dkim: 'Success' });
    await h.advance(2000); // the identity-call allowance refills
    const attributes = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }));
    expect(attributes.VerificationAttributes?.['acme.com']?.VerificationStatus).toBe('Success');
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('the control API refuses DKIM Success with an unverified owner', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    const both = await h.control('POST', `/_sim/accounts/${CUSTOMER}/identities/acme.com/status`, { ownership: 'Pending', dkim: 'Success' });
    expect(both).toEqual({ status: 400, json: { error: 'ValidationError', detail: expect.stringContaining('dkim Success implies ownership Success') } });
    sim.setIdentityStatus(CUSTOMER, 'acme.com', { dkim: 'Success' });
    const later = await h.control('POST', `/_sim/accounts/${CUSTOMER}/identities/acme.com/status`, { ownership: 'Failed' });
    expect(later.status).toBe(400);
  });
});
