/**
 * The one-click onboarding's infrastructure: the hosted customer template (what its role trusts,
 * cfn-lint), the bucket that exposes exactly that one object, and the registration topic and
 * function behind the template's custom resource.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BYOC_PERMISSIONS, BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';
import { CUSTOMER_TEMPLATE_KEY } from '../../lib/constructs/customer-template-hosting';
import { customerStackTemplate, EVENT_FORWARDING_ROLE_NAME } from '../../lambdas/relay/byoc/customer-template';
import { SENDFLEET_CONFIGURATION_SET } from '../../lambdas/shared/ses-events';
import { REGISTRATION_CONCURRENCY } from '../../lib/constructs/stack-registration';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { readConfig } from '../../lib/config';
import { asArray, CDK_JSON_CONTEXT, identityStatements, RELAY_ACCOUNT, resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');
const resources = s.relayTemplate.toJSON().Resources as Record<string, any>;
const [bucketId] = resourcesOfType(s.relayTemplate, 'AWS::S3::Bucket').map(([id]) => id);

const published = Object.values(resources).filter((r) => r.Type === 'Custom::SendFleetCustomerTemplate');
/** What the publisher writes to the bucket. */
const hosted = JSON.parse(Buffer.from(published[0]?.Properties.TemplateBase64 ?? '', 'base64').toString('utf8')) as Record<string, any>;

describe('the hosted customer template', () => {
  test('is published once, to the one public key of the template bucket', () => {
    expect(published).toHaveLength(1);
    expect(published[0].Properties).toMatchObject({ Bucket: { Ref: bucketId }, Key: CUSTOMER_TEMPLATE_KEY });
  });

  test('the template object goes with a destroyed bucket (dev: every version deleted on Delete), and stays otherwise', () => {
    expect(published[0].Properties.DeleteOnRemoval).toBeUndefined();
    const dev = synthesized('dev');
    const devResources = dev.relayTemplate.toJSON().Resources as Record<string, any>;
    const [devPublished] = Object.values(devResources).filter((r) => r.Type === 'Custom::SendFleetCustomerTemplate');
    expect(devPublished.Properties.DeleteOnRemoval).toBe('true');
    const [devBucketId] = resourcesOfType(dev.relayTemplate, 'AWS::S3::Bucket').map(([id]) => id);
    expect(devResources[devBucketId!]).toMatchObject({ DeletionPolicy: 'Delete' });
    const statements = Object.values(devResources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => asArray(r.Properties.PolicyDocument.Statement));
    expect(statements.find((st: any) => st.Sid === 'DeleteTheCustomerTemplateOnRemoval')).toMatchObject({ Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'] });
    expect(statements.find((st: any) => st.Sid === 'ListTheCustomerTemplateVersions')).toMatchObject({ Action: 's3:ListBucketVersions', Condition: { StringEquals: { 's3:prefix': CUSTOMER_TEMPLATE_KEY } } });
    const defaultStatements = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => asArray(r.Properties.PolicyDocument.Statement));
    expect(defaultStatements.filter((st: any) => st.Sid === 'DeleteTheCustomerTemplateOnRemoval')).toEqual([]);
  });

  test('its role trusts only the relay account, and only with the ExternalId (or, during a rotation, the previous one)', () => {
    const role = hosted.Resources.SendFleetByocRole;
    expect(role.Properties.RoleName).toBe(BYOC_ROLE_NAME);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${RELAY_ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': { 'Fn::If': ['HasPreviousExternalId', [{ Ref: 'ExternalId' }, { Ref: 'PreviousExternalId' }], { Ref: 'ExternalId' }] } } },
    }]);
    expect(hosted.Conditions.HasPreviousExternalId).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PreviousExternalId' }, ''] }] });
    expect(hosted.Parameters.ExternalId).toMatchObject({ Type: 'String', AllowedPattern: '^[0-9a-f]{48}$' });
    expect(hosted.Parameters.PreviousExternalId).toMatchObject({ Default: '' });
    expect(role.Properties.Policies).toEqual([{ PolicyName: 'SendFleetByocSes', PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'SendFleetByoc', Effect: 'Allow', Action: [...BYOC_PERMISSIONS], Resource: '*' }] } }]);
  });

  test('its registration resource names the relay\'s topic in the stack\'s own region', () => {
    const topicName = resources[resourcesOfType(s.relayTemplate, 'AWS::SNS::Topic').find(([id]) => id.startsWith('StackRegistration'))![0]].Properties.TopicName;
    expect(hosted.Resources.SendFleetRegistration).toEqual({
      Type: 'Custom::SendFleetRegistration',
      Properties: {
        ServiceToken: { 'Fn::Sub': `arn:aws:sns:\${AWS::Region}:${RELAY_ACCOUNT}:${topicName}` },
        ServiceTimeout: 300,
        ExternalId: { Ref: 'ExternalId' },
        RoleArn: { 'Fn::GetAtt': ['SendFleetByocRole', 'Arn'] },
        Region: { Ref: 'AWS::Region' },
        AccountId: { Ref: 'AWS::AccountId' },
        RegistrationToken: { Ref: 'RegistrationToken' },
        ConfigurationSetName: { Ref: 'SendFleetEventsConfigurationSet' },
      },
    });
    // The token is a NoEcho parameter: the console and DescribeStacks show it masked.
    expect(hosted.Parameters.RegistrationToken).toMatchObject({ Type: 'String', NoEcho: true, AllowedPattern: '^[A-Za-z0-9_-]{43}$' });
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  (cfnLint.status === 0 ? test : test.skip)(`cfn-lint reports no error or warning (${cfnLint.stdout?.trim() || 'not installed'})`, () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'customer-template-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(hosted));
    const run = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    // Exit code bits: 2 errors, 4 warnings, 8 informational. Only 0 (clean) or 8 (informational
    // only) pass, named explicitly: a crash (null status, 1, 32…) or any error or warning fails.
    expect({ passed: run.status === 0 || run.status === 8, status: run.status, output: run.stdout }).toEqual({ passed: true, status: run.status, output: expect.any(String) });
  });
});

describe('the delivery-events resources of the customer template', () => {
  const BUS = `arn:aws:events:eu-west-1:${RELAY_ACCOUNT}:event-bus/sendfleet-dev-delivery-events`;
  const withEvents = customerStackTemplate({ relayAccountId: RELAY_ACCOUNT, registrationTopicArn: `arn:aws:sns:eu-west-1:${RELAY_ACCOUNT}:topic`, deliveryEventsBusArn: BUS }) as Record<string, any>;

  test('the hosted template has them, forwarding to the relay\'s delivery-events bus', () => {
    expect(hosted.Resources.SendFleetEventsRule.Properties.Targets[0].Arn).toMatch(/^arn:aws:events:[a-z0-9-]+:\d{12}:event-bus\/sendfleet-[a-z0-9-]+-delivery-events$/);
    expect(hosted.Resources.SendFleetRegistration.Properties.ConfigurationSetName).toEqual({ Ref: 'SendFleetEventsConfigurationSet' });
  });

  test('a configuration set whose bounces and complaints go to SES\'s suppression list, publishing the 7 event types to the default bus', () => {
    expect(withEvents.Resources.SendFleetEventsConfigurationSet).toEqual({
      Type: 'AWS::SES::ConfigurationSet',
      Properties: { Name: SENDFLEET_CONFIGURATION_SET, SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] } },
    });
    expect(withEvents.Resources.SendFleetEventsDestination).toEqual({
      Type: 'AWS::SES::ConfigurationSetEventDestination',
      Properties: {
        ConfigurationSetName: { Ref: 'SendFleetEventsConfigurationSet' },
        EventDestination: {
          Name: 'SendFleet-Relay', Enabled: true,
          MatchingEventTypes: ['send', 'reject', 'bounce', 'complaint', 'delivery', 'deliveryDelay', 'renderingFailure'],
          EventBridgeDestination: { EventBusArn: { 'Fn::Sub': 'arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' } },
        },
      },
    });
  });

  test('a rule on the default bus forwards only the set\'s SES events to the relay bus, with a role that may only PutEvents there', () => {
    expect(withEvents.Resources.SendFleetEventsRule).toEqual({
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: expect.any(String), EventBusName: 'default', State: 'ENABLED',
        EventPattern: {
          source: ['aws.ses'],
          'detail-type': ['Email Sent', 'Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Rejected', 'Email Delivery Delayed', 'Email Rendering Failed'],
          detail: { mail: { tags: { 'ses:configuration-set': [SENDFLEET_CONFIGURATION_SET] } } },
        },
        Targets: [{ Id: 'SendFleetRelay', Arn: BUS, RoleArn: { 'Fn::GetAtt': ['SendFleetEventsForwardingRole', 'Arn'] } }],
      },
    });
    const role = withEvents.Resources.SendFleetEventsForwardingRole.Properties;
    expect(role.RoleName).toBe(EVENT_FORWARDING_ROLE_NAME);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(role.Policies).toEqual([{ PolicyName: 'SendFleetForwardDeliveryEvents', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS }] } }]);
    expect(withEvents.Resources.SendFleetRegistration.Properties.ConfigurationSetName).toEqual({ Ref: 'SendFleetEventsConfigurationSet' });
  });

  test('the BYOC role gains no permission (still exactly the 11 SES actions); without the bus none of it is there', () => {
    expect(withEvents.Resources.SendFleetByocRole.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual([...BYOC_PERMISSIONS]);
    const without = customerStackTemplate({ relayAccountId: RELAY_ACCOUNT, registrationTopicArn: `arn:aws:sns:eu-west-1:${RELAY_ACCOUNT}:topic` }) as Record<string, any>;
    expect(Object.keys(without.Resources)).toEqual(['SendFleetByocRole', 'SendFleetRegistration']);
    expect(without.Resources.SendFleetRegistration.Properties.ConfigurationSetName).toBeUndefined();
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  (cfnLint.status === 0 ? test : test.skip)('cfn-lint reports no error or warning with the event resources', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'customer-template-events-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(withEvents));
    const run = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    expect({ passed: run.status === 0 || run.status === 8, status: run.status, output: run.stdout }).toEqual({ passed: true, status: run.status, output: expect.any(String) });
  });
});

describe('the template bucket', () => {
  test('exposes exactly the template: anyone may GetObject that key, nothing else; ACLs off, SSL only', () => {
    const bucket = resources[bucketId!];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const statements = resourcesOfType(s.relayTemplate, 'AWS::S3::BucketPolicy').flatMap(([, p]) => asArray<any>(p.Properties.PolicyDocument.Statement));
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toEqual([{
      Sid: 'CloudFormationReadsTheCustomerTemplate', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${CUSTOMER_TEMPLATE_KEY}`]] },
    }]);
    expect(statements.filter((st) => st.Effect === 'Deny')).toEqual([expect.objectContaining({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
  });

  test('only the publisher may write to it, only PutObject, only the template key', () => {
    const s3Grants = identityStatements(s.relayTemplate).filter(({ statement }) => asArray(statement.Action).some((a) => String(a).startsWith('s3:')));
    expect(s3Grants.map(({ statement, roles }) => ({ roles, action: statement.Action, resource: statement.Resource }))).toEqual([{
      roles: [expect.stringMatching(/^CustomerTemplatePublisherRole/)],
      action: 's3:PutObject',
      resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${CUSTOMER_TEMPLATE_KEY}`]] },
    }]);
  });
});

describe('the registration topic and function', () => {
  test('anyone may publish (customer stacks), the function is subscribed and runs at most REGISTRATION_CONCURRENCY at once', () => {
    const [topicId] = resourcesOfType(s.relayTemplate, 'AWS::SNS::Topic').find(([id]) => id.startsWith('StackRegistration'))!;
    const allows = resourcesOfType(s.relayTemplate, 'AWS::SNS::TopicPolicy')
      .filter(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]))
      .flatMap(([, p]) => asArray<any>(p.Properties.PolicyDocument.Statement)).filter((st) => st.Effect === 'Allow');
    expect(allows).toEqual([expect.objectContaining({ Principal: { AWS: '*' }, Action: 'sns:Publish', Resource: { Ref: topicId } })]);
    const fn = s.facts.functions.find((f) => f.name === 'registration')!;
    expect(resources[fn.logicalId].Properties.ReservedConcurrentExecutions).toBe(REGISTRATION_CONCURRENCY);
    const subscriptions = resourcesOfType(s.relayTemplate, 'AWS::SNS::Subscription').filter(([, r]) => JSON.stringify(r.Properties.TopicArn) === JSON.stringify({ Ref: topicId }));
    expect(subscriptions.map(([, r]) => [r.Properties.Protocol, r.Properties.Endpoint])).toEqual([['lambda', { 'Fn::GetAtt': [fn.logicalId, 'Arn'] }]]);
  });
});


describe('the registration regions', () => {
  const assembly = new CloudAssembly(s.assemblyDir);
  const functionArn = `arn:aws:lambda:${s.relay.region}:${RELAY_ACCOUNT}:function:sendfleet-dev-byoc-registration`;
  const relayFunction = s.facts.functions.find((f) => f.name === 'registration')!;

  test('every launch region has the registration topic, subscribed to the one function in the relay region', () => {
    const regions = readConfig((key) => CDK_JSON_CONTEXT[key]).registrationRegions;
    expect(regions).toEqual(expect.arrayContaining([s.relay.region, 'us-east-1']));
    expect(resources[relayFunction.logicalId].Properties.FunctionName).toBe('sendfleet-dev-byoc-registration');
    for (const region of regions.filter((r) => r !== s.relay.region)) {
      const stack = assembly.stacks.find((st) => st.environment.region === region && st.environment.account === RELAY_ACCOUNT)!;
      expect({ region, stack: stack?.stackName }).toEqual({ region, stack: `SendFleet-dev-Registration-${region}` });
      const template = Template.fromJSON(stack.template);
      const [topicId, topic] = resourcesOfType(template, 'AWS::SNS::Topic')[0]!;
      expect(topic.Properties.TopicName).toBe('sendfleet-dev-byoc-registration');
      expect(resourcesOfType(template, 'AWS::SNS::Subscription').map(([, r]) => r.Properties)).toEqual([{ Protocol: 'lambda', Endpoint: functionArn, TopicArn: { Ref: topicId } }]);
      const allows = resourcesOfType(template, 'AWS::SNS::TopicPolicy').flatMap(([, p]) => asArray<any>(p.Properties.PolicyDocument.Statement)).filter((st) => st.Effect === 'Allow');
      expect(allows).toEqual([expect.objectContaining({ Principal: { AWS: '*' }, Action: 'sns:Publish' })]);
      // The function lets exactly that topic invoke it.
      const permissions = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Permission').map(([, r]) => r.Properties)
        .filter((p) => p.SourceArn === `arn:aws:sns:${region}:${RELAY_ACCOUNT}:sendfleet-dev-byoc-registration`);
      expect(permissions).toEqual([expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', FunctionName: { 'Fn::GetAtt': [relayFunction.logicalId, 'Arn'] } })]);
    }
  });
});
