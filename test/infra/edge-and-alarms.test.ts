import type { Template } from 'aws-cdk-lib/assertions';
/**
 * Operating the relay, as the synthesized templates show it: the customer API's firewall, alarms
 * that reach someone, two stages side by side, and AWS Control Tower's proactive controls at synth.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { EDGE_DETAILS, EDGE_MAX_BODY_BYTES, errorStatus, resendError } from '../../lambdas/shared/errors';
import { COMMON_RULES_COUNTED, CUSTOMER_API_THROTTLE, EDGE_LIMITS, RATE_WINDOW_SECONDS, WAF_BLOCKED_ALARM } from '../../lib/constructs/customer-api-firewall';
import { ALARM_THRESHOLDS } from '../../lib/constructs/service-alarms';
import { asArray, buildTestApp, functionsIn, resourcesOfType, synthesized, validationReport, type Synth } from './helpers';
import { rateRulesCounting, wafAnswer } from './waf';

const s = synthesized('alarmEmail');

const GUARD = 'cdk-validator-cfnguard';

describe('the customer API\'s edge', () => {
  test('a WAF web ACL is deployed and associated with the customer API stage (not acknowledged away)', () => {
    const acls = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    const [aclId, acl] = acls[0]!;
    expect(acl.Properties).toMatchObject({ Name: 'sendfleet-dev-customer-api', Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const stageId = resourcesOfType(s.relayTemplate, 'AWS::ApiGateway::Stage')[0]![0];
    const associations = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACLAssociation').map(([, r]) => r.Properties);
    expect(associations).toHaveLength(1);
    expect(associations[0].WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(associations[0].ResourceArn)).toContain(stageId);
    // The platform's admin API is IAM-only and has no WAF; the customer API's APIG3 is satisfied, not acknowledged.
    expect(resourcesOfType(s.platformTemplate, 'AWS::WAFv2::WebACL')).toHaveLength(0);
  });

  test('AWS managed common rules, with the body rules that would block legitimate email counting instead', () => {
    const rules: any[] = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties.Rules;
    const common = rules.find((r) => r.Statement.ManagedRuleGroupStatement);
    expect(common.Statement.ManagedRuleGroupStatement).toMatchObject({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' });
    expect(common.OverrideAction).toEqual({ None: {} });
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides.map((o: any) => [o.Name, o.ActionToUse]))
      .toEqual(COMMON_RULES_COUNTED.map((name) => [name, { Count: {} }]));
  });

  test('rate-based rules per IP, per X-API-Key, per Bearer token, per key on onboarding, on public pages and for credential-less callers, counting and labelling', () => {
    const rules: any[] = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties.Rules;
    const rate: Record<string, any> = Object.fromEntries(rules.filter((r) => r.Statement.RateBasedStatement).map((r) => [r.Name, r]));
    expect(Object.keys(rate).sort()).toEqual(['onboarding-per-api-key', 'per-api-key', 'per-bearer-token', 'per-ip', 'per-ip-without-key', 'public-pages-per-ip']);
    const headerKey = (name: string) => [{ Header: { Name: name, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }];
    expect(rate['per-api-key'].Statement.RateBasedStatement).toEqual({
      Limit: EDGE_LIMITS.perApiKey, EvaluationWindowSec: RATE_WINDOW_SECONDS, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: headerKey('x-api-key'),
    });
    expect(rate['per-bearer-token'].Statement.RateBasedStatement).toMatchObject({
      Limit: EDGE_LIMITS.perBearerToken, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: headerKey('authorization'),
      ScopeDownStatement: { RegexMatchStatement: { RegexString: '^(/v1)?/(emails|domains)(/|$)', FieldToMatch: { UriPath: {} } } },
    });
    expect(rate['onboarding-per-api-key'].Statement.RateBasedStatement).toMatchObject({
      Limit: EDGE_LIMITS.onboardingPerApiKey, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: headerKey('x-api-key'),
      ScopeDownStatement: { RegexMatchStatement: { RegexString: '^(/v1)?/api/byoc(/|$)', FieldToMatch: { UriPath: {} } } },
    });
    expect(rate['per-ip'].Statement.RateBasedStatement).toEqual({ Limit: EDGE_LIMITS.perIp, EvaluationWindowSec: RATE_WINDOW_SECONDS, AggregateKeyType: 'IP' });
    expect(rate['public-pages-per-ip'].Statement.RateBasedStatement).toMatchObject({ Limit: EDGE_LIMITS.publicPagesPerIp, AggregateKeyType: 'IP' });
    expect(rate['per-ip-without-key'].Statement.RateBasedStatement).toMatchObject({
      Limit: EDGE_LIMITS.perIpWithoutKey, AggregateKeyType: 'IP',
      ScopeDownStatement: { AndStatement: { Statements: expect.arrayContaining([
        { NotStatement: { Statement: { SizeConstraintStatement: expect.objectContaining({ FieldToMatch: { SingleHeader: { Name: 'x-api-key' } }, ComparisonOperator: 'GT', Size: 0 }) } } },
        { NotStatement: { Statement: { SizeConstraintStatement: expect.objectContaining({ FieldToMatch: { SingleHeader: { Name: 'authorization' } }, ComparisonOperator: 'GT', Size: 0 }) } } },
      ]) } },
    });
    // They count and label; the answer rules after them refuse in the route's shape (next tests).
    for (const rule of Object.values(rate)) {
      expect({ rule: rule.Name, action: rule.Action, labels: rule.RuleLabels }).toEqual({ rule: rule.Name, action: { Count: {} }, labels: [{ Name: 'sendfleet:edge:rate-limited' }] });
    }
    // Sampled requests would keep headers (the API key) in WAF.
    for (const rule of rules) expect({ rule: rule.Name, sampled: rule.VisibilityConfig.SampledRequestsEnabled }).toEqual({ rule: rule.Name, sampled: false });
  });

  test('each request is counted by the credential its route takes: X-API-Key, Bearer on the Resend routes, none on public pages', () => {
    const rules: any[] = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties.Rules;
    const apiKey = { 'x-api-key': 'sf_live_key' };
    const bearer = { authorization: 'Bearer sf_live_key' };
    const cases: Array<[string, Record<string, string>, string[]]> = [
      ['/v1/api/send', apiKey, ['per-api-key', 'per-ip']],
      ['/v1/api/send/batch', apiKey, ['per-api-key', 'per-ip']],
      ['/v1/emails', bearer, ['per-bearer-token', 'per-ip']],
      ['/v1/emails/batch', bearer, ['per-bearer-token', 'per-ip']],
      ['/emails', bearer, ['per-bearer-token', 'per-ip']],
      ['/v1/emails/4ef9a417/cancel', bearer, ['per-bearer-token', 'per-ip']],
      ['/v1/domains', bearer, ['per-bearer-token', 'per-ip']],
      ['/v1/domains/d_1/verify', bearer, ['per-bearer-token', 'per-ip']],
      ['/v1/domainsx', bearer, ['per-ip']],
      ['/v1/api/byoc/config', apiKey, ['onboarding-per-api-key', 'per-api-key', 'per-ip']],
      ['/v1/api/usage', apiKey, ['per-api-key', 'per-ip']],
      ['/v1', {}, ['per-ip', 'public-pages-per-ip']],
      ['/v1/', {}, ['per-ip', 'public-pages-per-ip']],
      ['/v1/docs', {}, ['per-ip', 'public-pages-per-ip']],
      ['/v1/api/openapi.json', {}, ['per-ip', 'public-pages-per-ip']],
      ['/v1/assets/app-3f1c9a.js', {}, ['per-ip', 'public-pages-per-ip']],
      ['/docs', {}, ['per-ip', 'public-pages-per-ip']],
      ['/v1/api/send', {}, ['per-ip', 'per-ip-without-key']],
      ['/v1/emails', {}, ['per-ip', 'per-ip-without-key']],
      ['/v1/api/openapi.jsonx', {}, ['per-ip', 'per-ip-without-key']],
    ];
    for (const [path, headers, expected] of cases) {
      expect({ path, headers, counted: rateRulesCounting(rules, { path, headers }).sort() }).toEqual({ path, headers, counted: expected });
    }
  });

  test('a rate-limit refusal answers 429 with Retry-After in the route\'s own shape, with a code that says it was the edge', () => {
    const acl = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties;
    const retryAfter = { 'Retry-After': String(RATE_WINDOW_SECONDS) };
    expect(wafAnswer(acl, { path: '/v1/emails', headers: { authorization: 'Bearer sf_live_key' } }, ['per-bearer-token'])).toEqual({
      rule: 'edge-rate-limited-resend', status: 429, headers: retryAfter,
      body: { statusCode: 429, name: 'rate_limit_exceeded', message: EDGE_DETAILS.edge_rate_limited },
    });
    expect(resendError('edge_rate_limited')).toEqual({ statusCode: 429, name: 'rate_limit_exceeded' });
    for (const [request, over] of [
      [{ path: '/v1/api/send', headers: { 'x-api-key': 'sf_live_key' } }, 'per-api-key'],
      [{ path: '/v1/api/byoc/validate', headers: { 'x-api-key': 'sf_live_key' } }, 'onboarding-per-api-key'],
      [{ path: '/v1/docs' }, 'public-pages-per-ip'],
      [{ path: '/v1/api/send' }, 'per-ip-without-key'],
    ] as const) {
      expect({ path: request.path, answer: wafAnswer(acl, request, [over]) }).toEqual({
        path: request.path,
        answer: { rule: 'edge-rate-limited', status: errorStatus.edge_rate_limited, headers: retryAfter, body: { success: false, error: 'edge_rate_limited', detail: EDGE_DETAILS.edge_rate_limited } },
      });
    }
    // Under every limit, or over a limit that does not count it, the request goes through.
    expect(wafAnswer(acl, { path: '/v1/emails', headers: { authorization: 'Bearer sf_live_key' } }, [])).toBeUndefined();
    expect(wafAnswer(acl, { path: '/v1/emails', headers: { authorization: 'Bearer sf_live_key' } }, ['per-api-key', 'per-ip-without-key'])).toBeUndefined();
  });

  test('a body over what any function takes is refused at the edge with 413 request_too_large in the route\'s shape, never reaching Lambda\'s 6 MB limit', () => {
    const acl = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties;
    const sized = (path: string, bytes: number, headers: Record<string, string> = {}) => ({ path, headers: { ...headers, 'content-length': String(bytes) } });
    const ours = { rule: 'body-too-large', status: 413, headers: {}, body: { success: false, error: 'request_too_large', detail: EDGE_DETAILS.request_too_large } };
    // between what the functions take (5 MiB) and Lambda's 6 MB event, up to API Gateway's 10 MB
    for (const bytes of [EDGE_MAX_BODY_BYTES + 1, 6 * 1024 * 1024, 9_999_999, 10 * 1024 * 1024]) {
      expect({ bytes, answer: wafAnswer(acl, sized('/v1/api/send', bytes, { 'x-api-key': 'sf_k' }), []) }).toEqual({ bytes, answer: ours });
    }
    expect(wafAnswer(acl, sized('/v1/emails', 7_000_000, { authorization: 'Bearer sf_k' }), [])).toEqual({
      rule: 'body-too-large-resend', status: 413, headers: {}, body: { ...resendError('request_too_large'), message: EDGE_DETAILS.request_too_large },
    });
    // what the functions answer themselves (their own 413 at 5 MiB, in the route's shape) goes through
    for (const bytes of [0, 5 * 1024 * 1024, EDGE_MAX_BODY_BYTES]) expect(wafAnswer(acl, sized('/v1/api/send', bytes), [])).toBeUndefined();
    // a body the edge lets through fits Lambda's 6 MB event with room for headers and JSON escaping
    expect(EDGE_MAX_BODY_BYTES).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(EDGE_MAX_BODY_BYTES).toBeLessThanOrEqual(6 * 1024 * 1024 * 0.9);
  });

  test('the onboarding limit applies to the paths WAF really sees: stage first on the execute-api URL, none on a custom domain', () => {
    const rules: any[] = resourcesOfType(s.relayTemplate, 'AWS::WAFv2::WebACL')[0]![1].Properties.Rules;
    const onboarding = rules.find((r) => r.Name === 'onboarding-per-api-key');
    const key = { 'x-api-key': 'sf_live_key' };
    const counted = (path: string) => rateRulesCounting([onboarding], { path, headers: key }).length === 1;
    for (const path of ['/v1/api/byoc/config', '/v1/api/byoc/validate', '/v1/api/byoc/domains/acme.com/verify', '/api/byoc/domains', '/v1//api/byoc/config', '/v1/api/byoc%2Fvalidate']) {
      expect({ path, counted: counted(path) }).toEqual({ path, counted: true });
    }
    for (const path of ['/v1/api/send', '/v1/api/usage', '/v1/api/byocx', '/v1/emails', '/v1/', '/v2/api/byoc/config', '/v1/docs']) {
      expect({ path, counted: counted(path) }).toEqual({ path, counted: false });
    }
    // Keyed on the API key: a request without one is not counted by this rule (the key-less rules take it).
    expect(rateRulesCounting([onboarding], { path: '/v1/api/byoc/config' })).toEqual([]);
  });

  test('the numbers are chosen together: no single key or IP can take more than a fifth of the stage\'s throttle', () => {
    const stagePerWindow = CUSTOMER_API_THROTTLE.rateLimit * RATE_WINDOW_SECONDS;
    expect(EDGE_LIMITS.perApiKey).toBeLessThanOrEqual(stagePerWindow / 10);
    expect(EDGE_LIMITS.perIp).toBeLessThanOrEqual(stagePerWindow / 5);
    expect(EDGE_LIMITS.perIpWithoutKey).toBeLessThan(EDGE_LIMITS.perApiKey);
    expect(EDGE_LIMITS.onboardingPerApiKey).toBeLessThan(EDGE_LIMITS.perApiKey);
    // A key is the same key in either header; public pages get more than a debugging caller, less than an address.
    expect(EDGE_LIMITS.perBearerToken).toBe(EDGE_LIMITS.perApiKey);
    expect(EDGE_LIMITS.publicPagesPerIp).toBeGreaterThan(EDGE_LIMITS.perIpWithoutKey);
    expect(EDGE_LIMITS.publicPagesPerIp).toBeLessThanOrEqual(EDGE_LIMITS.perIp / 5);
  });
});

/** The alarm topics: the relay's stack-registration topic (public Publish, customer stacks) is not one. */
const alarmTopics = (template: Template) => resourcesOfType(template, 'AWS::SNS::Topic').filter(([id]) => !id.startsWith('StackRegistration'));
const alarmSubscriptions = (template: Template) => resourcesOfType(template, 'AWS::SNS::Subscription')
  .filter(([, r]) => alarmTopics(template).some(([id]) => JSON.stringify(r.Properties.TopicArn) === JSON.stringify({ Ref: id })));

describe('alarms reach someone', () => {
  test('one encrypted alarm topic per stack, with the configured e-mail subscription', () => {
    for (const template of [s.relayTemplate, s.platformTemplate]) {
      const topics = alarmTopics(template);
      expect(topics).toHaveLength(1);
      expect(topics[0]![1].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] });
      expect(alarmSubscriptions(template).map(([, r]) => r.Properties))
        .toEqual([expect.objectContaining({ Protocol: 'email', Endpoint: 'oncall@sendfleet.example', TopicArn: { Ref: topics[0]![0] } })]);
    }
  });

  test('each topic\'s policy lets exactly the stack\'s alarms publish (it replaces SNS\'s default), and the key lets CloudWatch use it', () => {
    for (const template of [s.relayTemplate, s.platformTemplate]) {
      const [topicId] = alarmTopics(template)[0]!;
      const statements = resourcesOfType(template, 'AWS::SNS::TopicPolicy')
        .filter(([, policy]) => JSON.stringify(policy.Properties.Topics) === JSON.stringify([{ Ref: topicId }]))
        .flatMap(([, policy]) => asArray<any>(policy.Properties.PolicyDocument.Statement));
      const alarmArns = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
      expect(alarmArns.length).toBeGreaterThan(0);
      const publish = statements.filter((statement) => statement.Effect === 'Allow' && asArray(statement.Action).includes('sns:Publish'));
      expect(publish).toEqual([{
        Sid: 'CloudWatchAlarmsOfThisStackPublish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish', Resource: { Ref: topicId },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnEquals: { 'aws:SourceArn': expect.anything() } },
      }]);
      const sources = asArray<unknown>(publish[0].Condition.ArnEquals['aws:SourceArn']).map((arn) => JSON.stringify(arn)).sort();
      expect(sources).toEqual(alarmArns.map((arn) => JSON.stringify(arn)).sort());
      // TLS only, still.
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      const keyStatements = resourcesOfType(template, 'AWS::KMS::Key')[0]![1].Properties.KeyPolicy.Statement;
      expect(keyStatements).toContainEqual(expect.objectContaining({
        Sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }));
    }
  });

  test('without alarmEmail there is no subscription, and the alarms still notify the topic', () => {
    const plain = synthesized('default');
    expect(alarmSubscriptions(plain.relayTemplate)).toHaveLength(0);
    const alarms = resourcesOfType(plain.relayTemplate, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  test('every alarm of both stacks has the topic as its ALARM and OK action', () => {
    let count = 0;
    for (const template of [s.relayTemplate, s.platformTemplate]) {
      const topicRef = { Ref: alarmTopics(template)[0]![0] };
      for (const [id, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
        count += 1;
        expect({ id, alarm: alarm.Properties.AlarmActions, ok: alarm.Properties.OKActions }).toEqual({ id, alarm: [topicRef], ok: [topicRef] });
      }
    }
    // 8 DLQ depths (the webhook queue's and delivery events' included), Errors and Throttles of 16 functions, 5xx rate
    // and p99 latency of 2 APIs, SES failure rate, WAF blocked rate, throttling of 2 tables, account health's failing
    // rise and queue age.
    expect(count).toBe(8 + 2 * 16 + 2 * 2 + 1 + 1 + 2 + 2);
  });

  test('every function alarms on its Errors (the threshold of its kind) and on any Throttle', () => {
    const functions = functionsIn(s);
    expect(functions).toHaveLength(16);
    for (const f of functions) {
      const alarms = resourcesOfType(f.template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties)
        .filter((a) => a.Namespace === 'AWS/Lambda' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: f.logicalId } }]));
      const event = f.spec.invocation === 'event';
      expect({ fn: f.name, alarms: alarms.map((a) => [a.MetricName, a.Statistic, a.Period, a.Threshold, a.EvaluationPeriods, a.ComparisonOperator]).sort() }).toEqual({
        fn: f.name,
        alarms: [
          ['Errors', 'Sum', 300, event ? ALARM_THRESHOLDS.eventFunctionErrors : ALARM_THRESHOLDS.apiFunctionErrors, event ? 1 : 2, 'GreaterThanOrEqualToThreshold'],
          ['Throttles', 'Sum', 300, ALARM_THRESHOLDS.throttles, 1, 'GreaterThanOrEqualToThreshold'],
        ],
      });
    }
    expect(functions.filter((f) => f.spec.invocation === 'event').map((f) => f.name).sort()).toEqual(['deliveryEvents', 'healthCheck', 'healthScheduler', 'monthlyReset', 'registration', 'templatePublisher', 'tenantSync', 'webhookDelivery']);
  });

  test('both APIs alarm on their 5xx rate and their p99 latency', () => {
    for (const [template, apiName, p99] of [[s.relayTemplate, 'sendfleet-dev-customer-api', ALARM_THRESHOLDS.customerApiP99Ms], [s.platformTemplate, 'sendfleet-dev-admin-api', ALARM_THRESHOLDS.adminApiP99Ms]] as const) {
      const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties).filter((a) => a.Namespace === 'AWS/ApiGateway');
      expect(alarms.map((a) => a.MetricName).sort()).toEqual(['5XXError', 'Latency']);
      for (const alarm of alarms) expect(alarm.Dimensions).toEqual(expect.arrayContaining([{ Name: 'ApiName', Value: apiName }]));
      expect(alarms.find((a) => a.MetricName === '5XXError')).toMatchObject({ Statistic: 'Average', Threshold: ALARM_THRESHOLDS.serverErrorPercent / 100, EvaluationPeriods: 2 });
      expect(alarms.find((a) => a.MetricName === 'Latency')).toMatchObject({ ExtendedStatistic: 'p99', Period: 300, Threshold: p99, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanThreshold' });
    }
    expect(ALARM_THRESHOLDS.customerApiP99Ms).toBeLessThan(28_000);
  });

  test('both tables alarm on throttled reads and writes', () => {
    for (const template of [s.relayTemplate, s.platformTemplate]) {
      const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!;
      const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties)
        .find((a) => JSON.stringify(a.Metrics ?? []).includes('ThrottleEvents'))!;
      expect(alarm).toMatchObject({ Threshold: ALARM_THRESHOLDS.tableThrottleEvents, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      const metrics = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
      expect(metrics.map((m: any) => m.MetricName).sort()).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
      for (const metric of metrics) expect(metric).toMatchObject({ Namespace: 'AWS/DynamoDB', Dimensions: [{ Name: 'TableName', Value: { Ref: tableId } }] });
    }
  });

  test('the customer API alarms on the share of requests its WAF blocks', () => {
    const alarm = resourcesOfType(s.relayTemplate, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties)
      .find((a) => JSON.stringify(a.Metrics ?? []).includes('AWS/WAFV2'))!;
    expect(alarm).toMatchObject({ Threshold: WAF_BLOCKED_ALARM.percent, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanThreshold' });
    const byId = Object.fromEntries(alarm.Metrics.map((m: any) => [m.Id, m]));
    for (const id of ['blocked', 'allowed']) {
      expect(byId[id].MetricStat.Metric).toMatchObject({
        Namespace: 'AWS/WAFV2', MetricName: id === 'blocked' ? 'BlockedRequests' : 'AllowedRequests',
        Dimensions: expect.arrayContaining([{ Name: 'WebACL', Value: 'sendfleet-dev-customer-api' }, { Name: 'Rule', Value: 'ALL' }]),
      });
    }
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toContain(`>= ${WAF_BLOCKED_ALARM.minimumRequests}`);
  });

  test('one CloudWatch dashboard per stack, named by stage, with a graph of every alarm', () => {
    for (const [template, name] of [[s.relayTemplate, 'sendfleet-dev-relay'], [s.platformTemplate, 'sendfleet-dev-platform']] as const) {
      const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const dashboard = dashboards[0]![1].Properties;
      expect(dashboard.DashboardName).toBe(name);
      const body = JSON.stringify(dashboard.DashboardBody);
      for (const [id] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) expect({ id, shown: body.includes(`"${id}"`) }).toEqual({ id, shown: true });
    }
  });

  test('the customer API alarms on its 5xx rate and on the send outcomes ses_unavailable / ses_outcome_unknown', () => {
    const alarms = resourcesOfType(s.relayTemplate, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const serverErrors = alarms.find((a) => a.MetricName === '5XXError');
    expect(serverErrors).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Average', Threshold: 0.05, EvaluationPeriods: 2 });
    const sesFailures = alarms.find((a) => JSON.stringify(a.Metrics ?? []).includes('ses_outcome_unknown'))!;
    expect(sesFailures).toBeDefined();
    const byId = Object.fromEntries(sesFailures.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.unavailable.MetricStat.Metric).toMatchObject({ Namespace: 'SendFleet', MetricName: 'Sends', Dimensions: expect.arrayContaining([{ Name: 'outcome', Value: 'ses_unavailable' }, { Name: 'service', Value: 'send' }, { Name: 'stage', Value: 'dev' }]) });
    expect(byId.unknown.MetricStat.Metric).toMatchObject({ Dimensions: expect.arrayContaining([{ Name: 'outcome', Value: 'ses_outcome_unknown' }]) });
    expect(byId.invocations.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Invocations' });
    expect(sesFailures.Metrics.find((m: any) => m.Expression).Expression).toBe('100 * (FILL(unavailable, 0) + FILL(unknown, 0)) / invocations');
  });
});

/** Properties whose value CloudFormation requires to be unique in an account (and region, but IAM). */
const UNIQUE_NAMES: Readonly<Record<string, string>> = {
  'AWS::Events::EventBus': 'Name', 'AWS::IAM::Role': 'RoleName', 'AWS::WAFv2::WebACL': 'Name',
  'AWS::DynamoDB::Table': 'TableName', 'AWS::SNS::Topic': 'TopicName', 'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::Lambda::Function': 'FunctionName', 'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::KMS::Alias': 'AliasName', 'AWS::ApiGateway::RestApi': 'Name', 'AWS::CloudWatch::Dashboard': 'DashboardName',
};

/** Stack names and explicit physical names, by account and region. */
function physicalNames(x: Synth): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [stack, template] of [[x.relay, x.relayTemplate], [x.platform, x.platformTemplate]] as const) {
    const names = [`stack:${stack.stackName}`];
    for (const r of Object.values(template.toJSON().Resources as Record<string, any>)) {
      const key = UNIQUE_NAMES[r.Type];
      if (key && r.Properties?.[key] !== undefined) names.push(`${r.Type}:${JSON.stringify(r.Properties[key])}`);
    }
    const where = `${stack.account}/${stack.region}`;
    out.set(where, [...(out.get(where) ?? []), ...names]);
  }
  return out;
}

describe('deploys beyond the first stage', () => {
  test('every function\'s metrics carry its stage, and the SES alarm reads its own stage\'s sends only: two stages in one account do not add up', () => {
    for (const [x, stage] of [[s, 'dev'], [synthesized('alice'), 'alice']] as const) {
      for (const template of [x.relayTemplate, x.platformTemplate]) {
        for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
          expect({ id, stage: fn.Properties.Environment.Variables.SENDFLEET_STAGE }).toEqual({ id, stage });
        }
      }
      const sesFailures = resourcesOfType(x.relayTemplate, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties)
        .find((a) => JSON.stringify(a.Metrics ?? []).includes('ses_outcome_unknown'))!;
      const sends = sesFailures.Metrics.filter((m: any) => m.MetricStat?.Metric.MetricName === 'Sends');
      expect(sends).toHaveLength(2);
      for (const metric of sends) expect(metric.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'stage', Value: stage });
    }
  });

  test('two stages synthesize side by side in the same accounts and regions without a name collision', () => {
    const alice = synthesized('alice');
    const devNames = physicalNames(s);
    const aliceNames = physicalNames(alice);
    expect([...aliceNames.keys()].sort()).toEqual([...devNames.keys()].sort());
    for (const [account, names] of aliceNames) {
      expect(names.length).toBeGreaterThan(1);
      const collisions = names.filter((name) => devNames.get(account)!.includes(name));
      expect({ account, collisions }).toEqual({ account, collisions: [] });
    }
    // The platform bus, unnamed before, is now named by stage.
    alice.platformTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'sendfleet-alice-tenant-changes' });
  });
});

/**
 * The rule names cfn-guard reports when nothing is acknowledged. aws-cdk-lib runs the plugin on
 * the whole template and only then moves acknowledged findings to `suppressedViolations`, so both
 * lists together are what an unacknowledged synth would fail on.
 */
function rawGuardFindings(x: Synth): string[] {
  return validationReport(x).pluginReports.filter((r: any) => r.pluginName === GUARD)
    .flatMap((r: any) => [...r.violations, ...r.suppressedViolations].map((v: any) => v.ruleName));
}

function guardAcknowledgements(x: Synth): string[] {
  return x.facts.acknowledgements.filter(({ id }) => id.startsWith(`${GUARD}::`)).map(({ id }) => id.slice(GUARD.length + 2));
}

describe('AWS Control Tower proactive controls (cfn-guard) at synth', () => {
  test('they run on every synth and report no unacknowledged finding', () => {
    const guard = validationReport(s).pluginReports.find((r: any) => r.pluginName === GUARD);
    expect(guard).toMatchObject({ conclusion: 'success', violations: [] });
    // They did run: the acknowledged findings are reported as suppressed.
    expect(guard.suppressedViolations.length).toBeGreaterThan(0);
  });

  test('a new finding fails the synth (an alarm without an action)', () => {
    const { app, relay } = buildTestApp();
    new cloudwatch.Alarm(relay, 'Forgotten', { metric: relay.customerApi.sendFunction.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.1/);
  });

  test('the acknowledged findings are exactly the reviewed false positives and deliberate deviations', () => {
    const acknowledged = [...new Set(guardAcknowledgements(s))].sort();
    expect([...new Set(rawGuardFindings(s))].sort()).toEqual(acknowledged);
    expect(acknowledged).toEqual([
      'cloudwatch_log_group_retention_period_check', // 90 days by choice (docs/deploying.md)
      'lambda_function_public_access_prohibited_check', // false positive: SourceArn built with Fn::Join
      'lambda_inside_vpc_check', // no private resource to reach (docs/deploying.md)
      's3_bucket_default_encryption_kms_check', // the customer template is read anonymously: SSE-KMS would refuse it
      's3_bucket_level_public_access_prohibited_check', // the one public key: CloudFormation quick-create reads the template
      's3_bucket_logging_enabled_check', // the template bucket: anonymous reads of a public file
      's3_bucket_object_lock_enabled_check', // the template bucket: the template is replaced on deploys
      's3_event_notifications_enabled_check', // the template bucket: written only by the deployment
      'sqs_dlq_check', // these queues are dead-letter queues
    ]);
  });
});
