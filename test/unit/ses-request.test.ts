/**
 * The configuration set on the SES input (both actions), carried from the config through the
 * customer-account port in the one SES call, and the error map's words for the set's failures.
 */
import { SendEmailCommand, SendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumedRoleAccounts } from '../../lambdas/relay/customer-account/customer-account';
import { SesRefusedError } from '../../lambdas/relay/customer-account/errors';
import { toSesRequest } from '../../lambdas/relay/customer-account/ses-request';
import { CustomerSessions } from '../../lambdas/relay/customer-account/sessions';
import { customerAccountRefusal } from '../../lambdas/relay/error-map';
import { prepareMessage } from '../../lambdas/relay/send/message/prepared';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { checkReadyToSend } from '../../lambdas/relay/send/send-context';
import type { ByocConfig } from '../../lambdas/relay/store/config-store';
import type { DomainRecord } from '../../lambdas/relay/store/domain-store';
import { errorStatus } from '../../lambdas/shared/errors';
import { SENDFLEET_CONFIGURATION_SET } from '../../lambdas/shared/ses-events';
import { recordingClock } from '../support/recording-clock';

const base = { to: 'a@example.com', from_email: 'h@acme.com', subject: 'S', message: 'T' };
const plain = () => prepareMessage(parseSendRequest(base));
const withHeader = () => prepareMessage(parseSendRequest({ ...base, headers: { 'X-A': 'b' } }));

describe('the SES input names the configuration set', () => {
  test('SendEmail and SendRawEmail carry ConfigurationSetName when the config has one', async () => {
    const sendEmail = toSesRequest(await plain(), SENDFLEET_CONFIGURATION_SET);
    const sendRaw = toSesRequest(await withHeader(), SENDFLEET_CONFIGURATION_SET);
    expect(sendEmail.action).toBe('SendEmail');
    expect(sendRaw.action).toBe('SendRawEmail');
    expect(sendEmail.input.ConfigurationSetName).toBe(SENDFLEET_CONFIGURATION_SET);
    expect(sendRaw.input.ConfigurationSetName).toBe(SENDFLEET_CONFIGURATION_SET);
  });

  test('a role set up by hand (no set) sends as before: no ConfigurationSetName at all', async () => {
    expect('ConfigurationSetName' in toSesRequest(await plain()).input).toBe(false);
    expect('ConfigurationSetName' in toSesRequest(await withHeader()).input).toBe(false);
  });

  test('the send context takes the set from the config it already loads (no extra read)', () => {
    const config = { tenant_id: 't', external_id: 'e'.repeat(48), role_arn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', region: 'eu-west-1', status: 'validated', validated_at: 'x', checks: [], revision: 1, updated_at: 'x' } as ByocConfig;
    const domain = { domain: 'acme.com', region: 'eu-west-1', ownership_status: 'Success', dkim_status: 'Success' } as DomainRecord;
    const ready = (c: ByocConfig) => {
      const readiness = checkReadyToSend('t', { config: c, domains: [domain] }, 'acme.com', '111111111111');
      if (!('ready' in readiness)) throw new Error('not ready');
      return readiness.ready;
    };
    expect(ready({ ...config, configuration_set: SENDFLEET_CONFIGURATION_SET }).configurationSet).toBe(SENDFLEET_CONFIGURATION_SET);
    expect(ready({ ...config, configuration_set: null }).configurationSet).toBeUndefined();
    expect(ready(config).configurationSet).toBeUndefined();
  });
});

describe('through the customer-account port: one SES call carrying the set', () => {
  const ses = mockClient(SESClient);
  const sts = mockClient(STSClient);
  const clock = recordingClock(1_000_000);
  const target = { tenantId: 't', roleArn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', externalId: 'e'.repeat(48), region: 'eu-west-1' };
  beforeEach(() => {
    ses.reset();
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) } });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-2' });
  });
  const accounts = () => new AssumedRoleAccounts(new CustomerSessions(new STSClient({ region: 'us-east-1' }), { clock }), { clock, random: () => 0.5, attemptTimeoutMs: 5_000 });

  test('open({ configurationSet }) → the SendEmail and SendRawEmail commands name it', async () => {
    const account = accounts().open(target, { configurationSet: SENDFLEET_CONFIGURATION_SET });
    await account.send(await plain());
    await account.send(await withHeader());
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.ConfigurationSetName)).toEqual([SENDFLEET_CONFIGURATION_SET]);
    expect(ses.commandCalls(SendRawEmailCommand).map((c) => c.args[0].input.ConfigurationSetName)).toEqual([SENDFLEET_CONFIGURATION_SET]);
  });

  test('without it, the commands name none', async () => {
    await accounts().open(target).send(await plain());
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.ConfigurationSetName).toBeUndefined();
  });
});

describe('the error map: the set\'s failures in our words', () => {
  const context = { relayAccountId: '111111111111', region: 'eu-west-1' };

  test.each(['ConfigurationSetDoesNotExist', 'ConfigurationSetDoesNotExistException'])('%s → 422 configuration_set_missing, telling to update the SendFleet-BYOC stack', (code) => {
    const why = customerAccountRefusal(new SesRefusedError('SendEmail', code), context)!;
    expect(why.code).toBe('configuration_set_missing');
    expect(errorStatus[why.code]).toBe(422);
    expect(why.detail).toMatch(/Update the SendFleet-BYOC stack in eu-west-1/);
    expect(why.detail).toContain(SENDFLEET_CONFIGURATION_SET);
  });

  test('a paused configuration set has its own advice (re-enable the set); a paused account keeps its own', () => {
    const pausedSet = customerAccountRefusal(new SesRefusedError('SendRawEmail', 'ConfigurationSetSendingPausedException'), context)!;
    expect(pausedSet).toMatchObject({ code: 'ses_rejected', detail: expect.stringMatching(/update-configuration-set-sending-enabled --configuration-set-name SendFleet-BYOC-Events --enabled/) });
    const pausedAccount = customerAccountRefusal(new SesRefusedError('SendEmail', 'AccountSendingPausedException'), context)!;
    expect(pausedAccount).toMatchObject({ code: 'ses_rejected', detail: expect.stringMatching(/Sending is paused for your SES account; re-enable it/) });
  });
});
