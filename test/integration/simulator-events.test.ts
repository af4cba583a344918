/**
 * SES event publishing in the simulator, driven by the real SES SDK client: a stack with the
 * customer template's four event resources (configuration set, EventBridge destination, forwarding
 * role, default-bus rule), sends through the set to each mailbox-simulator address, and what the
 * rule forwards to the relay's bus (a recording `eventBridge.deliver`), in the envelope and detail
 * shapes of AWS's EventBridge examples. Then the suppression list, a rule with a broken role, the
 * resources' update/delete/rollback, and the send-path refusals SES makes that the simulator used
 * to let through. Time is virtual: events come a few virtual seconds after a send.
 */
import { SendEmailCommand, SendRawEmailCommand, type SESClient, type SendEmailCommandInput } from '@aws-sdk/client-ses';
import {
  SENDFLEET_CONFIGURATION_SET,
  SENDFLEET_EVENT_DESTINATION,
  SES_MATCHING_EVENT_TYPES,
  type SesEventEnvelope,
} from '../../lambdas/shared/ses-events';
import { CUSTOMER, REGION, RELAY_ACCOUNT, rejectionOf, simpleEmail, simulatorHarness } from '../support/simulator-harness';
import { deliveryEventResources } from '../../lambdas/relay/byoc/customer-template';

const RELAY_BUS = `arn:aws:events:${REGION}:${RELAY_ACCOUNT}:event-bus/sendfleet-test-delivery-events`;
const SIM = 'simulator.amazonses.com';
const BUCKET = 'templates';

const delivered: Array<{ targetArn: string; envelope: SesEventEnvelope }> = [];
/** What the relay's bus does with a forwarded event; a test may make it hang or fail. */
let receive: () => Promise<void> = async () => {};

const h = simulatorHarness({
  eventBridge: {
    deliver: async (targetArn, envelope) => {
      delivered.push({ targetArn, envelope });
      await receive();
    },
  },
});

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** The customer template's event resources: the relay's own (customer-template.ts), forwarding to RELAY_BUS. */
function eventsTemplate(): Template {
  return { Resources: deliveryEventResources(RELAY_BUS) as Template['Resources'] };
}

const stacksPath = `/_sim/accounts/${CUSTOMER}/cloudformation/stacks`;

async function createStack(template: Template = eventsTemplate(), name = 'SendFleet-BYOC') {
  h.sim.putObject(BUCKET, `${name}.json`, JSON.stringify(template));
  const created = await h.control('POST', stacksPath, { template_url: `${h.sim.url}/_sim/s3/${BUCKET}/${name}.json`, stack_name: name, region: REGION });
  expect(created.status).toBe(201);
  return h.sim.stackSettled(CUSTOMER, name);
}

async function updateStack(template: Template, name = 'SendFleet-BYOC') {
  h.sim.putObject(BUCKET, `${name}-v2.json`, JSON.stringify(template));
  const updated = await h.control('PUT', `${stacksPath}/${name}`, { template_url: `${h.sim.url}/_sim/s3/${BUCKET}/${name}-v2.json`, region: REGION });
  expect(updated.status).toBe(200);
  return h.sim.stackSettled(CUSTOMER, name);
}

/** A sender in a production account, with the event stack in place. */
async function ready(): Promise<SESClient> {
  h.customerAccount();
  const ses = await h.sesFor();
  await h.verifiedDomain(ses, 'acme.com');
  expect((await createStack()).status).toBe('CREATE_COMPLETE');
  return ses;
}

const throughSet = (to: string[], extra: Partial<SendEmailCommandInput> = {}) =>
  new SendEmailCommand({
    Source: 'Acme <hello@acme.com>',
    Destination: { ToAddresses: to },
    Message: { Subject: { Data: 'Your order' }, Body: { Text: { Data: 'Thanks' } } },
    ConfigurationSetName: SENDFLEET_CONFIGURATION_SET,
    ...extra,
  });

/** Every scheduled event published and forwarded (virtual time jumps to each). */
const eventsSettled = () => h.clock.current.settled();

const typesFor = (messageId: string | undefined) =>
  delivered.filter((entry) => entry.envelope.detail.mail.messageId === messageId).map((entry) => entry.envelope['detail-type']);

const suppressedPath = `/_sim/accounts/${CUSTOMER}/regions/${REGION}/suppressed-destinations`;

beforeEach(() => {
  delivered.length = 0;
  receive = async () => {};
});

describe('a send through the set publishes what SES publishes, forwarded by the rule to the relay bus', () => {
  test('success@: Email Sent, then Email Delivered, with the envelope and detail of AWS\'s examples', async () => {
    const ses = await ready();
    const sentAt = h.clock.now();
    const { MessageId } = await ses.send(throughSet([`success@${SIM}`], { Tags: [{ Name: 'campaign', Value: 'spring-2027' }] }));
    await eventsSettled();

    expect(typesFor(MessageId)).toEqual(['Email Sent', 'Email Delivered']);
    const [sent, delivery] = delivered.map((entry) => entry.envelope) as [SesEventEnvelope, SesEventEnvelope];
    expect(delivered.every((entry) => entry.targetArn === RELAY_BUS)).toBe(true);
    expect(sent).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Email Sent',
      source: 'aws.ses',
      account: CUSTOMER,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: [`arn:aws:ses:${REGION}:${CUSTOMER}:configuration-set/${SENDFLEET_CONFIGURATION_SET}`],
      detail: {
        eventType: 'Send',
        send: {},
        mail: {
          timestamp: new Date(sentAt).toISOString(),
          messageId: MessageId,
          source: 'Acme <hello@acme.com>',
          sendingAccountId: CUSTOMER,
          destination: [`success@${SIM}`],
          headersTruncated: false,
          headers: expect.arrayContaining([{ name: 'Subject', value: 'Your order' }]),
          commonHeaders: { from: ['Acme <hello@acme.com>'], to: [`success@${SIM}`], messageId: MessageId, subject: 'Your order' },
          tags: expect.objectContaining({
            'ses:operation': ['SendEmail'],
            'ses:configuration-set': [SENDFLEET_CONFIGURATION_SET],
            'ses:from-domain': ['acme.com'],
            'ses:caller-identity': ['SendFleet-BYOC-Role'],
            campaign: ['spring-2027'],
          }),
        },
      },
    });
    expect(delivery.detail).toMatchObject({
      eventType: 'Delivery',
      delivery: { recipients: [`success@${SIM}`], smtpResponse: expect.stringMatching(/^250 /), processingTimeMillis: 2000 },
    });
    expect(Date.parse(delivery.time) - Date.parse(sent.time)).toBe(2000); // a few virtual seconds later
    // the same event the customer's default bus carried, same id, nothing else
    expect(h.sim.publishedEvents().map((event) => event.envelope.id)).toEqual([sent.id, delivery.id]);
  });

  test('each mailbox-simulator address ends as SES\'s mailbox simulator says; any other recipient is delivered', async () => {
    const ses = await ready();
    const ids: Record<string, string | undefined> = {};
    for (const local of ['bounce', 'ooto', 'complaint', 'suppressionlist']) ids[local] = (await ses.send(throughSet([`${local}@${SIM}`]))).MessageId;
    ids.other = (await ses.send(throughSet(['ann@example.com']))).MessageId;
    await eventsSettled();

    expect(typesFor(ids.bounce)).toEqual(['Email Sent', 'Email Bounced']);
    expect(typesFor(ids.ooto)).toEqual(['Email Sent', 'Email Delivered']);
    expect(typesFor(ids.complaint)).toEqual(['Email Sent', 'Email Delivered', 'Email Complaint Received']);
    expect(typesFor(ids.suppressionlist)).toEqual(['Email Sent', 'Email Bounced']);
    expect(typesFor(ids.other)).toEqual(['Email Sent', 'Email Delivered']);

    const detailOf = (id: string | undefined, type: string) => delivered.find((e) => e.envelope.detail.mail.messageId === id && e.envelope['detail-type'] === type)!.envelope.detail;
    expect(detailOf(ids.bounce, 'Email Bounced').bounce).toMatchObject({
      bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: `bounce@${SIM}`, status: '5.1.1' }], feedbackId: expect.any(String),
    });
    expect(detailOf(ids.suppressionlist, 'Email Bounced').bounce).toMatchObject({
      bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList', bouncedRecipients: [{ emailAddress: `suppressionlist@${SIM}` }],
    });
    expect(detailOf(ids.complaint, 'Email Complaint Received').complaint).toMatchObject({
      complainedRecipients: [{ emailAddress: `complaint@${SIM}` }], complaintFeedbackType: 'abuse', feedbackId: expect.any(String),
    });
  });

  test('one message to several classes of recipient: one event per type, each naming its recipients', async () => {
    const ses = await ready();
    const { MessageId } = await ses.send(throughSet([`success@${SIM}`, `bounce@${SIM}`, 'ann@example.com']));
    await eventsSettled();
    expect(typesFor(MessageId)).toEqual(['Email Sent', 'Email Delivered', 'Email Bounced']);
    expect(delivered[1]!.envelope.detail.delivery?.recipients).toEqual([`success@${SIM}`, 'ann@example.com']);
    expect(delivered[2]!.envelope.detail.bounce?.bouncedRecipients.map((r) => r.emailAddress)).toEqual([`bounce@${SIM}`]);
  });

  test('the send answers at once: a receiver that hangs holds no send, and events wait for virtual time', async () => {
    const ses = await ready();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    receive = () => gate;
    const { MessageId } = await ses.send(throughSet([`success@${SIM}`]));
    expect(MessageId).toBeDefined();
    release();
    await eventsSettled();
    expect(typesFor(MessageId)).toEqual(['Email Sent', 'Email Delivered']);
  });

  test('a send without the set, or through a set with no destination, publishes nothing', async () => {
    const ses = await ready();
    const bare = eventsTemplate();
    bare.Resources = { Other: { Type: 'AWS::SES::ConfigurationSet', Properties: { Name: 'no-destination' } } };
    expect((await createStack(bare, 'Other')).status).toBe('CREATE_COMPLETE');
    await ses.send(simpleEmail('hello@acme.com', [`success@${SIM}`]));
    await ses.send(throughSet([`success@${SIM}`], { ConfigurationSetName: 'no-destination' }));
    await eventsSettled();
    expect(delivered).toEqual([]);
    expect(h.sim.publishedEvents()).toEqual([]);
  });
});

describe('the account-level suppression list', () => {
  test('a hard bounce and a complaint through a set suppressing them add the address; a later send bounces OnAccountSuppressionList', async () => {
    const ses = await ready();
    await ses.send(throughSet([`bounce@${SIM}`]));
    await ses.send(throughSet([`complaint@${SIM}`]));
    await eventsSettled();
    const listed = await h.control('GET', suppressedPath);
    expect(listed).toEqual({
      status: 200,
      json: {
        suppressed_destinations: [
          { email_address: `bounce@${SIM}`, reason: 'BOUNCE', last_update_time: expect.any(String) },
          { email_address: `complaint@${SIM}`, reason: 'COMPLAINT', last_update_time: expect.any(String) },
        ],
      },
    });

    delivered.length = 0;
    const again = await ses.send(throughSet([`bounce@${SIM}`]));
    await eventsSettled();
    expect(typesFor(again.MessageId)).toEqual(['Email Sent', 'Email Bounced']);
    expect(delivered[1]!.envelope.detail.bounce).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' });
  });

  test('the customer removes an address (their console): the next send meets the mailbox again', async () => {
    const ses = await ready();
    expect((await h.control('PUT', `${suppressedPath}/ann@example.com`, { reason: 'BOUNCE' })).status).toBe(204);
    const first = await ses.send(throughSet(['ann@example.com']));
    expect((await h.control('DELETE', `${suppressedPath}/ann@example.com`)).status).toBe(204);
    expect((await h.control('DELETE', `${suppressedPath}/ann@example.com`)).status).toBe(404);
    const second = await ses.send(throughSet(['ann@example.com']));
    await eventsSettled();
    expect(delivered.find((e) => e.envelope.detail.mail.messageId === first.MessageId && e.envelope.detail.eventType === 'Bounce')?.envelope.detail.bounce?.bounceSubType).toBe('OnAccountSuppressionList');
    expect(typesFor(second.MessageId)).toEqual(['Email Sent', 'Email Delivered']);
    expect(h.sim.suppressedDestinations(CUSTOMER, REGION)).toEqual([]);
  });

  test('a set that suppresses only bounces leaves a complaining address off the list', async () => {
    const ses = await ready();
    const template = eventsTemplate();
    template.Resources.SendFleetEventsConfigurationSet!.Properties.SuppressionOptions = { SuppressedReasons: ['BOUNCE'] };
    expect((await updateStack(template)).status).toBe('UPDATE_COMPLETE');
    await ses.send(throughSet([`complaint@${SIM}`]));
    await eventsSettled();
    expect(h.sim.suppressedDestinations(CUSTOMER, REGION)).toEqual([]);
  });
});

describe('forwarding: EventBridge assumes the target role first', () => {
  const withRole = (change: (template: Template) => void) => {
    const template = eventsTemplate();
    change(template);
    return template;
  };
  const cases: Array<[string, Template, RegExp]> = [
    ['a role that does not trust events.amazonaws.com', withRole((t) => {
      t.Resources.SendFleetEventsForwardingRole!.Properties.AssumeRolePolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${RELAY_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
    }), /does not trust events\.amazonaws\.com/],
    ['a role without events:PutEvents on the target bus', withRole((t) => {
      t.Resources.SendFleetEventsForwardingRole!.Properties.Policies = [{ PolicyName: 'other', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:${REGION}:${RELAY_ACCOUNT}:event-bus/another` }] } }];
    }), /not allowed events:PutEvents/],
    ['a RoleArn that names no role', withRole((t) => {
      (t.Resources.SendFleetEventsRule!.Properties.Targets as Array<Record<string, unknown>>)[0]!.RoleArn = `arn:aws:iam::${CUSTOMER}:role/nobody`;
    }), /does not exist/],
  ];
  test.each(cases)('%s: nothing is delivered, each event is a failed forwarding in the control API', async (_name, template, reason) => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    expect((await createStack(template)).status).toBe('CREATE_COMPLETE');
    await ses.send(throughSet([`success@${SIM}`]));
    await eventsSettled();
    expect(delivered).toEqual([]);
    const events = await h.control('GET', '/_sim/events');
    const json = events.json as { events: unknown[]; forwarding_failures: Array<{ rule: string; target_id: string; reason: string; outcome: string }> };
    expect(json.events).toHaveLength(2); // on the customer's default bus all the same
    expect(json.forwarding_failures).toHaveLength(2);
    expect(json.forwarding_failures[0]).toMatchObject({ target_id: 'SendFleetRelay', target_arn: RELAY_BUS, outcome: 'failed', reason: expect.stringMatching(reason) });
  });

  test('a rule whose pattern names another set, or a disabled rule, forwards nothing', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const template = eventsTemplate();
    (template.Resources.SendFleetEventsRule!.Properties.EventPattern as { detail: { mail: { tags: Record<string, string[]> } } }).detail.mail.tags['ses:configuration-set'] = ['another-set'];
    expect((await createStack(template)).status).toBe('CREATE_COMPLETE');
    await ses.send(throughSet([`success@${SIM}`]));
    await eventsSettled();
    expect(delivered).toEqual([]);

    const disabled = eventsTemplate();
    disabled.Resources.SendFleetEventsRule!.Properties.State = 'DISABLED';
    expect((await updateStack(disabled)).status).toBe('UPDATE_COMPLETE');
    await ses.send(throughSet([`success@${SIM}`]));
    await eventsSettled();
    expect(delivered).toEqual([]);
    expect(h.sim.forwardings()).toEqual([]);
  });
});

describe('the four resources in simulated CloudFormation', () => {
  test('create shows the set with its destination; delete removes set, destination and rule', async () => {
    const ses = await ready();
    const stack = h.sim.stack(CUSTOMER, 'SendFleet-BYOC');
    expect(stack.resources.map((r) => [r.logical_id, r.status])).toEqual(expect.arrayContaining([
      ['SendFleetEventsConfigurationSet', 'CREATE_COMPLETE'], ['SendFleetEventsDestination', 'CREATE_COMPLETE'],
      ['SendFleetEventsForwardingRole', 'CREATE_COMPLETE'], ['SendFleetEventsRule', 'CREATE_COMPLETE'],
    ]));
    expect(stack.resources.find((r) => r.logical_id === 'SendFleetEventsConfigurationSet')?.physical_id).toBe(SENDFLEET_CONFIGURATION_SET);
    const view = await h.control('GET', `/_sim/accounts/${CUSTOMER}/regions/${REGION}/configuration-sets/${SENDFLEET_CONFIGURATION_SET}`);
    expect(view.json).toEqual({
      name: SENDFLEET_CONFIGURATION_SET, sending_enabled: true, suppressed_reasons: ['BOUNCE', 'COMPLAINT'],
      event_destinations: [{ name: SENDFLEET_EVENT_DESTINATION, enabled: true, matching_event_types: [...SES_MATCHING_EVENT_TYPES], event_bus_arn: `arn:aws:events:${REGION}:${CUSTOMER}:event-bus/default` }],
    });

    expect((await h.control('DELETE', `${stacksPath}/SendFleet-BYOC`)).status).toBe(202);
    expect((await h.sim.stackSettled(CUSTOMER, 'SendFleet-BYOC')).status).toBe('DELETE_COMPLETE');
    expect((await h.control('GET', `/_sim/accounts/${CUSTOMER}/regions/${REGION}/configuration-sets/${SENDFLEET_CONFIGURATION_SET}`)).status).toBe(404);
    expect((await rejectionOf(ses.send(throughSet([`success@${SIM}`])))).name).toBe('ConfigurationSetDoesNotExistException');
  });

  test('a set name that exists already fails the resource, and the stack rolls back what it created', async () => {
    const ses = await ready();
    const stack = await createStack(eventsTemplate(), 'Second');
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toBe(`Resource of type 'AWS::SES::ConfigurationSet' with identifier '${SENDFLEET_CONFIGURATION_SET}' already exists.`);
    // the first stack's set is untouched
    await expect(ses.send(throughSet([`success@${SIM}`]))).resolves.toHaveProperty('MessageId');
  });

  test('a failure after the set was created rolls the set back', async () => {
    h.customerAccount();
    const template = eventsTemplate();
    (template.Resources.SendFleetEventsDestination!.Properties.EventDestination as Record<string, unknown>).EventBridgeDestination = { EventBusArn: RELAY_BUS };
    const stack = await createStack(template);
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.status_reason).toMatch(/only the default event bus/);
    expect((await h.control('GET', `/_sim/accounts/${CUSTOMER}/regions/${REGION}/configuration-sets/${SENDFLEET_CONFIGURATION_SET}`)).status).toBe(404);
  });

  test('an update that disables the destination stops publishing; a failed update rolls the change back', async () => {
    const ses = await ready();
    const off = eventsTemplate();
    (off.Resources.SendFleetEventsDestination!.Properties.EventDestination as Record<string, unknown>).Enabled = false;
    expect((await updateStack(off)).status).toBe('UPDATE_COMPLETE');
    await ses.send(throughSet([`success@${SIM}`]));
    await eventsSettled();
    expect(delivered).toEqual([]);

    const broken = eventsTemplate(); // destination back on, but the rule's new pattern cannot be matched
    (broken.Resources.SendFleetEventsRule!.Properties.EventPattern as Record<string, unknown>).source = [{ prefix: 'aws.' }];
    const stack = await updateStack(broken);
    expect(stack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    await ses.send(throughSet([`success@${SIM}`]));
    await eventsSettled();
    expect(delivered).toEqual([]); // still disabled: the destination's update was rolled back
  });
});

describe('send-path refusals SES makes', () => {
  test('a ConfigurationSetName that does not exist → ConfigurationSetDoesNotExist', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const error = await rejectionOf(ses.send(throughSet(['ann@example.com'], { ConfigurationSetName: 'missing' })));
    expect(error).toMatchObject({ name: 'ConfigurationSetDoesNotExistException', message: 'Configuration set <missing> does not exist.', $metadata: { httpStatusCode: 400 } });
    expect(h.sim.mailbox()).toEqual([]);
  });

  test('a paused set → ConfigurationSetSendingPausedException until resumed (control API)', async () => {
    const ses = await ready();
    const sendingPath = `/_sim/accounts/${CUSTOMER}/regions/${REGION}/configuration-sets/${SENDFLEET_CONFIGURATION_SET}/sending`;
    expect((await h.control('PUT', sendingPath, { enabled: false })).json).toMatchObject({ sending_enabled: false });
    expect((await rejectionOf(ses.send(throughSet(['ann@example.com'])))).name).toBe('ConfigurationSetSendingPausedException');
    await expect(ses.send(simpleEmail('hello@acme.com', ['ann@example.com']))).resolves.toHaveProperty('MessageId'); // without the set
    await h.control('PUT', sendingPath, { enabled: true });
    await expect(ses.send(throughSet(['ann@example.com']))).resolves.toHaveProperty('MessageId');
  });

  test('a paused account → AccountSendingPausedException, set or no set', async () => {
    const ses = await ready();
    h.sim.createAccount({ account_id: CUSTOMER, sending_enabled: false });
    expect((await rejectionOf(ses.send(throughSet(['ann@example.com'])))).name).toBe('AccountSendingPausedException');
    expect((await rejectionOf(ses.send(simpleEmail('hello@acme.com', ['ann@example.com'])))).name).toBe('AccountSendingPausedException');
  });

  test('the sandbox lets the mailbox-simulator addresses through, and only them among unverified recipients', async () => {
    h.customerAccount({ max_24_hour_send: 200 });
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    for (const local of ['success', 'bounce', 'ooto', 'complaint', 'suppressionlist']) {
      await expect(ses.send(simpleEmail('hello@acme.com', [`${local}@${SIM}`]))).resolves.toHaveProperty('MessageId');
      await h.advance(1_000); // the sandbox's one message a second
    }
    expect((await rejectionOf(ses.send(simpleEmail('hello@acme.com', [`success@${SIM}`, 'ann@example.com'])))).message).toMatch(/^Email address is not verified\..*: ann@example\.com$/);
  });

  const raw = (headers: string) => Buffer.from(`${headers}\r\nTo: ann@example.com\r\nSubject: Hi\r\nContent-Type: text/plain\r\n\r\nHello\r\n`);
  test.each([
    ['a From header', raw('From: Mallory <boss@elsewhere.com>'), 'hello@acme.com'],
    ['a Sender header', raw('From: hello@acme.com\r\nSender: boss@elsewhere.com'), undefined],
    ['a Return-Path header', raw('From: hello@acme.com\r\nReturn-Path: <boss@elsewhere.com>'), undefined],
  ])('an unverified identity in %s of a raw message → MessageRejected naming it', async (_name, data, source) => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const error = await rejectionOf(ses.send(new SendRawEmailCommand({ RawMessage: { Data: data }, ...(source ? { Source: source } : {}) })));
    expect(error.name).toBe('MessageRejected');
    expect(error.message).toMatch(/^Email address is not verified\. The following identities failed the check in region EU-WEST-1: .*boss@elsewhere\.com$/);
    expect(h.sim.mailbox()).toEqual([]);
  });

  test('an unverified ReturnPath parameter → MessageRejected; a verified one goes', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const send = (returnPath: string) => ses.send(new SendEmailCommand({
      Source: 'hello@acme.com', ReturnPath: returnPath, Destination: { ToAddresses: ['ann@example.com'] },
      Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } },
    }));
    expect((await rejectionOf(send('bounces@elsewhere.com'))).message).toMatch(/^Email address is not verified\..*bounces@elsewhere\.com$/);
    await expect(send('bounces@acme.com')).resolves.toHaveProperty('MessageId');
  });

  test.each([
    ['a name with a dot', { Name: 'order.id', Value: 'x' }],
    ['a value with a space', { Name: 'order', Value: 'a b' }],
    ['a value over 256 characters', { Name: 'order', Value: 'v'.repeat(257) }],
    ['a name over 256 characters', { Name: 'n'.repeat(257), Value: 'x' }],
  ])('a message tag with %s → InvalidParameterValue', async (_name, tag) => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    const error = await rejectionOf(ses.send(new SendEmailCommand({
      Source: 'hello@acme.com', Destination: { ToAddresses: ['ann@example.com'] }, Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } }, Tags: [tag],
    })));
    expect(error.name).toBe('InvalidParameterValue');
    expect(h.sim.mailbox()).toEqual([]);
  });

  test('tags of 256 allowed characters go', async () => {
    h.customerAccount();
    const ses = await h.sesFor();
    await h.verifiedDomain(ses, 'acme.com');
    await expect(ses.send(new SendEmailCommand({
      Source: 'hello@acme.com', Destination: { ToAddresses: ['ann@example.com'] }, Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } },
      Tags: [{ Name: 'A-z_0'.repeat(51) + 'x', Value: 'v'.repeat(256) }],
    }))).resolves.toHaveProperty('MessageId');
  });
});
