import { Match } from 'aws-cdk-lib/assertions';
import { dashboardRoutes, keyRoutes, messageRoutes, onboardingRoutes, sendRoutes, webhookRoutes } from '../../lambdas/relay/api-routes';
import { GSI1, PK, SK, TTL_ATTRIBUTE } from '../../lambdas/relay/store/relay-table';
import { EDGE_DETAILS } from '../../lambdas/shared/errors';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';
import { apiMethods, asArray, PLATFORM_ACCOUNT, RELAY_ACCOUNT, RELAY_BUS_ARN, resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');

describe('RelayStack', () => {
  test('relay table: keys from the key-design module, GSI1, TTL, PITR, encrypted, retained', () => {
    s.relayTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.relayTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: PK, KeyType: 'HASH' }, { AttributeName: SK, KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        GlobalSecondaryIndexes: [{
          IndexName: GSI1.name,
          KeySchema: [{ AttributeName: GSI1.partitionKey, KeyType: 'HASH' }, { AttributeName: GSI1.sortKey, KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: GSI1.partitionKey, AttributeType: 'S' }, { AttributeName: GSI1.sortKey, AttributeType: 'S' },
        ]),
      },
    });
    expect([PK, SK, GSI1.name, TTL_ATTRIBUTE]).toEqual(['PK', 'SK', 'GSI1', 'expires_at']);
  });

  test('the delivery-events bus admits PutEvents from any account, only by the customer template\'s forwarding role; its SES events go to the delivery-events function', () => {
    const [, bus] = resourcesOfType(s.relayTemplate, 'AWS::Events::EventBus').find(([id]) => id.startsWith('DeliveryEvents'))!;
    expect(bus.Properties.Name).toBe('sendfleet-dev-delivery-events');
    expect(bus.Properties.Policy.Statement).toEqual([{
      Sid: 'CustomerStacksForwardSesEvents', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'events:PutEvents',
      Resource: `arn:aws:events:eu-west-1:${RELAY_ACCOUNT}:event-bus/sendfleet-dev-delivery-events`,
      Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/SendFleet-BYOC-EventForwarding' } },
    }]);
    const outputs = s.relayTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.DeliveryEventsBusArn!.Value).toBe(`arn:aws:events:eu-west-1:${RELAY_ACCOUNT}:event-bus/sendfleet-dev-delivery-events`);
    // The onboarding function shows the same template (cloudformation_template) as the hosted one.
    const onboarding = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function').find(([id]) => id.startsWith('CustomerApiOnboarding'))!;
    expect(onboarding[1].Properties.Environment.Variables.DELIVERY_EVENTS_BUS_ARN).toBe(outputs.DeliveryEventsBusArn!.Value);
  });

  test('the tenant-events bus has the configured name and admits PutEvents from the platform\'s forwarding role only', () => {
    const buses = resourcesOfType(s.relayTemplate, 'AWS::Events::EventBus');
    expect(buses).toHaveLength(2);
    const bus = buses.find(([id]) => id.startsWith('TenantEvents'))![1].Properties;
    expect(bus.Name).toBe('sendfleet-dev-tenant-events');
    // The policy sits on the bus: no separate EventBusPolicy (its deprecated `principal` warned on every synth).
    expect(resourcesOfType(s.relayTemplate, 'AWS::Events::EventBusPolicy')).toHaveLength(0);
    expect(bus.Policy.Statement).toEqual([{
      Sid: 'PlatformForwardingRolePutsTenantEvents',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/sendfleet-dev-tenant-events']] },
      // One principal: the platform's forwarding role, named by stage; any other principal of the platform account is refused.
      Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${PLATFORM_ACCOUNT}:role/sendfleet-dev-tenant-forwarding` } },
    }]);
    // ...and it is the role the platform's forwarding rule uses.
    s.platformTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: 'sendfleet-dev-tenant-forwarding' });
    const roleId = resourcesOfType(s.platformTemplate, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === 'sendfleet-dev-tenant-forwarding')![0];
    s.platformTemplate.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: RELAY_BUS_ARN, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } })],
    });
  });

  test('tenant snapshots from the platform account go to tenant-sync', () => {
    s.relayTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [TENANT_EVENT_SOURCE], 'detail-type': [TENANT_SNAPSHOT_DETAIL_TYPE], account: [PLATFORM_ACCOUNT] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TenantSync'), 'Arn'] } })],
    });
  });

  test('monthly reset: cron(0 0 1 * ? *) on the reset function', () => {
    s.relayTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 0 1 * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MonthlyReset'), 'Arn'] } })],
    });
  });

  test('alarms on the reset function\'s Errors and on its DLQ depth', () => {
    const resetFn = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function')
      .find(([, r]) => r.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'monthlyReset')!;
    s.relayTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda', MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: resetFn[0] } }],
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const resetRule = resourcesOfType(s.relayTemplate, 'AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression)!;
    const dlqId = resetRule[1].Properties.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0];
    s.relayTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('customer API: exactly the send, onboarding, webhook, message, key and dashboard routes, each on its function, no API Gateway authoriser', () => {
    const methods = apiMethods(s.relayTemplate);
    // ANY on each path reaches the same function, which answers 405 with Allow (API Gateway alone would say 404).
    const withAny = (routes: Record<string, { method: string; resource: string }>, fn: string) => [
      ...Object.values(routes).map((r) => [`${r.method} ${r.resource}`, fn] as const),
      ...[...new Set(Object.values(routes).map((r) => r.resource))].map((path) => [`ANY ${path}`, fn] as const),
    ];
    const expected = new Map<string, string>([
      ...withAny(sendRoutes, 'CustomerApiSend'),
      ...withAny(onboardingRoutes, 'CustomerApiOnboarding'),
      ...withAny(webhookRoutes, 'CustomerApiWebhooks'),
      ...withAny(messageRoutes, 'CustomerApiMessages'),
      ...withAny(keyRoutes, 'CustomerApiKeys'),
      ...withAny(dashboardRoutes, 'DashboardFunction'),
    ]);
    expect([...methods.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [route, method] of methods) {
      expect({ route, auth: method.AuthorizationType, type: method.Integration.Type }).toEqual({ route, auth: 'NONE', type: 'AWS_PROXY' });
      expect(method.Integration.Uri['Fn::Join'][1][1]['Fn::GetAtt'][0]).toMatch(new RegExp(`^${expected.get(route)}[0-9A-F]{8}$`));
    }
  });

  test('customer API stage: throttled (200/400), traced, access logs in JSON without bodies or headers', () => {
    const stages = resourcesOfType(s.relayTemplate, 'AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1].Properties;
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([expect.objectContaining({
      HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400, LoggingLevel: 'ERROR', DataTraceEnabled: false,
    })]);
    const format: string = stage.AccessLogSetting.Format;
    expect(stage.AccessLogSetting.DestinationArn).toBeDefined();
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status', resourcePath: '$context.resourcePath' });
    expect(format.toLowerCase()).not.toContain('body');
    expect(format.toLowerCase()).not.toContain('header');
    expect(format.toLowerCase()).not.toContain('apikey');
    expect(format).not.toContain('requestOverride');
    expect(format).not.toContain('useragent');
  });

  test('API Gateway\'s own errors use the spec\'s error shape', () => {
    const responses = resourcesOfType(s.relayTemplate, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    const byType = new Map(responses.map((r) => [r.ResponseType as string, r]));
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX', 'THROTTLED', 'REQUEST_TOO_LARGE', 'INTEGRATION_TIMEOUT', 'MISSING_AUTHENTICATION_TOKEN', 'UNAUTHORIZED', 'WAF_FILTERED']) {
      const template: string = byType.get(type)?.ResponseTemplates['application/json'];
      expect(template).toMatch(/^\{"success":false,"error":"[a-z_]+","detail":/);
      // Valid JSON once API Gateway substitutes its (already quoted) message string.
      expect(() => JSON.parse(template.replace('$context.error.messageString', '"Forbidden"'))).not.toThrow();
    }
    expect(byType.get('THROTTLED')).toMatchObject({ ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" } });
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ StatusCode: '404' });
    // The detail points to the deployed API reference, not to a README customers do not have.
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')?.ResponseTemplates['application/json']).toContain('/docs');
    expect(byType.get('MISSING_AUTHENTICATION_TOKEN')?.ResponseTemplates['application/json']).not.toContain('README');
    expect(byType.get('REQUEST_TOO_LARGE')).toMatchObject({ StatusCode: '413' });
    expect(byType.get('REQUEST_TOO_LARGE')?.ResponseTemplates['application/json']).toContain('"error":"request_too_large"');
    expect(byType.get('UNAUTHORIZED')?.ResponseTemplates['application/json']).toContain('"invalid_api_key"');
    // A block by the WAF's managed rules says it was the edge, instead of falling through to DEFAULT_4XX's bad_request.
    expect(byType.get('WAF_FILTERED')).toMatchObject({ StatusCode: '403' });
    expect(JSON.parse(byType.get('WAF_FILTERED')?.ResponseTemplates['application/json'])).toEqual({ success: false, error: 'edge_blocked', detail: EDGE_DETAILS.edge_blocked });
  });

  test('webhook queue: the operations key, 4 days at most, dead letters after the schedule\'s 8 attempts (same key), consumed with partial batch failures', () => {
    const queues = resourcesOfType(s.relayTemplate, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('WebhookDelivery'));
    expect(queues).toHaveLength(2);
    const [[dlqId, dlq], [, queue]] = [...queues].sort(([a], [b]) => (a.includes('DeadLetters') ? -1 : b.includes('DeadLetters') ? 1 : 0)) as [[string, any], [string, any]];
    const key = { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] };
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: key, MessageRetentionPeriod: 4 * 86_400, VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 8 },
    });
    expect(dlq.Properties).toMatchObject({ KmsMasterKeyId: key, MessageRetentionPeriod: 4 * 86_400 });
    const mappings = resourcesOfType(s.relayTemplate, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties)
      .filter((m) => JSON.stringify(m.EventSourceArn).includes('WebhookDeliveryQueue'));
    expect(mappings).toEqual([expect.objectContaining({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], FunctionName: { Ref: expect.stringMatching(/^WebhookDeliveryFunction/) } })]);
  });

  test('every SQS queue is encrypted and refuses non-TLS access', () => {
    const queues = resourcesOfType(s.relayTemplate, 'AWS::SQS::Queue').concat(resourcesOfType(s.platformTemplate, 'AWS::SQS::Queue'));
    // tenant sync's, the monthly reset's and delivery events' DLQs, the platform's, account health's queue, its DLQ
    // and the schedule's DLQ, the webhook queue and its DLQ
    expect(queues.length).toBe(10);
    for (const [id, queue] of queues) {
      expect({ id, sse: queue.Properties.SqsManagedSseEnabled ?? Boolean(queue.Properties.KmsMasterKeyId) }).toEqual({ id, sse: true });
      const policies = resourcesOfType(s.relayTemplate, 'AWS::SQS::QueuePolicy').concat(resourcesOfType(s.platformTemplate, 'AWS::SQS::QueuePolicy'))
        .filter(([, p]) => JSON.stringify(p.Properties.Queues).includes(id));
      const statements = policies.flatMap(([, p]) => asArray<any>(p.Properties.PolicyDocument.Statement));
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });
});
