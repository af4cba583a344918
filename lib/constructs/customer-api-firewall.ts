/**
 * The customer API's edge: an AWS WAF web ACL on the API Gateway stage with AWS's managed common
 * rules and rate-based rules, chosen together with the stage throttle so that one source cannot
 * use up the stage for everyone (the numbers and the reasoning: docs/deploying.md, "The edge").
 * Each caller is counted by the credential its route takes (X-API-Key, or `Authorization: Bearer`
 * on the Resend-compatible routes); a rate-limit refusal answers in the route's own error shape.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { RESEND_RESOURCES } from '../../lambdas/relay/api-routes';
import { EDGE_DETAILS, EDGE_MAX_BODY_BYTES, edgeAnswerBodies, errorStatus } from '../../lambdas/shared/errors';
import { STAGE_NAME } from './service-rest-api';

/** Stage-wide API Gateway throttle (requests per second, burst). */
export const CUSTOMER_API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/** WAF rate limits, requests per 60-second window. */
export const EDGE_LIMITS = {
  /** One API key: 20 req/s, a tenth of the stage. Above the highest plan rate we sell by default (60/min). */
  perApiKey: 1_200,
  /** The same key sent as `Authorization: Bearer` on the Resend-compatible routes: its own counter, the same limit. */
  perBearerToken: 1_200,
  /** One IP, keys or not: 40 req/s, a fifth of the stage (a customer's NAT may carry several keys). */
  perIp: 2_400,
  /** One IP calling an authenticated route with no credential at all: every such request is a 401/403; 1 req/s is plenty to debug with. */
  perIpWithoutKey: 60,
  /**
   * One IP on the key-less pages (dashboard, its assets, /docs, /api/openapi.json): a page load is
   * two or three files, and a team behind one NAT or a client generator in CI reads them too.
   * 5 static files a second per address covers that many times over and is an eighth of the per-IP limit.
   */
  publicPagesPerIp: 300,
  /** One API key on the onboarding routes (/api/byoc/*): each call may cost SES control-plane calls (~1/s per customer account). */
  onboardingPerApiKey: 60,
} as const;

export const RATE_WINDOW_SECONDS = 60;

/**
 * Share of requests the web ACL blocked, percent per 5 minutes, three periods in a row, counted
 * once at least `minimumRequests` came in a period. Scanners and bots keep it near 1 %; a tenth
 * blocked for 15 minutes is either an attack being absorbed (look at the top addresses) or a rule
 * refusing real customers (look at which rule: a rate limit outgrown, a managed rule misfiring).
 */
export const WAF_BLOCKED_ALARM = { percent: 10, minimumRequests: 100 } as const;

/**
 * Body rules of the common rule set that would block legitimate email: bodies over 8 KB (ours may
 * be 256 KB), and HTML, links or paths that look like XSS/LFI/RFI/SSRF in a message text. They
 * count (visible in WAF metrics) instead of blocking; the functions validate bodies themselves.
 */
export const COMMON_RULES_COUNTED = [
  'SizeRestrictions_BODY',
  'CrossSiteScripting_BODY',
  'GenericLFI_BODY',
  'GenericRFI_BODY',
  'EC2MetaDataSSRF_BODY',
] as const;

export interface CustomerApiFirewallProps {
  readonly name: string;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
}

const API_KEY_HEADER = 'x-api-key';
const AUTHORIZATION_HEADER = 'authorization';

/**
 * A URI path as WAF sees it: on the execute-api URL the stage comes first (`/v1/api/byoc/…`), on a
 * custom domain mapped to the stage it does not (`/api/byoc/…`). Decoded and normalised first, so
 * `%2F` or `//` cannot step around a rule. `pathRegex` starts with `/`.
 */
export function pathIs(pathRegex: string): wafv2.CfnWebACL.StatementProperty {
  return {
    regexMatchStatement: {
      fieldToMatch: { uriPath: {} },
      regexString: `^(/${STAGE_NAME})?${pathRegex}`,
      textTransformations: [{ priority: 0, type: 'URL_DECODE' }, { priority: 1, type: 'NORMALIZE_PATH' }],
    },
  };
}

/** Paths after the optional stage (regular expressions for `pathIs`). */
const PATHS = {
  /** The onboarding routes, whose calls may cost SES control-plane calls in the customer's account. */
  onboarding: '/api/byoc(/|$)',
  /** The Resend-compatible routes (/emails…, /domains…): Bearer credential, Resend's error shape. */
  resend: `/(${[...new Set([...RESEND_RESOURCES].map((resource) => resource.split('/')[1]))].join('|')})(/|$)`,
  /** The key-less pages: the dashboard (the stage root, with or without its slash), its assets, the API reference, the OpenAPI document. */
  publicPages: '(/|/docs/?|/api/openapi\\.json|/assets/[^/]+)?$',
} as const;

/** Every rate rule only counts and labels; the two rules after them answer, in the route's own shape. */
const RATE_LIMITED_LABEL = 'sendfleet:edge:rate-limited';

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false,
});

const hasHeader = (name: string): wafv2.CfnWebACL.StatementProperty => ({
  sizeConstraintStatement: {
    fieldToMatch: { singleHeader: { Name: name } }, comparisonOperator: 'GT', size: 0,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

/**
 * A rate-based rule that counts and labels the requests over its limit (the answer comes from the
 * rules below, which know the route's shape). `keyHeader`: counted per value of that header, and
 * requests without it are not counted; otherwise per IP.
 */
function rateRule(name: string, priority: number, limit: number, options: { keyHeader?: string; scopeDown?: wafv2.CfnWebACL.StatementProperty } = {}): wafv2.CfnWebACL.RuleProperty {
  const aggregation: Partial<wafv2.CfnWebACL.RateBasedStatementProperty> = options.keyHeader
    ? { aggregateKeyType: 'CUSTOM_KEYS', customKeys: [{ header: { name: options.keyHeader, textTransformations: [{ priority: 0, type: 'NONE' }] } }] }
    : { aggregateKeyType: 'IP' };
  return {
    name, priority, action: { count: {} }, ruleLabels: [{ name: RATE_LIMITED_LABEL }], visibilityConfig: visibility(name),
    statement: { rateBasedStatement: { limit, evaluationWindowSec: RATE_WINDOW_SECONDS, ...aggregation, scopeDownStatement: options.scopeDown } as wafv2.CfnWebACL.RateBasedStatementProperty },
  };
}

/**
 * Content-Length values over EDGE_MAX_BODY_BYTES, as a regular expression (WAF compares header text,
 * not numbers): longer numbers, or as many digits and a larger value, digit by digit.
 */
export function digitsOver(limit: number): string {
  const digits = String(limit);
  const alternatives = [`[1-9]\\d{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    if (digit < 9) alternatives.push(`${digits.slice(0, i)}[${digit + 1}-9]\\d{${digits.length - i - 1}}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}

/** A body too large for a function: 413 request_too_large before API Gateway invokes it. */
function bodyTooLargeAnswer(name: string, priority: number, body: string, scopeDown?: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.RuleProperty {
  const tooLarge: wafv2.CfnWebACL.StatementProperty = {
    regexMatchStatement: { fieldToMatch: { singleHeader: { Name: 'content-length' } }, regexString: digitsOver(EDGE_MAX_BODY_BYTES), textTransformations: [{ priority: 0, type: 'NONE' }] },
  };
  return {
    name, priority, visibilityConfig: visibility(name),
    action: { block: { customResponse: { responseCode: errorStatus.request_too_large, customResponseBodyKey: body } } },
    statement: scopeDown ? { andStatement: { statements: [tooLarge, scopeDown] } } : tooLarge,
  };
}

/** Answers a request some rate rule labelled: 429 with Retry-After and the body named. */
function rateLimitAnswer(name: string, priority: number, body: string, scopeDown?: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.RuleProperty {
  const labelled: wafv2.CfnWebACL.StatementProperty = { labelMatchStatement: { scope: 'LABEL', key: RATE_LIMITED_LABEL } };
  return {
    name, priority, visibilityConfig: visibility(name),
    action: { block: { customResponse: { responseCode: errorStatus.edge_rate_limited, customResponseBodyKey: body, responseHeaders: [{ name: 'Retry-After', value: String(RATE_WINDOW_SECONDS) }] } } },
    statement: scopeDown ? { andStatement: { statements: [labelled, scopeDown] } } : labelled,
  };
}

/** The bodies a WAF answer for `code` may carry: ours under `key`, Resend's under `<key>Resend`. */
function answerBodies(key: string, code: keyof typeof EDGE_DETAILS): Record<string, wafv2.CfnWebACL.CustomResponseBodyProperty> {
  const { ours, resend } = edgeAnswerBodies(code);
  return {
    [key]: { contentType: 'APPLICATION_JSON', content: JSON.stringify(ours) },
    [`${key}Resend`]: { contentType: 'APPLICATION_JSON', content: JSON.stringify(resend) },
  };
}

export class CustomerApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly blockedRequestsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CustomerApiFirewallProps) {
    super(scope, id);
    // Sampled requests would keep request headers (X-API-Key) in WAF: off everywhere.
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'SendFleet customer API: AWS managed common rules and per-key / per-IP rate limits',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: { ...answerBodies('edgeRateLimited', 'edge_rate_limited'), ...answerBodies('bodyTooLarge', 'request_too_large') },
      rules: [
        {
          // Its blocks answer with API Gateway's WAF_FILTERED response (403 edge_blocked, ServiceRestApi).
          name: 'aws-common-rules', priority: 0, overrideAction: { none: {} }, visibilityConfig: visibility('aws-common-rules'),
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: COMMON_RULES_COUNTED.map((name) => ({ name, actionToUse: { count: {} } })),
            },
          },
        },
        rateRule('per-api-key', 1, EDGE_LIMITS.perApiKey, { keyHeader: API_KEY_HEADER }),
        rateRule('per-bearer-token', 2, EDGE_LIMITS.perBearerToken, { keyHeader: AUTHORIZATION_HEADER, scopeDown: pathIs(PATHS.resend) }),
        rateRule('onboarding-per-api-key', 3, EDGE_LIMITS.onboardingPerApiKey, { keyHeader: API_KEY_HEADER, scopeDown: pathIs(PATHS.onboarding) }),
        rateRule('per-ip', 4, EDGE_LIMITS.perIp),
        rateRule('public-pages-per-ip', 5, EDGE_LIMITS.publicPagesPerIp, { scopeDown: pathIs(PATHS.publicPages) }),
        rateRule('per-ip-without-key', 6, EDGE_LIMITS.perIpWithoutKey, {
          scopeDown: {
            andStatement: {
              statements: [
                { notStatement: { statement: pathIs(PATHS.publicPages) } },
                { notStatement: { statement: hasHeader(API_KEY_HEADER) } },
                { notStatement: { statement: hasHeader(AUTHORIZATION_HEADER) } },
              ],
            },
          },
        }),
        rateLimitAnswer('edge-rate-limited-resend', 7, 'edgeRateLimitedResend', pathIs(PATHS.resend)),
        rateLimitAnswer('edge-rate-limited', 8, 'edgeRateLimited'),
        // Lambda's 6 MB event limit: refused here rather than failing in Lambda as a 5xx.
        bodyTooLargeAnswer('body-too-large-resend', 9, 'bodyTooLargeResend', pathIs(PATHS.resend)),
        bodyTooLargeAnswer('body-too-large', 10, 'bodyTooLarge'),
      ],
    });
    const requests = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/WAFV2', metricName, dimensionsMap: { WebACL: props.name, Region: Aws.REGION, Rule: 'ALL' },
      statistic: 'Sum', period: Duration.minutes(5),
    });
    this.blockedRequestsAlarm = new cloudwatch.Alarm(this, 'BlockedRequestsAlarm', {
      alarmDescription: `The customer API's WAF blocked more than ${WAF_BLOCKED_ALARM.percent}% of requests for 15 minutes. ` +
        'In the WAF console, see which rule blocks and from which addresses: an attack, or a rule refusing real customers.',
      metric: new cloudwatch.MathExpression({
        label: 'Blocked, % of requests',
        expression: `IF(FILL(blocked, 0) + FILL(allowed, 0) >= ${WAF_BLOCKED_ALARM.minimumRequests}, 100 * FILL(blocked, 0) / (FILL(blocked, 0) + FILL(allowed, 0)), 0)`,
        usingMetrics: { blocked: requests('BlockedRequests'), allowed: requests('AllowedRequests') },
        period: Duration.minutes(5),
      }),
      threshold: WAF_BLOCKED_ALARM.percent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
