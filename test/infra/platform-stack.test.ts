import { Match } from 'aws-cdk-lib/assertions';
import { adminRoutes } from '../../lambdas/platform/api-routes';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';
import { apiMethods, RELAY_BUS_ARN, resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');

describe('PlatformStack', () => {
  test('tenants table: PK/SK strings, on-demand, point-in-time recovery, encrypted, retained', () => {
    s.platformTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.platformTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('tenant snapshots are forwarded to the relay bus, by ARN from configuration, with a role and a DLQ', () => {
    const buses = resourcesOfType(s.platformTemplate, 'AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    const [busId] = buses[0]!;
    s.platformTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: [TENANT_EVENT_SOURCE], 'detail-type': [TENANT_SNAPSHOT_DETAIL_TYPE] },
      Targets: [{
        Arn: RELAY_BUS_ARN,
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingDeadLetters'), 'Arn'] } },
        Id: Match.anyValue(),
      }],
    });
    // The role EventBridge assumes: trusted by events.amazonaws.com for this account's rules on this bus only, PutEvents on the relay bus only.
    s.platformTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':rule/sendfleet-dev-tenant-changes/*']] } },
        },
      }] },
      Description: Match.stringLikeRegexp('relay account bus'),
    });
    s.platformTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: RELAY_BUS_ARN }] },
      Roles: [{ Ref: Match.stringLikeRegexp('ForwardingRole') }],
    });
  });

  test('admin API: exactly the admin routes, every method IAM-authorised, proxying to the admin function', () => {
    const methods = apiMethods(s.platformTemplate);
    // ANY on each path reaches the function too, which answers 405 with Allow for a method the path lacks.
    const paths = new Set(Object.values(adminRoutes).map((r) => r.resource));
    const expected = [...Object.values(adminRoutes).map((r) => `${r.method} ${r.resource}`), ...[...paths].map((p) => `ANY ${p}`)].sort();
    expect([...methods.keys()].sort()).toEqual(expected);
    for (const [route, method] of methods) {
      expect({ route, auth: method.AuthorizationType }).toEqual({ route, auth: 'AWS_IAM' });
      expect(method.Integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method.Integration.Uri)).toContain('AdminApiHandler');
    }
  });

  test('admin API stage: throttled, traced, JSON access logs, error-only execution logs', () => {
    s.platformTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"userArn":"\\$context.identity.userArn"') },
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
  });

  test('the admin function publishes to the platform bus it is told about', () => {
    const [busId] = resourcesOfType(s.platformTemplate, 'AWS::Events::EventBus')[0]!;
    s.platformTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: busId }, TENANTS_TABLE: { Ref: Match.stringLikeRegexp('TenantsTable') } }) },
    });
  });

  test('outputs the admin URL and the execute-api ARN operators need', () => {
    s.platformTemplate.hasOutput('AdminApiUrl', {});
    s.platformTemplate.hasOutput('AdminApiInvokeArn', { Value: { 'Fn::Join': ['', [Match.stringLikeRegexp('^arn:aws:execute-api:eu-west-1:222222222222:$'), Match.anyValue(), '/v1/*/admin/*']] } });
  });

  test('dev: true makes the tables and logs deletable, and only then', () => {
    const dev = synthesized('dev');
    dev.platformTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: { DeletionProtectionEnabled: false } });
    dev.relayTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    for (const [, logGroup] of resourcesOfType(dev.relayTemplate, 'AWS::Logs::LogGroup')) expect(logGroup.DeletionPolicy).toBe('Delete');
    for (const [, logGroup] of resourcesOfType(s.relayTemplate, 'AWS::Logs::LogGroup')) expect(logGroup.DeletionPolicy).toBe('Retain');
  });
});
