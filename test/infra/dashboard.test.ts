/**
 * The customer dashboard in the relay stack: served by its own function on the customer API's
 * origin (GET /, GET /assets/{file}, and the API's description: GET /api/openapi.json, GET /docs), which holds no AWS permission besides its own logs and
 * X-Ray, and answers compressed above 1 KB.
 */
import { dashboardRoutes } from '../../lambdas/relay/api-routes';
import { MINIMUM_COMPRESSION_BYTES } from '../../lib/constructs/customer-dashboard';
import { apiMethods, asArray, functionsIn, identityStatements, resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');

const dashboard = () => functionsIn(s).find((f) => f.name === 'dashboard')!;

test('GET /, GET /assets/{file}, GET /api/openapi.json and GET /docs of the customer API go to the dashboard function, without authoriser', () => {
  const methods = apiMethods(s.relayTemplate);
  for (const route of Object.values(dashboardRoutes)) {
    const method = methods.get(`${route.method} ${route.resource}`);
    expect({ route: route.resource, auth: method?.AuthorizationType, type: method?.Integration.Type }).toEqual({ route: route.resource, auth: 'NONE', type: 'AWS_PROXY' });
    expect(method?.Integration.Uri['Fn::Join'][1][1]['Fn::GetAtt'][0]).toBe(dashboard().logicalId);
  }
  expect(Object.values(dashboardRoutes).map((r) => `${r.method} ${r.resource}`)).toEqual(['GET /', 'GET /assets/{file}', 'GET /api/openapi.json', 'GET /docs']);
});

test('the dashboard function may only write its logs and traces: no table, no STS, no environment', () => {
  const f = dashboard();
  expect(f.stack.id).toBe('RelayStack');
  expect(Object.keys(f.properties.Environment.Variables).sort()).toEqual(['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'SENDFLEET_STAGE']);
  const actions = identityStatements(f.template)
    .filter(({ roles }) => roles.includes(f.roleLogicalId))
    .flatMap(({ statement }) => asArray(statement.Action));
  expect([...new Set(actions)].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
});

test('the customer API compresses answers over 1 KB', () => {
  const apis = resourcesOfType(s.relayTemplate, 'AWS::ApiGateway::RestApi');
  expect(apis).toHaveLength(1);
  expect(apis[0]![1].Properties.MinimumCompressionSize).toBe(MINIMUM_COMPRESSION_BYTES);
  expect(MINIMUM_COMPRESSION_BYTES).toBe(1024);
});
