/**
 * The cross-account seam of self-service keys: the platform's customer-keys function has the
 * stage's physical name and a resource policy admitting the relay ACCOUNT only; in the relay, the
 * keys function's role is the one identity that may invoke it, on exactly its ARN (built from
 * configuration, in the platform's region: the relay may live in another).
 */
import { asArray, functionsIn, identityStatements, PLATFORM_ACCOUNT, RELAY_ACCOUNT, resourcesOfType, synthesized } from './helpers';

describe.each([
  ['default', 'sendfleet-dev-customer-keys'],
  // The relay in eu-central-1, the platform still in eu-west-1, another stage.
  ['qaInFrankfurt', 'sendfleet-qa-customer-keys'],
] as const)('%s', (configuration, functionName) => {
  const s = synthesized(configuration);
  const functions = functionsIn(s);
  const customerKeys = functions.find((f) => f.name === 'customerKeys')!;
  const keys = functions.find((f) => f.name === 'keys')!;
  const arn = `arn:aws:lambda:eu-west-1:${PLATFORM_ACCOUNT}:function:${functionName}`;

  test('the platform function has the stage\'s name; its only resource policy lets the relay account invoke it', () => {
    expect(customerKeys.stack.id).toBe('PlatformStack');
    expect(customerKeys.properties.FunctionName).toBe(functionName);
    const permissions = resourcesOfType(s.platformTemplate, 'AWS::Lambda::Permission').map(([, p]) => p.Properties)
      .filter((p) => JSON.stringify(p.FunctionName).includes(customerKeys.logicalId));
    expect(permissions).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [customerKeys.logicalId, 'Arn'] }, Principal: RELAY_ACCOUNT }]);
  });

  test('in the relay, only the keys function\'s role may invoke a function, and only that ARN', () => {
    expect(keys.stack.id).toBe('RelayStack');
    const lambdaGrants = identityStatements(s.relayTemplate)
      .filter(({ statement }) => asArray(statement.Action).some((a) => a.toLowerCase().startsWith('lambda:')))
      .map(({ statement, roles }) => ({ roles, effect: statement.Effect, actions: asArray(statement.Action), resources: asArray(statement.Resource) }));
    expect(lambdaGrants).toEqual([{ roles: [keys.roleLogicalId], effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [arn] }]);
    expect(keys.properties.Environment.Variables.CUSTOMER_KEYS_FUNCTION_ARN).toBe(arn);
  });

  test('the platform function publishes only to the platform bus, as the admin API does', () => {
    const events = identityStatements(customerKeys.template)
      .filter(({ roles, statement }) => roles.includes(customerKeys.roleLogicalId) && asArray(statement.Action).some((a) => a.startsWith('events:')));
    expect(events.map(({ statement }) => [statement.Action, statement.Resource])).toEqual([
      ['events:PutEvents', { 'Fn::GetAtt': [customerKeys.properties.Environment.Variables.EVENT_BUS_NAME.Ref, 'Arn'] }],
    ]);
  });
});
