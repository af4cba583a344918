/**
 * The one-click onboarding end to end, with no JSON pasted: the tenant's `launch_stack_url` is
 * opened in the customer's (simulated) CloudFormation, the stack creates the role and its custom
 * resource reaches the relay's real registration handler the way SNS delivers it; the handler
 * validates through real STS/SES SDK clients and answers at the simulator's ResponseURL. The real
 * relay, DynamoDB Local, the simulator, one virtual clock: IAM propagation costs no wall time.
 */
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { CUSTOMER_STACK_NAME, EVENT_FORWARDING_ROLE_NAME } from '../../lambdas/relay/byoc/customer-template';
import { NOT_ACCEPTED_REASON } from '../../lambdas/relay/registration/register-stack';
import { call, createTenant, launchStack, startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let nextAccount = 710_000_000_000;
const REGION = 'us-east-1';
const FAILED_PREFIX = 'Received response status [FAILED] from custom resource. Message returned: ';

beforeAll(async () => {
  system = await startTestSystem('onboarding-stack');
});
afterAll(() => system?.stop());

const roleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/${BYOC_ROLE_NAME}`;
const config = async (apiKey: string) => (await call(system.relayUrl, 'GET', '/api/byoc/config', { apiKey })).body;
const send = (apiKey: string, from = 'hello@stack.dev') =>
  call(system.relayUrl, 'POST', '/api/send', { apiKey, body: { to: 'someone@example.com', from_email: from, subject: 'Hi', message: 'Hello' } });

/** A customer account: production access in REGION unless `sandbox`. */
function customerAccount({ sandbox = false } = {}): string {
  const accountId = String(nextAccount++);
  system.simulator.createAccount({ account_id: accountId, ...(sandbox ? {} : { regions: { [REGION]: { max_24_hour_send: 50_000 } } }) });
  return accountId;
}

/** The sending domain, added and verified through the API (the simulator stands in for DNS). */
async function verifiedDomain(apiKey: string, accountId: string, domain = 'stack.dev'): Promise<void> {
  expect([200, 201]).toContain((await call(system.relayUrl, 'POST', '/api/byoc/domains', { apiKey, body: { domain } })).status);
  system.simulator.setIdentityStatus(accountId, domain, { ownership: 'Success', dkim: 'Success', mail_from: 'Success' });
  expect((await call(system.relayUrl, 'POST', `/api/byoc/domains/${domain}/verify`, { apiKey })).status).toBe(200);
}

describe('Launch stack → CloudFormation → validated', () => {
  test('a new tenant goes from API key to a validated config with the link alone, and sends', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount();
    const before = await config(apiKey);
    expect(before).toMatchObject({ status: expect.not.stringMatching(/^validated$/), role_arn: null, launch_stack_url: expect.stringContaining('/_sim/cloudformation/quickcreate?') });

    const stack = await launchStack(system, apiKey, accountId);
    expect(stack).toMatchObject({ status: 'CREATE_COMPLETE', status_reason: null, region: REGION, outputs: { RoleArn: roleArn(accountId) } });
    expect(system.simulator.account(accountId).roles).toEqual([BYOC_ROLE_NAME, EVENT_FORWARDING_ROLE_NAME]);
    expect(await config(apiKey)).toMatchObject({ status: 'validated', role_arn: roleArn(accountId), region: REGION, validated_at: expect.any(String) });

    await verifiedDomain(apiKey, accountId);
    const sent = await send(apiKey);
    expect(sent.status).toBe(200);
    expect(system.simulator.mailbox().filter((m) => m.account_id === accountId)).toHaveLength(1);
  });

  test('a stack in another region (the customer switched the console\'s region): the topic of that region registers it there', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = String(nextAccount++);
    system.simulator.createAccount({ account_id: accountId, regions: { 'eu-west-1': { max_24_hour_send: 50_000 } } });
    const link = new URL(String((await config(apiKey)).launch_stack_url));
    link.searchParams.set('region', 'eu-west-1');
    expect((await call(system.simUrl, 'POST', `/_sim/accounts/${accountId}/cloudformation/stacks`, { body: { quick_create_url: link.toString() } })).status).toBe(201);
    const stack = await system.simulator.stackSettled(accountId, CUSTOMER_STACK_NAME);
    expect(stack).toMatchObject({ status: 'CREATE_COMPLETE', region: 'eu-west-1' });
    expect(await config(apiKey)).toMatchObject({ status: 'validated', region: 'eu-west-1', role_arn: roleArn(accountId) });
  });

  test('a sandbox account: the stack fails with the sandbox reason and rolls the role back; the config is not validated', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount({ sandbox: true });
    const stack = await launchStack(system, apiKey, accountId);
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toMatch(new RegExp(`^${escape(FAILED_PREFIX)}Your SES account in us-east-1 is in the SES sandbox`));
    expect(system.simulator.account(accountId).roles).toEqual([]);
    // the rollback's Delete (of the failed registration) disconnects nothing
    expect((await config(apiKey)).status).not.toMatch(/^(validated|disconnected)$/);
  });

  test('a wrong ExternalId: FAILED in words that do not tell whether it exists, the role rolled back', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount();
    const link = new URL(String((await config(apiKey)).launch_stack_url));
    link.searchParams.set('param_ExternalId', 'f'.repeat(48));
    const created = await call(system.simUrl, 'POST', `/_sim/accounts/${accountId}/cloudformation/stacks`, { body: { quick_create_url: link.toString() } });
    expect(created.status).toBe(201);
    const stack = await system.simulator.stackSettled(accountId, CUSTOMER_STACK_NAME);
    expect(stack).toMatchObject({ status: 'ROLLBACK_COMPLETE', status_reason: FAILED_PREFIX + NOT_ACCEPTED_REASON });
    expect(system.simulator.account(accountId).roles).toEqual([]);
    expect((await config(apiKey)).role_arn).toBeNull();
  });

  test('a role in another account (an edited template): FAILED, nothing saved', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount();
    const current = await config(apiKey);
    // the customer downloads the hosted template and edits it
    const hosted = await fetch(String(new URL(String(current.launch_stack_url)).searchParams.get('templateURL')));
    const template = (await hosted.json()) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.SendFleetRegistration!.Properties.RoleArn = roleArn('999999999999');
    system.simulator.putObject('customer-edits', 'edited.json', JSON.stringify(template));
    const created = await call(system.simUrl, 'POST', `/_sim/accounts/${accountId}/cloudformation/stacks`, {
      body: { template_url: `${system.simUrl}/_sim/s3/customer-edits/edited.json`, stack_name: CUSTOMER_STACK_NAME, region: REGION, parameters: { ExternalId: String(current.external_id), RegistrationToken: new URL(String(current.launch_stack_url)).searchParams.get('param_RegistrationToken')! } },
    });
    expect(created.status).toBe(201);
    const stack = await system.simulator.stackSettled(accountId, CUSTOMER_STACK_NAME);
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toBe(`${FAILED_PREFIX}SendFleet did not accept this registration: the role ${roleArn('999999999999')} is not in the stack's own account ${accountId}. Deploy the template in the account whose SES SendFleet should use; it creates the role there.`);
    expect((await config(apiKey)).role_arn).toBeNull();
  });
});

describe('after the stack: rotation and deletion', () => {
  test('update with a rotated ExternalId: sends work at every step, and the previous ExternalId is dropped once the new one validates', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount();
    expect((await launchStack(system, apiKey, accountId)).status).toBe('CREATE_COMPLETE');
    await verifiedDomain(apiKey, accountId);
    expect((await send(apiKey)).status).toBe(200);
    const first = String((await config(apiKey)).external_id);

    expect((await call(system.relayUrl, 'POST', '/api/byoc/external-id/rotate', { apiKey })).status).toBe(200);
    const rotating = await config(apiKey);
    expect(rotating).toMatchObject({ previous_external_id: first, external_id: expect.not.stringMatching(first) });
    const link = new URL(String(rotating.launch_stack_url));
    expect([link.searchParams.get('param_ExternalId'), link.searchParams.get('param_PreviousExternalId')]).toEqual([rotating.external_id, first]);
    expect((await send(apiKey)).status).toBe(200); // the role still trusts only the previous one

    const updated = await launchStack(system, apiKey, accountId, { update: true });
    expect(updated).toMatchObject({ status: 'UPDATE_COMPLETE', parameters: { ExternalId: rotating.external_id, PreviousExternalId: first } });
    expect(await config(apiKey)).toMatchObject({ status: 'validated', external_id: rotating.external_id, previous_external_id: null });
    expect((await send(apiKey)).status).toBe(200);
    expect(system.simulator.mailbox().filter((m) => m.account_id === accountId)).toHaveLength(3);
  });

  test('delete: the registration is told, the role goes, the config is disconnected and sends are refused with byoc_disconnected', async () => {
    const { apiKey } = await createTenant(system, 'byoc');
    const accountId = customerAccount();
    expect((await launchStack(system, apiKey, accountId)).status).toBe('CREATE_COMPLETE');
    await verifiedDomain(apiKey, accountId);
    expect((await send(apiKey)).status).toBe(200);

    expect((await call(system.simUrl, 'DELETE', `/_sim/accounts/${accountId}/cloudformation/stacks/${CUSTOMER_STACK_NAME}`)).status).toBe(202);
    expect((await system.simulator.stackSettled(accountId, CUSTOMER_STACK_NAME)).status).toBe('DELETE_COMPLETE');
    expect(system.simulator.account(accountId).roles).toEqual([]);
    expect((await config(apiKey)).status).toBe('disconnected');
    const refused = await send(apiKey);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ success: false, error: 'byoc_disconnected', detail: expect.stringContaining('Launch stack in AWS') });

    // launching the stack again reconnects
    expect((await launchStack(system, apiKey, accountId)).status).toBe('CREATE_COMPLETE');
    expect((await config(apiKey)).status).toBe('validated');
    expect((await send(apiKey)).status).toBe(200);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
