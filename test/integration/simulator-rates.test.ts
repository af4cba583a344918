/**
 * SES's rate limits in the simulator, on by default: MaxSendRate per account and region counted
 * per recipient (token bucket, burst of 3 recipients unless set), and about one identity or quota
 * call per second per account and region (burst of 2). Time moves only when a test moves it.
 */
import {
  GetAccountSendingEnabledCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SendRawEmailCommand,
  VerifyDomainIdentityCommand,
} from '@aws-sdk/client-ses';
import { createSimulator } from '../../sim/simulator';
import {
  CUSTOMER,
  RELAY_ACCESS_KEY_ID,
  RELAY_ACCOUNT,
  ROLE,
  permissionsPolicy,
  rejectionOf,
  simpleEmail,
  simulatorHarness,
  trustPolicy,
} from '../support/simulator-harness';

jest.setTimeout(30_000);

const h = simulatorHarness();
const { sim } = h;

/** Sends `count` one-recipient messages at the same instant; how many were accepted and which errors came back. */
async function burst(count: number, send: () => Promise<unknown>): Promise<{ accepted: number; errors: Array<{ name: string; message: string; status?: number }> }> {
  const results = await Promise.allSettled(Array.from({ length: count }, send));
  const errors = results
    .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
    .map(({ reason }) => {
      const error = reason as { name: string; message: string; $metadata: { httpStatusCode?: number } };
      return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
    });
  return { accepted: count - errors.length, errors };
}

describe('MaxSendRate', () => {
  test('at rate 1 (a sandbox account), 10 sends at one instant: the burst of 3 goes, 7 get Throttling "Maximum sending rate exceeded."', async () => {
    h.customerAccount({ max_24_hour_send: 200 });
    sim.verifyEmail(CUSTOMER, { email: 'ann@example.com' });
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');

    const { accepted, errors } = await burst(10, () => ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(accepted).toBe(3);
    expect(errors).toEqual(Array(7).fill({ name: 'Throttling', message: 'Maximum sending rate exceeded.', status: 400 }));
    expect(sim.mailbox()).toHaveLength(3);
    // throttled calls are visible to whoever counts calls
    expect((await h.control('GET', '/_sim/calls')).json).toMatchObject({ calls: { 'ses:SendEmail': 10 }, throttled: { 'ses:SendEmail': 7 } });
    expect(sim.throttled()).toEqual({ 'ses:SendEmail': 7 });

    await h.advance(999);
    expect((await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('Throttling');
    await h.advance(1);
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('counts recipients (To + Cc + Bcc), not messages', async () => {
    h.customerAccount(); // production: 14 recipients per second
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');

    await ses.send(simpleEmail('hello@acme.com', ['ann@example.com'], { cc: ['cc@example.com'], bcc: ['bcc@example.com'] }));
    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['bob@example.com'])));
    expect(error.name).toBe('Throttling');
    await h.advance(70); // 0.98 of a recipient's worth at 14/s
    expect((await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['bob@example.com'])))).name).toBe('Throttling');
    await h.advance(2);
    await expect(ses.send(simpleEmail('hello@acme.com', ['bob@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('a message to more recipients than the burst goes from a full bucket and leaves it in debt', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const ten = Array.from({ length: 10 }, (_, i) => `r${i}@example.com`);

    await expect(ses.send(simpleEmail('hello@acme.com', ten))).resolves.toHaveProperty('MessageId');
    await h.advance(500); // 7 recipients' worth repays the debt of 7: the bucket is at 0
    expect((await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('Throttling');
    await h.advance(72);
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('SendRawEmail counts its envelope recipients against the same bucket', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const raw = 'From: hello@acme.com\r\nTo: ann@example.com\r\nSubject: Hi\r\n\r\nHello\r\n';
    await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: ['ann@example.com', 'b@example.com', 'c@example.com'] }));
    const error = await rejectionOf(ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } })));
    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Maximum sending rate exceeded.');
    expect(sim.throttled()).toEqual({ 'ses:SendRawEmail': 1 });
  });

  test('rate and burst are set per account and overridden per region; each region has its own bucket', async () => {
    const created = await h.control('POST', '/_sim/accounts', {
      account_id: CUSTOMER,
      send_burst: 1,
      regions: { 'eu-west-1': { max_24_hour_send: 50_000, max_send_rate: 2 }, 'us-east-1': { max_24_hour_send: 50_000, max_send_rate: 10, send_burst: 5 } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ send_burst: 1, regions: { 'eu-west-1': { max_send_rate: 2, send_burst: 1 }, 'us-east-1': { max_send_rate: 10, send_burst: 5 } } });
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() });
    const credentials = await h.assumeRole();
    const euWest = h.sesClient(credentials);
    const usEast = h.sesClient(credentials, { region: 'us-east-1' });
    await h.verifiedDomain(euWest, 'acme.com');
    await h.verifiedDomain(usEast, 'acme.com');

    expect((await burst(3, () => euWest.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).accepted).toBe(1);
    expect((await burst(7, () => usEast.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).accepted).toBe(5);
    await h.advance(500); // 1 recipient at 2/s, 5 at 10/s
    expect((await burst(2, () => euWest.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).accepted).toBe(1);
    expect((await burst(6, () => usEast.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).accepted).toBe(5);
    expect((await euWest.send(new GetSendQuotaCommand({}))).MaxSendRate).toBe(2);
    expect((await usEast.send(new GetSendQuotaCommand({}))).MaxSendRate).toBe(10);
  });
});

describe('identity and quota calls', () => {
  test('about one per second per account and region: a burst of 2, then Throttling "Rate exceeded", shared by every such action', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }));
    const error = await rejectionOf(ses.send(new GetSendQuotaCommand({})));
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

    await h.advance(999);
    expect((await rejectionOf(ses.send(new GetAccountSendingEnabledCommand({})))).name).toBe('Throttling');
    await h.advance(1);
    await expect(ses.send(new GetAccountSendingEnabledCommand({}))).resolves.toHaveProperty('Enabled', true);
    expect(sim.throttled()).toEqual({ 'ses:GetSendQuota': 1, 'ses:GetAccountSendingEnabled': 1 });
  });

  test('another region has its own allowance, and sends do not use it', async () => {
    h.customerAccount();
    const credentials = await h.assumeRole();
    const euWest = h.sesClient(credentials);
    const usEast = h.sesClient(credentials, { region: 'us-east-1' });
    await h.verifiedDomain(euWest, 'acme.com');
    await euWest.send(simpleEmail('hello@acme.com', ['ann@example.com']));
    await euWest.send(new GetSendQuotaCommand({}));
    expect((await rejectionOf(euWest.send(new GetSendQuotaCommand({})))).name).toBe('Throttling');
    await expect(usEast.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('MaxSendRate', 1); // still in the sandbox there
  });

  test('the rate and burst are set per account', async () => {
    h.customerAccount({ control_plane_rate: 5, control_plane_burst: 4 });
    const ses = await h.sesFor();
    expect((await burst(6, () => ses.send(new GetSendQuotaCommand({})))).accepted).toBe(4);
    await h.advance(200);
    expect((await burst(2, () => ses.send(new GetSendQuotaCommand({})))).accepted).toBe(1);
  });
});

describe('switching enforcement off', () => {
  test('the two enforcement options turn off both limits, and nothing else', async () => {
    const relaxed = createSimulator({ relayAccountId: RELAY_ACCOUNT, relayAccessKeyId: RELAY_ACCESS_KEY_ID, enforceSendRate: false, enforceControlPlaneRate: false, iamPropagationMs: 0 });
    await relaxed.listen();
    try {
      const { SESClient, SendEmailCommand } = await import('@aws-sdk/client-ses');
      const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
      relaxed.createAccount({ account_id: CUSTOMER }); // every region in the sandbox: 1 per second
      relaxed.putRole(CUSTOMER, 'SendFleet-BYOC-Role', {
        trust_policy: { Statement: [{ Effect: 'Allow', Principal: { AWS: RELAY_ACCOUNT }, Action: 'sts:AssumeRole' }] },
        permissions_policy: { Statement: [{ Effect: 'Allow', Action: 'ses:*', Resource: '*' }] },
      });
      const sts = new STSClient({ endpoint: relaxed.url, region: 'eu-west-1', credentials: { accessKeyId: RELAY_ACCESS_KEY_ID, secretAccessKey: 'any' } });
      const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CUSTOMER}:role/SendFleet-BYOC-Role`, RoleSessionName: 'relaxed' }));
      const ses = new SESClient({
        endpoint: relaxed.url,
        region: 'eu-west-1',
        maxAttempts: 1,
        credentials: { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken ?? '' },
      });
      relaxed.verifyEmail(CUSTOMER, { email: 'hello@acme.com' });
      relaxed.verifyEmail(CUSTOMER, { email: 'ann@example.com' });
      expect((await burst(10, () => ses.send(new SendEmailCommand({ Source: 'hello@acme.com', Destination: { ToAddresses: ['ann@example.com'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } })))).accepted).toBe(10);
      expect((await burst(5, () => ses.send(new GetSendQuotaCommand({})))).accepted).toBe(5);
      // the daily quota still holds: 10 of 200 used
      expect((await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(10);
      sts.destroy();
      ses.destroy();
    } finally {
      await relaxed.close();
    }
  });
});
