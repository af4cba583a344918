import { BYOC_ROLE_ARN_PATTERN } from '../../lib/constructs/byoc-assume-role';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionSpec } from '../../lib/function-catalog';
import { asArray, functionsIn, identityStatements, synthesized } from './helpers';

const s = synthesized('default');
const functions = functionsIn(s);

const templates = () => [s.platformTemplate, s.relayTemplate];
const actionsOf = (statement: { Action: string | string[] }) => asArray(statement.Action);

/**
 * The reviewed permission table, written out a second time on purpose: lib/function-catalog.ts
 * cannot be widened without this test being edited too. (send also needs Query: its context
 * loader lists the tenant's domains.)
 */
const EXPECTED_DYNAMODB: Record<string, { stack: string; actions: string[]; index?: string }> = {
  adminApi: { stack: 'platform', actions: ['PutItem', 'UpdateItem', 'Query', 'Scan'] },
  // The admin API's key operations without its tenant list (Scan).
  customerKeys: { stack: 'platform', actions: ['PutItem', 'UpdateItem', 'Query'] },
  // Authentication (Get), the platform's answered snapshot applied as versioned puts, the tenant's domains (Query).
  keys: { stack: 'relay', actions: ['GetItem', 'PutItem', 'Query'] },
  tenantSync: { stack: 'relay', actions: ['PutItem', 'Query', 'DeleteItem'] },
  onboarding: { stack: 'relay', actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'ConditionCheckItem'] },
  send: { stack: 'relay', actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  monthlyReset: { stack: 'relay', actions: ['Query', 'BatchWriteItem'], index: 'GSI1' },
  // The ExternalId index and the config: reads, the config's updates, the index's transactional writes.
  registration: { stack: 'relay', actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] },
  // Writes the customer template to its one S3 key at deploy time: no table.
  templatePublisher: { stack: 'relay', actions: [] },
  // The account's event source (Get); a timeline and its day's count, two Updates in one transaction.
  deliveryEvents: { stack: 'relay', actions: ['GetItem', 'UpdateItem'] },
  // Authentication (API key, tenant projection) and the message's timeline: reads only.
  messages: { stack: 'relay', actions: ['GetItem'] },
  // Static files from its own bundle: no table at all.
  dashboard: { stack: 'relay', actions: [] },
  // Lists BYOC tenants from GSI1 (keys only) and queues them.
  healthScheduler: { stack: 'relay', actions: ['Query'], index: 'GSI1' },
  // Reads config, domains and health; updates the health item, domain statuses and the role's verdict.
  healthCheck: { stack: 'relay', actions: ['GetItem', 'UpdateItem', 'Query'] },
  // The API key and the endpoint (Get), create-or-update in one write keeping the secret (Update), delete.
  webhooks: { stack: 'relay', actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
  // The tenant's endpoint and secret at each attempt.
  webhookDelivery: { stack: 'relay', actions: ['GetItem'] },
};

describe('least privilege', () => {
  test('the function catalog matches the reviewed permission table', () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual(Object.keys(EXPECTED_DYNAMODB).sort());
    for (const name of FUNCTION_NAMES) {
      const spec: FunctionSpec = FUNCTIONS[name];
      const expected = EXPECTED_DYNAMODB[name]!;
      expect({ name, stack: spec.stack, actions: [...(spec.table?.actions ?? [])].sort() })
        .toEqual({ name, stack: expected.stack, actions: expected.actions.map((a) => `dynamodb:${a}`).sort() });
    }
  });

  test('every catalogued function exists exactly once, in its stack', () => {
    expect(functions.map((f) => f.name).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const f of functions) expect({ name: f.name, stack: f.stack.id }).toEqual({ name: f.name, stack: f.spec.stack === 'platform' ? 'PlatformStack' : 'RelayStack' });
    const lambdaCount = templates().reduce((n, t) => n + Object.keys(t.findResources('AWS::Lambda::Function')).length, 0);
    expect(lambdaCount).toBe(FUNCTION_NAMES.length);
  });

  test('no identity policy in either stack grants any SES action', () => {
    for (const template of templates()) {
      for (const { statement, policy } of identityStatements(template)) {
        for (const action of actionsOf(statement)) {
          expect({ policy, action, ses: action.toLowerCase().startsWith('ses:') || action === '*' }).toEqual({ policy, action, ses: false });
        }
      }
    }
  });

  test('no wildcard actions, and "*" resources only for X-Ray', () => {
    for (const template of templates()) {
      for (const { statement, policy } of identityStatements(template)) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of actionsOf(statement)) expect({ policy, action }).toEqual({ policy, action: expect.not.stringContaining('*') });
        if (asArray(statement.Resource).includes('*')) {
          expect({ policy, actions: actionsOf(statement).sort() }).toEqual({ policy, actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'] });
        }
      }
    }
  });

  test('only the send, onboarding, registration and health check roles may assume roles, and only SendFleet-BYOC-Role', () => {
    expect(BYOC_ROLE_ARN_PATTERN).toBe('arn:aws:iam::*:role/SendFleet-BYOC-Role');
    const holders = new Set<string>();
    for (const template of templates()) {
      for (const { statement, roles } of identityStatements(template)) {
        if (!actionsOf(statement).some((a) => a.toLowerCase().startsWith('sts:'))) continue;
        expect(statement).toEqual(expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/SendFleet-BYOC-Role' }));
        roles.forEach((r) => holders.add(r));
      }
    }
    const expected = functions.filter((f) => ['send', 'onboarding', 'registration', 'healthCheck'].includes(f.name)).map((f) => f.roleLogicalId);
    expect([...holders].sort()).toEqual(expected.sort());
    expect(functions.filter((f) => f.spec.assumesByocRole).map((f) => f.name).sort()).toEqual(['healthCheck', 'onboarding', 'registration', 'send']);
  });

  test('each function holds exactly its DynamoDB actions, on its table (and GSI1 for the reset\'s Query)', () => {
    for (const f of functions) {
      const granted = identityStatements(f.template)
        .filter(({ roles }) => roles.includes(f.roleLogicalId))
        .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')));
      if (!f.spec.table) {
        expect({ fn: f.name, granted }).toEqual({ fn: f.name, granted: [] });
        continue;
      }
      const tableLogicalId = f.properties.Environment.Variables[f.spec.table.envVar].Ref;
      // CDK merges statements with the same actions (a Query-only function: table and index in one), so split by resource.
      const tableArn = JSON.stringify({ 'Fn::GetAtt': [tableLogicalId, 'Arn'] });
      const split = granted.flatMap(({ statement }) => asArray<unknown>(statement.Resource).map((resource) => ({ statement, resource })));
      const onTable = split.filter(({ resource }) => JSON.stringify(resource) === tableArn);
      const onIndex = split.filter((g) => !onTable.includes(g));
      expect({ fn: f.name, actions: onTable.flatMap(({ statement }) => actionsOf(statement)).sort() })
        .toEqual({ fn: f.name, actions: [...f.spec.table.actions].sort() });
      const expectedIndex = EXPECTED_DYNAMODB[f.name]!.index;
      if (expectedIndex) {
        expect(onIndex.map(({ statement, resource }) => ({ actions: statement.Action, resource }))).toEqual([{
          actions: 'dynamodb:Query',
          resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableLogicalId, 'Arn'] }, `/index/${expectedIndex}`]] },
        }]);
      } else {
        expect({ fn: f.name, onIndex }).toEqual({ fn: f.name, onIndex: [] });
      }
    }
  });

  test('each function has its own role, no managed policies, and logs only to its own log group', () => {
    const roles = functions.map((f) => f.roleLogicalId);
    expect(new Set(roles).size).toBe(roles.length);
    for (const f of functions) {
      expect(f.properties.Role).toEqual({ 'Fn::GetAtt': [f.roleLogicalId, 'Arn'] });
      const role = f.template.toJSON().Resources[f.roleLogicalId];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logs = identityStatements(f.template)
        .filter(({ roles: r, statement }) => r.includes(f.roleLogicalId) && actionsOf(statement).some((a) => a.startsWith('logs:')));
      expect(logs.map(({ statement }) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [f.properties.LoggingConfig.LogGroup.Ref, 'Arn'] }]);
    }
  });

  test('the platform\'s compute has no path into customer accounts and no relay resources', () => {
    const platformPolicies = JSON.stringify(identityStatements(s.platformTemplate).map(({ statement }) => statement));
    expect(platformPolicies).not.toContain('sts:');
    expect(platformPolicies).not.toContain('SendFleet-BYOC-Role');
    const admin = functions.find((f) => f.name === 'adminApi')!;
    const events = identityStatements(admin.template)
      .filter(({ roles, statement }) => roles.includes(admin.roleLogicalId) && actionsOf(statement).some((a) => a.startsWith('events:')));
    expect(events.map(({ statement }) => [statement.Action, statement.Resource])).toEqual([
      ['events:PutEvents', { 'Fn::GetAtt': [admin.properties.Environment.Variables.EVENT_BUS_NAME.Ref, 'Arn'] }],
    ]);
  });

  test('webhooks: the delivery function consumes only its queue (and decrypts with the operations key); the two producers only send to it; no other function touches that queue or the key', () => {
    const sqsOrKms = (f: (typeof functions)[number]) => identityStatements(f.template)
      .filter(({ roles, statement }) => roles.includes(f.roleLogicalId) && actionsOf(statement).some((a) => a.startsWith('sqs:') || a.startsWith('kms:')))
      .map(({ statement }) => ({ actions: actionsOf(statement).sort(), resource: statement.Resource }));
    const delivery = functions.find((f) => f.name === 'webhookDelivery')!;
    const queueUrl = delivery.properties.Environment.Variables.WEBHOOK_QUEUE_URL.Ref as string;
    expect(sqsOrKms(delivery)).toEqual([
      { actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], resource: { 'Fn::GetAtt': [queueUrl, 'Arn'] } },
      { actions: ['kms:Decrypt'], resource: { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] } },
    ]);
    const producers = ['deliveryEvents', 'healthCheck'];
    for (const producer of producers) {
      const f = functions.find((candidate) => candidate.name === producer)!;
      const toWebhookQueue = sqsOrKms(f).filter(({ actions, resource }) => actions.some((a) => a.startsWith('kms:')) || JSON.stringify(resource).includes('WebhookDeliveryQueue'));
      expect({ fn: producer, granted: toWebhookQueue }).toEqual({ fn: producer, granted: [
        { actions: ['sqs:SendMessage'], resource: { 'Fn::GetAtt': [queueUrl, 'Arn'] } },
        { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] } },
      ] });
    }
    for (const f of functions.filter((other) => other.name !== 'webhookDelivery' && !producers.includes(other.name))) {
      // Log groups use the key through CloudWatch Logs' own key policy, not through the functions' roles.
      // (Async functions may send to their own dead-letter queues.)
      const granted = sqsOrKms(f).filter(({ actions, resource }) => actions.some((a) => a.startsWith('kms:')) || JSON.stringify(resource).includes('WebhookDeliveryQueue'));
      expect({ fn: f.name, granted }).toEqual({ fn: f.name, granted: [] });
    }
  });

  test('runtime, architecture, tracing, memory, timeouts and environment follow the catalog', () => {
    for (const f of functions) {
      expect({ fn: f.name, runtime: f.properties.Runtime, arch: f.properties.Architectures, tracing: f.properties.TracingConfig, memory: f.properties.MemorySize, timeout: f.properties.Timeout })
        .toEqual({ fn: f.name, runtime: 'nodejs24.x', arch: ['arm64'], tracing: { Mode: 'Active' }, memory: 512, timeout: f.spec.timeoutSeconds });
      expect({ fn: f.name, env: Object.keys(f.properties.Environment.Variables).sort() })
        .toEqual({ fn: f.name, env: ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'SENDFLEET_STAGE', ...(f.spec.table ? [f.spec.table.envVar] : []), ...f.spec.environment].sort() });
    }
    const timeouts = Object.fromEntries(functions.map((f) => [f.name, f.properties.Timeout]));
    expect(timeouts).toMatchObject({ send: 28, monthlyReset: 900 });
  });
});
