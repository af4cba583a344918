/**
 * IAM as the relay meets it: changes propagate after the account's delay, and send permissions
 * are checked against the From address's identity ARNs with the policy's Resource and Condition.
 */
import { GetSendQuotaCommand } from '@aws-sdk/client-ses';
import type { PolicyDocument } from '../../sim/simulator';
import {
  CUSTOMER,
  EXTERNAL_ID,
  REGION,
  ROLE,
  permissionsPolicy,
  rejectionOf,
  simpleEmail,
  simulatorHarness,
  trustPolicy,
} from '../support/simulator-harness';

jest.setTimeout(30_000);

const h = simulatorHarness({ controlPlaneBurst: 50 });
const { sim } = h;

describe('IAM propagation', () => {
  test('a new role can be assumed only after iam_propagation_ms', async () => {
    const created = await h.control('POST', '/_sim/accounts', { account_id: CUSTOMER, iam_propagation_ms: 10_000, regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
    expect(created.json).toMatchObject({ iam_propagation_ms: 10_000 });
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: permissionsPolicy() });
    expect(sim.account(CUSTOMER).roles).toEqual([ROLE]); // IAM itself shows the role at once

    await h.advance(9_999);
    const early = await rejectionOf(h.assumeRole());
    expect(early).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await h.advance(1);
    await expect(h.assumeRole()).resolves.toHaveProperty('AccessKeyId');
  });

  test('a changed trust policy and a changed permissions policy apply only after the delay', async () => {
    h.customerAccount({ iam_propagation_ms: 5_000 }); // the new role itself waits for the delay too
    await h.advance(5_000);
    const ses = await h.sesFor();
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy('new-external-id'), permissions_policy: permissionsPolicy(['ses:SendEmail']) });

    await expect(h.assumeRole()).resolves.toHaveProperty('AccessKeyId'); // the old ExternalId still works
    await expect(ses.send(new GetSendQuotaCommand({}))).resolves.toHaveProperty('Max24HourSend'); // and the old permissions
    await h.advance(5_000);
    expect((await rejectionOf(h.assumeRole())).name).toBe('AccessDenied');
    await expect(h.assumeRole({ ExternalId: 'new-external-id' })).resolves.toHaveProperty('AccessKeyId');
    expect((await rejectionOf(ses.send(new GetSendQuotaCommand({})))).name).toBe('AccessDenied');
  });

  test('without a delay (the default) changes apply at once', async () => {
    h.customerAccount();
    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy('new-external-id'), permissions_policy: permissionsPolicy() });
    expect((await rejectionOf(h.assumeRole({ ExternalId: EXTERNAL_ID }))).name).toBe('AccessDenied');
  });
});

describe('resource-level send permissions', () => {
  const identity = (name: string) => `arn:aws:ses:${REGION}:${CUSTOMER}:identity/${name}`;
  const scoped = (statement: Record<string, unknown>): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['ses:GetSendQuota', 'ses:VerifyDomainIdentity'], Resource: '*' },
      { Effect: 'Allow', Action: ['ses:SendEmail', 'ses:SendRawEmail'], ...statement },
    ],
  });

  async function senderWith(policy: PolicyDocument) {
    h.customerAccount({}, policy);
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    await h.verifiedDomain(ses, 'other.com');
    return ses;
  }

  test('a policy on the domain identity alone is refused on the address identity, in SES wording', async () => {
    const ses = await senderWith(scoped({ Resource: identity('acme.com') }));
    const error = await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User \`arn:aws:sts::${CUSTOMER}:assumed-role/${ROLE}/relay-test' is not authorized to perform \`ses:SendEmail' on resource \`${identity('hello@acme.com')}'`,
    );
  });

  test('the domain and its addresses: sends from it go, sends from another domain are refused on that domain', async () => {
    const ses = await senderWith(scoped({ Resource: [identity('acme.com'), identity('*@acme.com')] }));
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
    const error = await rejectionOf(ses.send(simpleEmail('hello@other.com', ['ann@example.com'])));
    expect(error.message).toContain(`on resource \`${identity('hello@other.com')}'`);
  });

  test('StringEquals and StringLike on ses:FromAddress', async () => {
    const exact = await senderWith(scoped({ Resource: '*', Condition: { StringEquals: { 'ses:FromAddress': 'hello@acme.com' } } }));
    await expect(exact.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
    expect((await rejectionOf(exact.send(simpleEmail('sales@acme.com', ['ann@example.com'])))).name).toBe('AccessDenied');

    sim.putRole(CUSTOMER, ROLE, { trust_policy: trustPolicy(), permissions_policy: scoped({ Resource: '*', Condition: { StringLike: { 'ses:FromAddress': '*@acme.com' } } }) });
    await expect(exact.send(simpleEmail('sales@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId');
    expect((await rejectionOf(exact.send(simpleEmail('sales@other.com', ['ann@example.com'])))).name).toBe('AccessDenied');
  });

  test('a policy scoped to identities does not grant the calls that take no resource', async () => {
    h.customerAccount({}, { Statement: [{ Effect: 'Allow', Action: 'ses:*', Resource: identity('acme.com') }] });
    const ses = await h.sesFor();
    expect((await rejectionOf(ses.send(new GetSendQuotaCommand({})))).name).toBe('AccessDenied');
  });

  test('a condition the simulator cannot judge fails closed: its Allow grants nothing, its Deny denies', async () => {
    const unknownCondition = { StringEquals: { 'ses:Recipients': 'ann@example.com' } };
    const allowOnly = await senderWith(scoped({ Resource: '*', Condition: unknownCondition }));
    expect((await rejectionOf(allowOnly.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('AccessDenied');

    sim.putRole(CUSTOMER, ROLE, {
      trust_policy: trustPolicy(),
      permissions_policy: { Statement: [{ Effect: 'Allow', Action: 'ses:*', Resource: '*' }, { Effect: 'Deny', Action: 'ses:SendEmail', Resource: '*', Condition: unknownCondition }] },
    });
    expect((await rejectionOf(allowOnly.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('AccessDenied');
  });
});
