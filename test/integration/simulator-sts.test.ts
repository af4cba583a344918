/**
 * STS and SigV4 as AWS enforce them: role chaining caps sessions at one hour (the relay runs as an
 * assumed role, as in Lambda), regions whose STS endpoint an account deactivated are refused, and
 * requests signed more than 15 minutes off or for another service or region are refused.
 */
import { GetSendQuotaCommand, SESClient } from '@aws-sdk/client-ses';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CUSTOMER, RELAY_ACCESS_KEY_ID, ROLE, permissionsPolicy, rejectionOf, simulatorHarness, trustPolicy } from '../support/simulator-harness';

jest.setTimeout(30_000);

const h = simulatorHarness({ controlPlaneBurst: 50 });
const { sim } = h;

describe('role chaining', () => {
  test('the relay, itself an assumed role, gets at most one hour whatever the role allows', async () => {
    sim.createAccount({ account_id: CUSTOMER });
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy(), max_session_duration: 43_200 });
    const error = await rejectionOf(h.assumeRole({ DurationSeconds: 3601 }));
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(h.assumeRole({ DurationSeconds: 3600 })).resolves.toHaveProperty('AccessKeyId');
    await expect(h.assumeRole({ DurationSeconds: 900 })).resolves.toHaveProperty('AccessKeyId');
  });
});

describe('RegionDisabledException', () => {
  test("a region whose STS endpoint the account deactivated refuses AssumeRole; other regions work", async () => {
    h.customerAccount({ regions: { 'ap-southeast-3': { sts_enabled: false } } });
    const error = await rejectionOf(h.assumeRole({}, { region: 'ap-southeast-3' }));
    expect(error.name).toBe('RegionDisabledException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toContain(`account:${CUSTOMER}`);
    await expect(h.assumeRole({}, { region: 'eu-west-1' })).resolves.toHaveProperty('AccessKeyId');
  });
});

describe('SigV4 clock skew', () => {
  test('a signature more than 15 minutes old is refused with SignatureDoesNotMatch "Signature expired"', async () => {
    h.customerAccount();
    const credentials = await h.assumeRole();
    // both sign with the simulator's time of now; an SDK client corrects its clock from any answer's Date header, so each is used once
    const withinSkew = h.sesClient(credentials);
    const beyondSkew = h.sesClient(credentials);
    await h.advance(15 * 60 * 1000 - 2000); // SigV4 dates have whole seconds: a little margin
    await expect(withinSkew.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('Max24HourSend');
    await h.advance(4000);
    const error = await rejectionOf(beyondSkew.send(new GetSendQuotaCommand({})));
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  test('a signature more than 15 minutes ahead is refused with "Signature not yet current"', async () => {
    h.customerAccount();
    const ahead = h.stsClient({ skewMs: 16 * 60 * 1000 }); // signs 16 minutes ahead of the simulator
    const error = await rejectionOf(ahead.send(new (await import('@aws-sdk/client-sts')).AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CUSTOMER}:role/${ROLE}`, RoleSessionName: 'ahead' })));
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.message).toMatch(/^Signature not yet current: .* \+ 15 min\.\)$/);
  });

  test("the SDK corrects its clock from the simulator's Date header and succeeds on its retry", async () => {
    h.customerAccount();
    const credentials = await h.assumeRole();
    const ses = h.sesClient(credentials, { maxAttempts: 3 });
    await h.advance(20 * 60 * 1000);
    const quota = await ses.send(new GetSendQuotaCommand({}));
    expect(quota.$metadata.attempts).toBe(2);
  });
});

describe('SigV4 credential scope', () => {
  test('an endpoint pinned to a region refuses a scope for another region', async () => {
    h.customerAccount();
    const credentials = await h.assumeRole();
    const client = (region: string) => {
      const ses = new SESClient({
        endpoint: `${sim.url}/eu-west-1`,
        region,
        maxAttempts: 1,
        systemClockOffset: h.clock.now() - Date.now(),
        credentials: { accessKeyId: credentials.AccessKeyId ?? '', secretAccessKey: credentials.SecretAccessKey ?? '', sessionToken: credentials.SessionToken ?? '' },
      });
      return ses;
    };
    const wrong = client('us-east-1');
    const error = await rejectionOf(wrong.send(new GetSendQuotaCommand({})));
    expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'us-east-1'. ", $metadata: { httpStatusCode: 403 } });
    const right = client('eu-west-1');
    await expect(right.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('Max24HourSend');
    wrong.destroy();
    right.destroy();
  });

  test('an SES call signed for STS is refused', async () => {
    const body = 'Action=GetSendQuota&Version=2010-12-01';
    const url = new URL(sim.url);
    const signer = new SignatureV4({ service: 'sts', region: 'eu-west-1', credentials: { accessKeyId: RELAY_ACCESS_KEY_ID, secretAccessKey: 'any' }, sha256: Sha256 });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      },
      { signingDate: new Date(h.clock.now()) },
    );
    const response = await fetch(sim.url, { method: 'POST', body, headers: signed.headers as Record<string, string> });
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(xml).toContain("<Message>Credential should be scoped to correct service: &apos;ses&apos;. </Message>");
  });
});
