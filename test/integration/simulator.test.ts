/**
 * The customer-account simulator driven by the real AWS SDK v3 clients through an endpoint
 * override, exactly as the relay talks to it.
 */
import {
  DeleteIdentityCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  ListIdentitiesCommand,
  SESClient,
  SendEmailCommand,
  SendRawEmailCommand,
  SetIdentityMailFromDomainCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  type SESClientConfig,
} from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput, type Credentials } from '@aws-sdk/client-sts';
import { DEFAULT_RELAY_IDENTITY, createSimulator, type PolicyDocument } from '../../sim/simulator';
import { BYOC_PERMISSIONS } from '../../lambdas/relay/byoc/policies';
import { resettableClock } from '../../local/virtual-clock';

jest.setTimeout(30_000);

const RELAY_ACCOUNT = '111111111111';
const RELAY_ACCESS_KEY_ID = 'AKIARELAYTEST0000001';
const CUSTOMER = '222222222222';
const OTHER_CUSTOMER = '333333333333';
const ROLE = 'SendFleet-BYOC-Role';
const EXTERNAL_ID = 'sendfleet-tenant-7f3a';
const REGION = 'eu-west-1';
const ROLE_ARN = `arn:aws:iam::${CUSTOMER}:role/${ROLE}`;
/** The role's permissions exactly as the relay hands them to customers. */
const SES_ACTIONS = [...BYOC_PERMISSIONS];

/** Virtual time, new for each test; tests move it forward to expire credentials. Clients sign with it when created. */
const clock = resettableClock();
const clockOffsetMs = () => clock.now() - Date.now();
const sim = createSimulator({
  relayAccountId: RELAY_ACCOUNT,
  relayAccessKeyId: RELAY_ACCESS_KEY_ID,
  clock,
  // roles apply at once here: IAM propagation has its own tests (simulator-iam)
  iamPropagationMs: 0,
  // rate enforcement stays on; identity and quota calls get room here, their limit has its own tests (simulator-rates)
  controlPlaneRate: 1000,
  controlPlaneBurst: 1000,
});
/** The relay's identity in the simulator: an assumed role, as in Lambda. */
const RELAY_ARN = `arn:aws:sts::${RELAY_ACCOUNT}:assumed-role/${DEFAULT_RELAY_IDENTITY.roleName}/${DEFAULT_RELAY_IDENTITY.sessionName}`;
const clients: Array<{ destroy(): void }> = [];

beforeAll(() => sim.listen());
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  clock.reset();
});
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function trustPolicy(principal = `arn:aws:iam::${RELAY_ACCOUNT}:root`, externalId = EXTERNAL_ID): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } },
    ],
  };
}

function permissionsPolicy(actions: string[] = SES_ACTIONS): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
}

/** A customer account with the relay's role in it; production (out of the sandbox) unless told otherwise. */
/** Production access in REGION (SES grants it per region) unless `max_24_hour_send` says otherwise. */
function customerAccount(accountId = CUSTOMER, { max_24_hour_send = 50_000, sending_enabled }: { max_24_hour_send?: number; sending_enabled?: boolean } = {}): void {
  sim.createAccount({ account_id: accountId, ...(sending_enabled === undefined ? {} : { sending_enabled }), regions: { [REGION]: { max_24_hour_send } } });
  sim.putRole(accountId, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() });
}

function stsClient(accessKeyId = RELAY_ACCESS_KEY_ID): STSClient {
  const client = new STSClient({ endpoint: sim.url, region: REGION, credentials: { accessKeyId, secretAccessKey: 'any' }, systemClockOffset: clockOffsetMs() });
  clients.push(client);
  return client;
}

async function assumeRole(input: Partial<AssumeRoleCommandInput> = {}): Promise<Credentials> {
  const result = await stsClient().send(
    new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'relay-test', ExternalId: EXTERNAL_ID, ...input }),
  );
  if (!result.Credentials) throw new Error('AssumeRole returned no credentials');
  return result.Credentials;
}

function sesClient(credentials: Partial<Credentials>, config: Partial<SESClientConfig> = {}): SESClient {
  const client = new SESClient({
    endpoint: sim.url,
    region: REGION,
    credentials: {
      accessKeyId: credentials.AccessKeyId ?? '',
      secretAccessKey: credentials.SecretAccessKey ?? '',
      sessionToken: credentials.SessionToken ?? '',
    },
    systemClockOffset: clockOffsetMs(),
    ...config,
  });
  clients.push(client);
  return client;
}

/** SES for the relay's session in `accountId`. */
async function sesFor(accountId = CUSTOMER, config: Partial<SESClientConfig> = {}): Promise<SESClient> {
  return sesClient(await assumeRole({ RoleArn: `arn:aws:iam::${accountId}:role/${ROLE}` }), config);
}

async function verifiedDomain(ses: SESClient, domain: string, accountId = CUSTOMER): Promise<void> {
  await ses.send(new VerifyDomainIdentityCommand({ Domain: domain }));
  sim.setIdentityStatus(accountId, domain, { ownership: 'Success' });
}

/** The rejection of `promise`, so its AWS error fields can be asserted. */
async function rejectionOf(promise: Promise<unknown>): Promise<{ name: string; message: string; $fault?: string; $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail');
}

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, json: isJson ? JSON.parse(text) : undefined, text, headers: response.headers };
}

const simpleEmail = (source: string, to: string[], subject = 'Hello') =>
  new SendEmailCommand({
    Source: source,
    Destination: { ToAddresses: to },
    Message: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: 'Hi there' } } },
  });

describe('STS AssumeRole', () => {
  test('issues temporary credentials for the role that SES then accepts in the customer account', async () => {
    customerAccount();
    const before = Date.now();
    const result = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'tenant-42', ExternalId: EXTERNAL_ID, DurationSeconds: 900 }),
    );

    expect(result.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(result.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    expect(result.Credentials?.Expiration?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(result.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${CUSTOMER}:assumed-role/${ROLE}/tenant-42`);
    expect(result.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:tenant-42$/);
    expect(result.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const ses = sesClient(result.Credentials ?? {});
    const quota = await ses.send(new GetSendQuotaCommand({}));
    expect(quota).toMatchObject({ Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 });
    expect((await ses.send(new GetAccountSendingEnabledCommand({}))).Enabled).toBe(true);
  });

  const deniedCases: Array<[string, () => void, Partial<AssumeRoleCommandInput>]> = [
    ['a wrong ExternalId', customerAccount, { ExternalId: 'someone-elses-id' }],
    ['no ExternalId', customerAccount, { ExternalId: undefined }],
    [
      'a trust policy naming another account',
      () => {
        sim.createAccount({ account_id: CUSTOMER });
        sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy('arn:aws:iam::999999999999:root'), permissions_policy: permissionsPolicy() });
      },
      {},
    ],
    ['an account without the role', () => sim.createAccount({ account_id: CUSTOMER }), {}],
    ['an unknown account', () => undefined, {}],
    ['another role name', customerAccount, { RoleArn: `arn:aws:iam::${CUSTOMER}:role/SomeOtherRole` }],
    ['the role under a path', customerAccount, { RoleArn: `arn:aws:iam::${CUSTOMER}:role/byoc/${ROLE}` }],
  ];
  test.each(deniedCases)('is denied with %s', async (_case, setup, input) => {
    setup();
    const roleArn = input.RoleArn ?? ROLE_ARN;
    const error = await rejectionOf(assumeRole(input));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(`User: ${RELAY_ARN} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  });

  test('accepts the account id as principal and an Action list', async () => {
    sim.createAccount({ account_id: CUSTOMER });
    const trust: PolicyDocument = {
      Statement: [{ Effect: 'Allow', Principal: { AWS: [RELAY_ACCOUNT] }, Action: ['sts:TagSession', 'sts:AssumeRole'] }],
    };
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trust, permissions_policy: permissionsPolicy() });
    await expect(assumeRole({ ExternalId: undefined })).resolves.toHaveProperty('AccessKeyId');
  });

  test.each([899, 43_201])('rejects DurationSeconds %i with ValidationError', async (duration) => {
    customerAccount();
    const error = await rejectionOf(assumeRole({ DurationSeconds: duration }));
    expect(error.name).toBe('ValidationError');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain("at 'durationSeconds'");
  });

  test("limits DurationSeconds to the role's MaxSessionDuration (3600 unless set)", async () => {
    const asUser = createSimulator({ relayAccountId: RELAY_ACCOUNT, relayAccessKeyId: RELAY_ACCESS_KEY_ID, relayIdentity: { kind: 'iam-user', userName: 'relay' }, iamPropagationMs: 0 });
    await asUser.listen();
    try {
      asUser.createAccount({ account_id: CUSTOMER });
      asUser.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() });
      const sts = new STSClient({ endpoint: asUser.url, region: REGION, credentials: { accessKeyId: RELAY_ACCESS_KEY_ID, secretAccessKey: 'any' } });
      clients.push(sts);
      const assume = (DurationSeconds: number) => sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'as-user', ExternalId: EXTERNAL_ID, DurationSeconds }));
      const error = await rejectionOf(assume(7200));
      expect(error.name).toBe('ValidationError');
      expect(error.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      asUser.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy(), max_session_duration: 43_200 });
      await expect(assume(43_200)).resolves.toHaveProperty('Credentials.AccessKeyId');
    } finally {
      await asUser.close();
    }
  });

  test('rejects an unknown access key with InvalidClientTokenId', async () => {
    customerAccount();
    const error = await rejectionOf(
      stsClient('AKIAUNKNOWN000000000').send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 's1', ExternalId: EXTERNAL_ID })),
    );
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  test('does not let issued credentials assume roles (no chaining)', async () => {
    customerAccount();
    const credentials = await assumeRole();
    const chained = new STSClient({
      endpoint: sim.url,
      region: REGION,
      credentials: { accessKeyId: credentials.AccessKeyId ?? '', secretAccessKey: credentials.SecretAccessKey ?? '', sessionToken: credentials.SessionToken ?? '' },
    });
    clients.push(chained);
    const error = await rejectionOf(chained.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'chain', ExternalId: EXTERNAL_ID })));
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain(`arn:aws:sts::${CUSTOMER}:assumed-role/${ROLE}/relay-test`);
  });
});

describe('issued credentials', () => {
  test('are checked by signature: the right key and token with a wrong secret fail', async () => {
    customerAccount();
    const credentials = await assumeRole();
    const error = await rejectionOf(sesClient({ ...credentials, SecretAccessKey: 'not-the-secret' }).send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  test('need their own session token', async () => {
    customerAccount();
    const credentials = await assumeRole();
    const other = await assumeRole();
    const error = await rejectionOf(sesClient({ ...credentials, SessionToken: other.SessionToken }).send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('InvalidClientTokenId');
  });

  test('expire after DurationSeconds with ExpiredToken', async () => {
    customerAccount();
    const ses = sesClient(await assumeRole({ DurationSeconds: 900 }));
    await clock.current.advance(899_000);
    await expect(ses.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('Max24HourSend');
    await clock.current.advance(1_000);
    const error = await rejectionOf(ses.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('ExpiredToken');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  test('act only in their own account: identities of one account are invisible to another', async () => {
    customerAccount(CUSTOMER);
    customerAccount(OTHER_CUSTOMER);
    const customerSes = await sesFor(CUSTOMER);
    const otherSes = await sesFor(OTHER_CUSTOMER);
    await customerSes.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));

    const seenByCustomer = await customerSes.send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }));
    const seenByOther = await otherSes.send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }));
    expect(Object.keys(seenByCustomer.VerificationAttributes ?? {})).toEqual(['acme.com']);
    expect(seenByOther.VerificationAttributes).toEqual({});
  });

  test('keep identities regional: another region of the same account does not see them', async () => {
    customerAccount();
    const credentials = await assumeRole();
    await sesClient(credentials).send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    const inUsEast = await sesClient(credentials, { region: 'us-east-1' }).send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }));
    expect(inUsEast.VerificationAttributes).toEqual({});
  });

  test('are unknown after a reset', async () => {
    customerAccount();
    const ses = sesClient(await assumeRole());
    await control('POST', '/_sim/reset');
    expect((await rejectionOf(ses.send(new GetSendQuotaCommand({})))).name).toBe('InvalidClientTokenId');
  });

  test("the relay's own keys may not call SES directly", async () => {
    customerAccount();
    const ses = sesClient({ AccessKeyId: RELAY_ACCESS_KEY_ID, SecretAccessKey: 'any' });
    const error = await rejectionOf(ses.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('AccessDenied');
  });
});

describe("the role's permissions policy", () => {
  test('denies an action it does not allow, in AWS wording', async () => {
    sim.createAccount({ account_id: CUSTOMER });
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy(['ses:SendEmail', 'ses:GetAccountSendingEnabled']) });
    const ses = sesClient(await assumeRole({ RoleSessionName: 'sess-1' }));

    await expect(ses.send(new GetAccountSendingEnabledCommand({}))).resolves.toHaveProperty('Enabled', true);
    const error = await rejectionOf(ses.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(`User: arn:aws:sts::${CUSTOMER}:assumed-role/${ROLE}/sess-1 is not authorized to perform: ses:GetSendQuota`);
  });

  test('applies wildcards, explicit Deny, later edits and role deletion at call time', async () => {
    sim.createAccount({ account_id: CUSTOMER });
    const withPolicy = (policy: PolicyDocument) => sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: policy });
    withPolicy({ Statement: [{ Effect: 'Allow', Action: 'ses:Get*', Resource: '*' }] });
    const ses = sesClient(await assumeRole());
    await expect(ses.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('Max24HourSend');
    expect((await rejectionOf(ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' })))).name).toBe('AccessDenied');

    withPolicy({
      Statement: [
        { Effect: 'Allow', Action: 'ses:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ses:GetSendQuota', Resource: '*' },
      ],
    });
    await expect(ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }))).resolves.toHaveProperty('VerificationToken');
    expect((await rejectionOf(ses.send(new GetSendQuotaCommand({})))).name).toBe('AccessDenied');

    sim.deleteRole(CUSTOMER, ROLE);
    withPolicy(permissionsPolicy());
    // a role recreated under the same name is a new role: the old session gets nothing
    expect((await rejectionOf(ses.send(new GetAccountSendingEnabledCommand({})))).name).toBe('AccessDenied');
  });

  test('an action outside the simulated eleven is InvalidAction', async () => {
    customerAccount();
    const ses = await sesFor();
    const error = await rejectionOf(ses.send(new ListIdentitiesCommand({})));
    expect(error.name).toBe('InvalidAction');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('SES identities', () => {
  test('go through the full lifecycle: verify, DNS statuses, MAIL FROM, delete', async () => {
    customerAccount();
    const ses = await sesFor();

    const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    expect(VerificationToken).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const { DkimTokens } = await ses.send(new VerifyDomainDkimCommand({ Domain: 'acme.com' }));
    expect(DkimTokens).toHaveLength(3);
    expect(new Set(DkimTokens).size).toBe(3);
    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'acme.com', MailFromDomain: 'mail.acme.com', BehaviorOnMXFailure: 'RejectMessage' }));

    const identities = ['acme.com', 'unknown.example'];
    const read = async () => ({
      verification: (await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: identities }))).VerificationAttributes,
      dkim: (await ses.send(new GetIdentityDkimAttributesCommand({ Identities: identities }))).DkimAttributes,
      mailFrom: (await ses.send(new GetIdentityMailFromDomainAttributesCommand({ Identities: identities }))).MailFromDomainAttributes,
    });
    expect(await read()).toEqual({
      verification: { 'acme.com': { VerificationStatus: 'Pending', VerificationToken } },
      dkim: { 'acme.com': { DkimEnabled: true, DkimVerificationStatus: 'Pending', DkimTokens } },
      mailFrom: { 'acme.com': { MailFromDomain: 'mail.acme.com', MailFromDomainStatus: 'Pending', BehaviorOnMXFailure: 'RejectMessage' } },
    });

    const flipped = await control('POST', `/_sim/accounts/${CUSTOMER}/identities/acme.com/status`, { ownership: 'Success', dkim: 'Success', mail_from: 'Failed' });
    expect(flipped.status).toBe(204);
    const after = await read();
    expect(after.verification?.['acme.com']?.VerificationStatus).toBe('Success');
    expect(after.dkim?.['acme.com']?.DkimVerificationStatus).toBe('Success');
    expect(after.mailFrom?.['acme.com']?.MailFromDomainStatus).toBe('Failed');

    await ses.send(new DeleteIdentityCommand({ Identity: 'acme.com' }));
    expect(await read()).toEqual({ verification: {}, dkim: {}, mailFrom: {} });
  });

  test('a status flip can be limited to one region', async () => {
    customerAccount();
    const credentials = await assumeRole();
    const euWest = sesClient(credentials);
    const usEast = sesClient(credentials, { region: 'us-east-1' });
    await euWest.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    await usEast.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    sim.setIdentityStatus(CUSTOMER, 'acme.com', { region: 'us-east-1', ownership: 'Success' });

    const status = async (ses: SESClient) =>
      (await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['acme.com'] }))).VerificationAttributes?.['acme.com']?.VerificationStatus;
    expect(await status(usEast)).toBe('Success');
    expect(await status(euWest)).toBe('Pending');
  });

  test('reject a MAIL FROM domain outside the identity and an invalid domain', async () => {
    customerAccount();
    const ses = await sesFor();
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' }));
    const outside = await rejectionOf(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'acme.com', MailFromDomain: 'mail.other.com' })));
    expect(outside.name).toBe('InvalidParameterValue');
    const invalid = await rejectionOf(ses.send(new VerifyDomainIdentityCommand({ Domain: 'not a domain' })));
    expect(invalid.name).toBe('InvalidParameterValue');
  });
});

describe('SES sending', () => {
  test('SendEmail files the message in the mailbox and counts it against the quota', async () => {
    customerAccount();
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');

    const { MessageId } = await ses.send(
      new SendEmailCommand({
        Source: '=?utf-8?B?w4FjbWUgU3VwcG9ydA==?= <hello@acme.com>',
        Destination: { ToAddresses: ['ann@example.com', 'bob@example.com'], CcAddresses: ['cc@example.com'], BccAddresses: ['bcc@example.com'] },
        ReplyToAddresses: ['"Help desk" <help@acme.com>'],
        Message: {
          Subject: { Data: 'Your order & more', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Thanks!' }, Html: { Data: '<p>Thanks!</p>' } },
        },
      }),
    );
    expect(MessageId).toMatch(/^0102[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/);

    expect(sim.mailbox()).toEqual([
      {
        message_id: MessageId,
        account_id: CUSTOMER,
        region: REGION,
        action: 'SendEmail',
        source: { raw: '=?utf-8?B?w4FjbWUgU3VwcG9ydA==?= <hello@acme.com>', name: 'Ácme Support', address: 'hello@acme.com' },
        to: ['ann@example.com', 'bob@example.com'],
        cc: ['cc@example.com'],
        bcc: ['bcc@example.com'],
        reply_to: ['"Help desk" <help@acme.com>'],
        subject: 'Your order & more',
        text: 'Thanks!',
        html: '<p>Thanks!</p>',
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);
    expect((await ses.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(4);
    expect(sim.account(CUSTOMER).sent_last_24_hours).toBe(4);
  });

  test('an unverified Source is MessageRejected, naming the raw Source and the address like SES does', async () => {
    customerAccount();
    const ses = await sesFor();
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'acme.com' })); // still Pending
    const error = await rejectionOf(ses.send(simpleEmail('"Acme" <hello@acme.com>', ['ann@example.com'])));
    expect(error.name).toBe('MessageRejected');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: "Acme" <hello@acme.com>, hello@acme.com',
    );
    expect(sim.mailbox()).toEqual([]);
  });

  test('a verified domain vouches for its subdomains, not for its parent or siblings', async () => {
    customerAccount();
    const ses = await sesFor(CUSTOMER, { maxAttempts: 1 });
    await verifiedDomain(ses, 'mail.acme.com');
    await expect(ses.send(simpleEmail('news@eu.mail.acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
    for (const source of ['news@acme.com', 'news@web.acme.com', 'news@xmail.acme.com']) {
      expect((await rejectionOf(ses.send(simpleEmail(source, ['ann@example.com'])))).name).toBe('MessageRejected');
    }
  });

  test('the sandbox rejects unverified recipients until they are verified', async () => {
    customerAccount(CUSTOMER, { max_24_hour_send: 200 });
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');

    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('MessageRejected');
    expect(error.message).toBe('Email address is not verified. The following identities failed the check in region EU-WEST-1: ann@example.com');

    const verified = await control('POST', `/_sim/accounts/${CUSTOMER}/verified-emails`, { email: 'ann@example.com' });
    expect(verified.status).toBe(204);
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('a paused account refuses sends with AccountSendingPausedException, as SES does', async () => {
    customerAccount(CUSTOMER, { sending_enabled: false });
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');
    expect((await ses.send(new GetAccountSendingEnabledCommand({}))).Enabled).toBe(false);
    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('AccountSendingPausedException');
    expect(error.message).toBe('Email sending is disabled for your entire Amazon SES account.');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  test('the daily quota is enforced per recipient with Throttling', async () => {
    customerAccount(CUSTOMER, { max_24_hour_send: 2 });
    sim.verifyEmail(CUSTOMER, { email: 'ann@example.com' });
    const ses = await sesFor(CUSTOMER, { maxAttempts: 1 });
    await verifiedDomain(ses, 'acme.com');

    await ses.send(simpleEmail('hello@acme.com', ['ann@example.com', 'ann@example.com']));
    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Daily message quota exceeded.');

    await clock.current.advance(24 * 60 * 60 * 1000 + 1000); // a day later the window has moved on (with fresh credentials)
    const nextDay = await sesFor(CUSTOMER, { maxAttempts: 1 });
    await expect(nextDay.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('a MAIL FROM domain set to RejectMessage must be verified before sending', async () => {
    customerAccount();
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');
    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'acme.com', MailFromDomain: 'bounce.acme.com', BehaviorOnMXFailure: 'RejectMessage' }));

    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('MailFromDomainNotVerifiedException');
    expect(error.$metadata.httpStatusCode).toBe(400);

    sim.setIdentityStatus(CUSTOMER, 'acme.com', { mail_from: 'Success' });
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('SendRawEmail stores the raw MIME with decoded subject, parts and envelope blind copies', async () => {
    customerAccount();
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');
    const raw = [
      'From: "Acme" <hello@acme.com>',
      'To: Ann <ann@example.com>',
      'Subject: =?utf-8?Q?Caf=C3=A9_news?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=C3=A9 is open',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<b>Café</b> is open').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');

    const { MessageId } = await ses.send(
      new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: ['ann@example.com', 'audit@example.com'] }),
    );
    expect(sim.mailbox()).toEqual([
      expect.objectContaining({
        message_id: MessageId,
        action: 'SendRawEmail',
        source: { raw: '"Acme" <hello@acme.com>', name: 'Acme', address: 'hello@acme.com' },
        to: ['Ann <ann@example.com>'],
        bcc: ['audit@example.com'],
        subject: 'Café news',
        text: 'Café is open',
        html: '<b>Café</b> is open',
        raw,
      }),
    ]);
  });
});

describe('faults and latency', () => {
  async function readySender(config: Partial<SESClientConfig> = {}): Promise<SESClient> {
    customerAccount();
    const ses = await sesFor(CUSTOMER, config);
    await verifiedDomain(ses, 'acme.com');
    sim.resetCalls();
    return ses;
  }

  test('Throttling on every attempt: the SDK retries three times, then fails', async () => {
    const ses = await readySender();
    sim.addFault({ action: 'SendEmail', error: 'Throttling', count: 3 });
    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('Throttling');
    expect(error.$metadata.attempts).toBe(3);
    expect((await control('GET', '/_sim/calls')).json).toEqual({ calls: { 'ses:SendEmail': 3 }, throttled: { 'ses:SendEmail': 3 } });
    expect(sim.mailbox()).toHaveLength(0);
  });

  test('Throttling twice: the third attempt succeeds', async () => {
    const ses = await readySender();
    const added = await control('POST', '/_sim/faults', { action: 'ses:SendEmail', error: 'Throttling', count: 2 });
    expect(added.status).toBe(201);
    const result = await ses.send(simpleEmail('hello@acme.com', ['ann@example.com']));
    expect(result.$metadata.attempts).toBe(3);
    expect(sim.calls()).toEqual({ 'ses:SendEmail': 3 });
    expect(sim.mailbox()).toHaveLength(1);
  });

  test('InternalFailure is a 500 server fault; ServiceUnavailable is retried', async () => {
    const ses = await readySender({ maxAttempts: 1 });
    sim.addFault({ action: 'GetSendQuota', error: 'InternalFailure', count: 1 });
    const error = await rejectionOf(ses.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('InternalFailure');
    expect(error.$fault).toBe('server');
    expect(error.$metadata.httpStatusCode).toBe(500);

    const retrying = sesClient(await assumeRole());
    sim.addFault({ action: 'GetSendQuota', error: 'ServiceUnavailable', count: 1 });
    const quota = await retrying.send(new GetSendQuotaCommand({}));
    expect(quota.$metadata.attempts).toBe(2);
  });

  test('faults apply to STS AssumeRole too', async () => {
    customerAccount();
    sim.addFault({ action: 'AssumeRole', error: 'Throttling', count: 1 });
    await expect(assumeRole()).resolves.toHaveProperty('AccessKeyId');
    expect(sim.calls()).toEqual({ 'sts:AssumeRole': 2 });
  });

  test('a timeout fault never answers: the client\'s own timeout fires; after an hour of silence the connection drops', async () => {
    const ses = await readySender({ maxAttempts: 1 });
    sim.addFault({ action: 'SendEmail', error: 'timeout', count: 1 });
    const started = clock.now();
    // the attempt's timeout on the same virtual clock, as the relay runs it
    const error = await rejectionOf(clock.withTimeout(300, (abortSignal) => ses.send(simpleEmail('hello@acme.com', ['ann@example.com']), { abortSignal })));
    expect(error.name).toBe('AbortError');
    expect(clock.now() - started).toBe(300);
    expect(sim.mailbox()).toHaveLength(0);
    // the fault is used up and the simulator still answers
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');

    // without a client timeout, the simulator drops the held connection after 60 s of its time
    sim.addFault({ action: 'SendEmail', error: 'timeout', count: 1 });
    const held = clock.now();
    const dropped = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(dropped.name).not.toBe('AbortError');
    expect(clock.now() - held).toBe(60_000);
  });

  test('global latency delays every call by the set time; fault latency adds to it', async () => {
    const ses = await readySender();
    const timed = async () => {
      const started = clock.now();
      await ses.send(new GetSendQuotaCommand({}));
      return clock.now() - started;
    };
    const latency = await control('PUT', '/_sim/latency', { ms: 150 });
    expect(latency.json).toEqual({ ms: 150 });
    expect(await timed()).toBe(150);

    sim.setLatency(0);
    sim.addFault({ action: 'GetSendQuota', error: 'Throttling', count: 1, latency_ms: 200 });
    expect(await timed()).toBe(200);
  });
});

describe('control API', () => {
  test('mailbox JSON and the HTML page, with everything escaped', async () => {
    customerAccount();
    const ses = await sesFor();
    await verifiedDomain(ses, 'acme.com');
    await ses.send(simpleEmail('"<b>Evil</b>" <hello@acme.com>', ['ann@example.com'], '<script>alert(1)</script>'));
    await ses.send(
      new SendEmailCommand({
        Source: 'hello@acme.com',
        Destination: { ToAddresses: ['bob@example.com'] },
        ReplyToAddresses: ['replies@acme.com'],
        Message: { Subject: { Data: 'Second' }, Body: { Html: { Data: '<img src=x onerror="alert(2)">' } } },
      }),
    );

    const mailbox = await control('GET', '/_sim/mailbox');
    expect(mailbox.json).toEqual({ messages: [expect.objectContaining({ subject: '<script>alert(1)</script>' }), expect.objectContaining({ subject: 'Second' })] });

    const page = await control('GET', '/_sim/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&lt;b&gt;Evil&lt;/b&gt; &lt;hello@acme.com&gt;');
    expect(page.text).toContain('replies@acme.com');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('<iframe sandbox="" srcdoc="&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"');
    expect(page.text.indexOf('Second')).toBeLessThan(page.text.indexOf('&lt;script&gt;')); // newest first

    expect((await control('DELETE', '/_sim/mailbox')).status).toBe(204);
    expect((await control('GET', '/_sim/mailbox')).json).toEqual({ messages: [] });
  });

  test('accounts and roles: create, update, read, delete', async () => {
    const created = await control('POST', '/_sim/accounts', { account_id: CUSTOMER });
    expect(created.status).toBe(201);
    // a new account is in the sandbox everywhere, as in SES
    expect(created.json).toMatchObject({ account_id: CUSTOMER, sending_enabled: true, sandbox: true, max_24_hour_send: 200, max_send_rate: 1 });
    const updated = await control('POST', '/_sim/accounts', { account_id: CUSTOMER, sending_enabled: false, regions: { [REGION]: { max_24_hour_send: 50_000 } } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ sending_enabled: false, sandbox: true, regions: { [REGION]: { sandbox: false, sending_enabled: false, max_24_hour_send: 50_000, max_send_rate: 14 } } });

    const role = await control('PUT', `/_sim/accounts/${CUSTOMER}/roles/${ROLE}`, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() });
    expect(role.status).toBe(201);
    expect(role.json).toEqual({ arn: ROLE_ARN, role_id: expect.stringMatching(/^AROA/) });
    expect((await control('GET', `/_sim/accounts/${CUSTOMER}`)).json).toMatchObject({ roles: [ROLE] });
    expect((await control('DELETE', `/_sim/accounts/${CUSTOMER}/roles/${ROLE}`)).status).toBe(204);
    expect((await control('DELETE', `/_sim/accounts/${CUSTOMER}/roles/${ROLE}`)).status).toBe(404);
  });

  test.each<[string, string, string, unknown, number, string]>([
    ['invalid JSON', 'POST', '/_sim/accounts', '{"account_id":', 400, 'InvalidJson'],
    ['a bad account id', 'POST', '/_sim/accounts', { account_id: '12345' }, 400, 'ValidationError'],
    ['an unknown field', 'POST', '/_sim/accounts', { account_id: CUSTOMER, max24HourSend: 5 }, 400, 'ValidationError'],
    ['a JSON array', 'POST', '/_sim/accounts', '[1,2]', 400, 'ValidationError'],
    ['a role for an unknown account', 'PUT', `/_sim/accounts/444444444444/roles/${ROLE}`, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() }, 404, 'NotFound'],
    ['a policy without Statement', 'PUT', `/_sim/accounts/${CUSTOMER}/roles/${ROLE}`, { trust_policy: {}, permissions_policy: permissionsPolicy() }, 400, 'ValidationError'],
    ['an unsupported policy element', 'PUT', `/_sim/accounts/${CUSTOMER}/roles/${ROLE}`, { trust_policy: trustPolicy(), permissions_policy: { Statement: [{ Effect: 'Allow', NotAction: 'ses:*' }] } }, 400, 'ValidationError'],
    ['an unknown status', 'POST', `/_sim/accounts/${CUSTOMER}/identities/acme.com/status`, { ownership: 'Verified' }, 400, 'ValidationError'],
    ['a status for no identity', 'POST', `/_sim/accounts/${CUSTOMER}/identities/acme.com/status`, { ownership: 'Success' }, 404, 'NotFound'],
    ['a fault with an unknown error', 'POST', '/_sim/faults', { action: 'SendEmail', error: 'Explode', count: 1 }, 400, 'ValidationError'],
    ['a fault with count 0', 'POST', '/_sim/faults', { action: 'SendEmail', error: 'Throttling', count: 0 }, 400, 'ValidationError'],
    ['a negative latency', 'PUT', '/_sim/latency', { ms: -1 }, 400, 'ValidationError'],
    ['a bad percent-encoding', 'POST', `/_sim/accounts/${CUSTOMER}/identities/%E0%A4%A/status`, { ownership: 'Success' }, 400, 'InvalidPath'],
    ['an unknown route', 'GET', '/_sim/nothing-here', undefined, 404, 'NotFound'],
    ['a wrong method', 'PATCH', '/_sim/mailbox', undefined, 405, 'MethodNotAllowed'],
  ])('rejects %s with a JSON error', async (_case, method, path, body, status, error) => {
    sim.createAccount({ account_id: CUSTOMER });
    const response = await control(method, path, body);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error, detail: expect.any(String) });
  });

  test('bodies over 10 MB get 413 and the server keeps serving', async () => {
    const response = await control('POST', '/_sim/accounts', 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ error: 'PayloadTooLarge' });
    expect((await control('GET', '/_sim/calls')).status).toBe(200);
  });

  test('malformed AWS calls get AWS errors, never a crash', async () => {
    const post = async (body: string, headers: Record<string, string>) => {
      const response = await fetch(sim.url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
      return { status: response.status, text: await response.text() };
    };
    const unsigned = await post('Action=GetSendQuota&Version=2010-12-01', {});
    expect(unsigned.status).toBe(403);
    expect(unsigned.text).toContain('<Code>MissingAuthenticationToken</Code>');

    const garbled = await post('%%%&&&=', { authorization: 'AWS4-HMAC-SHA256 garbage' });
    expect(garbled.status).toBe(400);

    const badHeader = await post('Action=GetSendQuota&Version=2010-12-01', { authorization: 'AWS4-HMAC-SHA256 garbage' });
    expect(badHeader.status).toBe(400);
    expect(badHeader.text).toContain('<Code>IncompleteSignature</Code>');

    const wrongVersion = await post('Action=AssumeRole&Version=1999-01-01', {
      authorization: `AWS4-HMAC-SHA256 Credential=${RELAY_ACCESS_KEY_ID}/20260101/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
    });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.text).toContain('<Code>InvalidAction</Code>');
    expect(wrongVersion.text).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');

    expect((await control('GET', '/_sim/calls')).status).toBe(200);
  });

  test('calls are counted per service:Action and can be reset', async () => {
    customerAccount();
    const ses = await sesFor();
    await ses.send(new GetSendQuotaCommand({}));
    await rejectionOf(ses.send(new ListIdentitiesCommand({})));
    expect((await control('GET', '/_sim/calls')).json).toEqual({ calls: { 'sts:AssumeRole': 1, 'ses:GetSendQuota': 1, 'ses:ListIdentities': 1 }, throttled: {} });
    expect((await control('DELETE', '/_sim/calls')).status).toBe(204);
    expect(sim.calls()).toEqual({});
  });

  test('reset forgets accounts, faults and latency', async () => {
    customerAccount();
    sim.addFault({ action: 'SendEmail', error: 'Throttling', count: 5 });
    sim.setLatency(50);
    expect((await control('POST', '/_sim/reset')).status).toBe(204);
    expect((await control('GET', `/_sim/accounts/${CUSTOMER}`)).status).toBe(404);
    expect((await control('GET', '/_sim/faults')).json).toEqual({ faults: [] });
    expect((await control('GET', '/_sim/calls')).json).toEqual({ calls: {}, throttled: {} });
  });
});
