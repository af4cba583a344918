import { App } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app';
import { ConfigError, readConfig, relayEventBusArn } from '../../lib/config';
import { CDK_JSON_CONTEXT, PLATFORM_ACCOUNT, RELAY_ACCOUNT, RELAY_BUS_ARN, synthesized } from './helpers';

const valid = {
  platformAccount: PLATFORM_ACCOUNT, platformRegion: 'eu-west-1',
  relayAccount: RELAY_ACCOUNT, relayRegion: 'eu-west-1',
  stage: 'dev',
} as Record<string, unknown>;
const read = (overrides: Record<string, unknown>) => readConfig((key) => ({ ...valid, ...overrides })[key]);
const problemsOf = (overrides: Record<string, unknown>): string => {
  try {
    read(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('deployment configuration', () => {
  test('cdk.json carries the example dev configuration', () => {
    const config = readConfig((key) => CDK_JSON_CONTEXT[key]);
    expect(config).toEqual({
      stage: 'dev',
      accounts: { platform: { account: PLATFORM_ACCOUNT, region: 'eu-west-1' }, relay: { account: RELAY_ACCOUNT, region: 'eu-west-1' } },
      names: {
        relayEventBus: 'sendfleet-dev-tenant-events',
        platformEventBus: 'sendfleet-dev-tenant-changes',
        forwardingRole: 'sendfleet-dev-tenant-forwarding',
        customerWebAcl: 'sendfleet-dev-customer-api',
        deliveryEventsBus: 'sendfleet-dev-delivery-events',
        customerKeysFunction: 'sendfleet-dev-customer-keys',
      },
      relayEventBusName: 'sendfleet-dev-tenant-events',
      alarmEmail: undefined,
      destroyOnDelete: false,
      // The relay's region and us-east-1 (where the launch link points until a region is chosen).
      registrationRegions: ['eu-west-1', 'us-east-1'],
    });
    expect(relayEventBusArn(config)).toBe(RELAY_BUS_ARN);
  });

  test('registrationRegions adds SES regions to the relay\'s and us-east-1, and refuses others', () => {
    expect(readConfig((key) => ({ ...CDK_JSON_CONTEXT, registrationRegions: 'eu-central-1, us-east-1' } as Record<string, unknown>)[key]).registrationRegions)
      .toEqual(['eu-west-1', 'us-east-1', 'eu-central-1']);
    expect(problemsOf({ registrationRegions: 'eu-central-1,cn-north-1' })).toContain('context "registrationRegions" names cn-north-1');
  });

  test('registrationRegions refuses an opt-in region, saying why and what to do', () => {
    const problems = problemsOf({ registrationRegions: 'eu-central-1,me-south-1' });
    expect(problems).toContain('context "registrationRegions" names me-south-1, an opt-in region');
    expect(problems).toContain('customers in me-south-1 use the manual steps');
    expect(problems).not.toContain('eu-central-1');
  });

  test.each(['platformAccount', 'platformRegion', 'relayAccount', 'relayRegion', 'stage'])('a missing %s fails with the key and how to set it', (key) => {
    expect(problemsOf({ [key]: undefined })).toContain(`context "${key}" is missing: set it in cdk.json or pass -c ${key}=`);
  });

  test.each([
    ['platformAccount', '12345678901', 'must be a 12-digit AWS account id'],
    ['relayAccount', '1234567890123', 'must be a 12-digit AWS account id'],
    ['relayAccount', 'abcdefghijkl', 'must be a 12-digit AWS account id'],
    ['platformAccount', 222222222222, 'quote account ids'],
    ['relayRegion', 'Europe', 'must be an AWS region'],
    ['stage', 'Prod Stage', 'lower-case letters'],
    ['dev', 'yes', 'must be true or false'],
  ])('%s = %p is refused', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toContain(message);
  });

  test('platform and relay must be different accounts', () => {
    expect(problemsOf({ relayAccount: PLATFORM_ACCOUNT })).toContain('platformAccount and relayAccount must be different accounts');
  });

  test('every problem is reported at once', () => {
    const message = problemsOf({ platformAccount: '1', relayRegion: undefined, stage: '' });
    expect(message).toContain('"platformAccount" must be');
    expect(message).toContain('"relayRegion" is missing');
    expect(message).toContain('"stage" is missing');
  });

  test('the dev flag accepts the -c string form and refuses production stages', () => {
    expect(read({ dev: 'true' }).destroyOnDelete).toBe(true);
    expect(read({ dev: true }).destroyOnDelete).toBe(true);
    expect(read({ dev: 'false' }).destroyOnDelete).toBe(false);
    expect(problemsOf({ dev: true, stage: 'prod' })).toContain('refusing to make a production stage');
  });

  test.each([['relayRegion', 'cn-north-1'], ['platformRegion', 'us-gov-west-1'], ['relayRegion', 'cn-northwest-1']])(
    'a region outside the commercial partition (%s = %s) is refused: BYOC ARNs are arn:aws', (key, region) => {
      expect(problemsOf({ [key]: region })).toContain(`context "${key}" is ${region}, outside the commercial AWS partition`);
    });

  test('alarmEmail is optional and must be an address when given', () => {
    expect(read({ alarmEmail: 'oncall@sendfleet.example' }).alarmEmail).toBe('oncall@sendfleet.example');
    expect(problemsOf({ alarmEmail: 'oncall' })).toContain('"alarmEmail" must be an e-mail address');
  });

  test('every physical name carries the stage', () => {
    const names = Object.values(read({ stage: 'alice' }).names);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toContain('-alice-');
  });
});

describe('bin/app.ts', () => {
  test('fails fast, before creating any stack, on a bad configuration', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, relayAccount: PLATFORM_ACCOUNT } });
    expect(() => buildApp(app)).toThrow(ConfigError);
    expect(app.node.children).toHaveLength(0);
  });

  test('creates two stacks in the two accounts and regions of the configuration', () => {
    const s = synthesized('qaInFrankfurt');
    expect(s.platform.account).toBe(PLATFORM_ACCOUNT);
    expect(s.platform.region).toBe('eu-west-1');
    expect(s.relay.account).toBe(RELAY_ACCOUNT);
    expect(s.relay.region).toBe('eu-central-1');
    expect(s.platform.account).not.toBe(s.relay.account);
    expect(s.platform.stackName).toBe('SendFleet-qa-Platform');
    expect(s.relay.stackName).toBe('SendFleet-qa-Relay');
    // The only link between the stacks is configuration (no cross-stack references); the deploy order
    // is enforced in code: relay first.
    expect(s.platform.dependencies).toEqual([s.relay.id]);
    expect(s.relay.dependencies).toHaveLength(0);
    expect(JSON.stringify(s.platformTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(JSON.stringify(s.platformTemplate.toJSON())).toContain('arn:aws:events:eu-central-1:111111111111:event-bus/sendfleet-qa-tenant-events');
  });
});
