/**
 * The customer API's edge: an AWS WAF web ACL on the API Gateway stage with AWS's managed common
 * rules and rate-based rules, chosen together with the stage throttle so that one source cannot
 * use up the stage for everyone (the numbers and the reasoning: docs/deploying.md, "The edge").
 */
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { STAGE_NAME } from './service-rest-api';

/** Stage-wide API Gateway throttle (requests per second, burst). */
export const CUSTOMER_API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/** WAF rate limits, requests per 60-second window. */
export const EDGE_LIMITS = {
  /** One API key: 20 req/s, a tenth of the stage. Above the highest plan rate we sell by default (60/min). */
  perApiKey: 1_200,
  /** One IP, keys or not: 40 req/s, a fifth of the stage (a customer's NAT may carry several keys). */
  perIp: 2_400,
  /** One IP sending no X-API-Key at all: every such request is a 401; 1 req/s is plenty to debug with. */
  perIpWithoutKey: 60,
  /** One API key on the onboarding routes (/api/byoc/*): each call may cost SES control-plane calls (~1/s per customer account). */
  onboardingPerApiKey: 60,
} as const;

export const RATE_WINDOW_SECONDS = 60;

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

/** The onboarding routes (/api/byoc/*), whose calls may cost SES control-plane calls in the customer's account. */
const ONBOARDING_PATHS = '/api/byoc(/|$)';

/** Rate-limit blocks answer 429 in the API's error shape, with Retry-After. */
const BLOCK_429: wafv2.CfnWebACL.RuleActionProperty = {
  block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rateLimited', responseHeaders: [{ name: 'Retry-After', value: '60' }] } },
};

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false,
});

/** Rate-based rule keyed on the API key header (requests without it are not counted by this rule). */
function perKeyRule(name: string, priority: number, limit: number, scopeDownStatement?: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.RuleProperty {
  return {
    name, priority, action: BLOCK_429, visibilityConfig: visibility(name),
    statement: {
      rateBasedStatement: {
        limit, evaluationWindowSec: RATE_WINDOW_SECONDS, aggregateKeyType: 'CUSTOM_KEYS',
        customKeys: [{ header: { name: API_KEY_HEADER, textTransformations: [{ priority: 0, type: 'NONE' }] } }],
        scopeDownStatement,
      },
    },
  };
}

export class CustomerApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: CustomerApiFirewallProps) {
    super(scope, id);
    // Sampled requests would keep request headers (X-API-Key) in WAF: off everywhere.
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'SendFleet customer API: AWS managed common rules and per-key / per-IP rate limits',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({ success: false, error: 'rate_limited', detail: 'Too many requests from this API key or address; wait a minute and retry.' }),
        },
      },
      rules: [
        {
          name: 'aws-common-rules', priority: 0, overrideAction: { none: {} }, visibilityConfig: visibility('aws-common-rules'),
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: COMMON_RULES_COUNTED.map((name) => ({ name, actionToUse: { count: {} } })),
            },
          },
        },
        perKeyRule('per-api-key', 1, EDGE_LIMITS.perApiKey),
        perKeyRule('onboarding-per-api-key', 2, EDGE_LIMITS.onboardingPerApiKey, pathIs(ONBOARDING_PATHS)),
        {
          name: 'per-ip', priority: 3, action: BLOCK_429, visibilityConfig: visibility('per-ip'),
          statement: { rateBasedStatement: { limit: EDGE_LIMITS.perIp, evaluationWindowSec: RATE_WINDOW_SECONDS, aggregateKeyType: 'IP' } },
        },
        {
          name: 'per-ip-without-key', priority: 4, action: BLOCK_429, visibilityConfig: visibility('per-ip-without-key'),
          statement: {
            rateBasedStatement: {
              limit: EDGE_LIMITS.perIpWithoutKey, evaluationWindowSec: RATE_WINDOW_SECONDS, aggregateKeyType: 'IP',
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    sizeConstraintStatement: {
                      fieldToMatch: { singleHeader: { Name: API_KEY_HEADER } }, comparisonOperator: 'GT', size: 0,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
            },
          },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
