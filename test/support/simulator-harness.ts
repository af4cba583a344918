/**
 * One simulator per test file, driven by the real AWS SDK clients, on a clock that moves only when
 * a test says so: rate limits, propagation delays and clock skew are tested at chosen instants,
 * never by sleeping. Clients are created with the SDK clock offset that matches the simulator's.
 */
import { SESClient, SendEmailCommand, VerifyDomainIdentityCommand, type SESClientConfig } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput, type Credentials } from '@aws-sdk/client-sts';
import { BYOC_PERMISSIONS } from '../../lambdas/relay/byoc/policies';
import { createSimulator, type AccountInput, type PolicyDocument, type SimulatorOptions } from '../../sim/simulator';
import { resettableClock } from '../../local/virtual-clock';

export const RELAY_ACCOUNT = '111111111111';
export const RELAY_ACCESS_KEY_ID = 'AKIARELAYTEST0000001';
export const CUSTOMER = '222222222222';
export const ROLE = 'SendFleet-BYOC-Role';
export const EXTERNAL_ID = 'sendfleet-tenant-7f3a';
export const REGION = 'eu-west-1';
export const roleArn = (accountId = CUSTOMER) => `arn:aws:iam::${accountId}:role/${ROLE}`;

export interface AwsErrorShape {
  name: string;
  message: string;
  $fault?: string;
  $metadata: { httpStatusCode?: number; attempts?: number };
}

/** The rejection of `promise`, so its AWS error fields can be asserted. */
export async function rejectionOf(promise: Promise<unknown>): Promise<AwsErrorShape> {
  try {
    await promise;
  } catch (error) {
    return error as AwsErrorShape;
  }
  throw new Error('expected the call to fail');
}

export function trustPolicy(externalId = EXTERNAL_ID): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${RELAY_ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } },
    ],
  };
}

/** The relay's own permissions policy: its eleven actions on every resource. */
export function permissionsPolicy(actions: string[] = [...BYOC_PERMISSIONS]): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
}

export const simpleEmail = (source: string, to: string[], extra: { cc?: string[]; bcc?: string[] } = {}) =>
  new SendEmailCommand({
    Source: source,
    Destination: { ToAddresses: to, CcAddresses: extra.cc ?? [], BccAddresses: extra.bcc ?? [] },
    Message: { Subject: { Data: 'Hello', Charset: 'UTF-8' }, Body: { Text: { Data: 'Hi there' } } },
  });

type CustomerAccountSettings = Omit<AccountInput, 'account_id'> & { max_24_hour_send?: number; max_send_rate?: number };

export function simulatorHarness(options: Partial<SimulatorOptions> = {}) {
  /** The simulator's virtual time, new for each test; moves only through `advance` (or while a call is held). */
  const clock = resettableClock();
  // Roles apply at once here unless a test says otherwise: IAM propagation has its own tests (simulator-iam).
  const sim = createSimulator({ relayAccountId: RELAY_ACCOUNT, relayAccessKeyId: RELAY_ACCESS_KEY_ID, clock, iamPropagationMs: 0, ...options });
  const clients: Array<{ destroy(): void }> = [];

  beforeAll(() => sim.listen());
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    clock.reset();
  });
  afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

  /** The SDK signs with its own clock plus this offset: the simulator's clock, so no skew unless a test makes one. */
  const offset = () => clock.now() - Date.now();

  function stsClient(config: { region?: string; endpoint?: string; skewMs?: number } = {}): STSClient {
    const client = new STSClient({
      endpoint: config.endpoint ?? sim.url,
      region: config.region ?? REGION,
      credentials: { accessKeyId: RELAY_ACCESS_KEY_ID, secretAccessKey: 'any' },
      systemClockOffset: offset() + (config.skewMs ?? 0),
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  }

  async function assumeRole(input: Partial<AssumeRoleCommandInput> = {}, config: { region?: string } = {}): Promise<Credentials> {
    const result = await stsClient(config).send(
      new AssumeRoleCommand({ RoleArn: roleArn(), RoleSessionName: 'relay-test', ExternalId: EXTERNAL_ID, ...input }),
    );
    if (!result.Credentials) throw new Error('AssumeRole returned no credentials');
    return result.Credentials;
  }

  /** One attempt per call unless told otherwise: a throttled call shows as such instead of being retried. */
  function sesClient(credentials: Credentials, config: Partial<SESClientConfig> = {}): SESClient {
    const client = new SESClient({
      endpoint: sim.url,
      region: REGION,
      credentials: { accessKeyId: credentials.AccessKeyId ?? '', secretAccessKey: credentials.SecretAccessKey ?? '', sessionToken: credentials.SessionToken ?? '' },
      systemClockOffset: offset(),
      maxAttempts: 1,
      ...config,
    });
    clients.push(client);
    return client;
  }

  /**
   * An account with production access in REGION (50 000 a day, 14/s) and the relay's role, unless
   * `settings` say otherwise; `max_24_hour_send` and `max_send_rate` here are REGION's (SES keeps them
   * per region, and every other region stays in the sandbox).
   */
  function customerAccount(settings: CustomerAccountSettings = {}, policy: PolicyDocument = permissionsPolicy()): void {
    const { max_24_hour_send = 50_000, max_send_rate, regions, ...accountWide } = settings;
    const home = { max_24_hour_send, ...(max_send_rate === undefined ? {} : { max_send_rate }), ...regions?.[REGION] };
    sim.createAccount({ account_id: CUSTOMER, ...accountWide, regions: { ...regions, [REGION]: home } });
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: policy });
  }

  async function sesFor(config: Partial<SESClientConfig> = {}): Promise<SESClient> {
    return sesClient(await assumeRole(), config);
  }

  /** A domain verified in the client's region, without spending the identity-call budget of the test. */
  async function verifiedDomain(ses: SESClient, domain: string): Promise<void> {
    await ses.send(new VerifyDomainIdentityCommand({ Domain: domain }));
    sim.setIdentityStatus(CUSTOMER, domain, { ownership: 'Success' });
  }

  async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  return {
    sim,
    clock,
    advance: (ms: number) => clock.current.advance(ms),
    stsClient,
    assumeRole,
    sesClient,
    sesFor,
    customerAccount,
    verifiedDomain,
    control,
  };
}
