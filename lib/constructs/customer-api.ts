/**
 * The customer-facing API of the relay account: send, BYOC onboarding, webhook, message status and
 * API key routes, each group proxied to its function. No API Gateway authoriser: both functions authenticate `X-API-Key` themselves
 * against the SHA-512 hashes projected from the platform.
 */
import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { keyRoutes, messageRoutes, onboardingRoutes, sendRoutes, webhookRoutes } from '../../lambdas/relay/api-routes';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SERVICE_NAMESPACE } from '../../lambdas/shared/metric-dimensions';
import { CustomerApiFirewall } from './customer-api-firewall';
import { alarmOnApi, ALARM_THRESHOLDS } from './service-alarms';
import { ServiceFunction } from './service-function';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ServiceRestApi } from './service-rest-api';
import { stageOf } from '../stage';

export interface CustomerApiProps {
  readonly table: dynamodb.ITable;
  /** Refused as a customer role account by onboarding (the platform must have no path in). */
  readonly platformAccountId: string;
  /** Stage-wide throttling, in front of the per-key limits the send function applies. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** Physical names by stage. */
  readonly apiName: string;
  readonly webAclName: string;
  readonly removalPolicy: RemovalPolicy;
  /** The one-click path (launch_stack_url in GET /api/byoc/config): the registration topic and the hosted template. */
  readonly oneClick: { readonly registrationTopicArn: string; readonly customerTemplateUrl: string; readonly registrationRegions: readonly string[]; readonly deliveryEventsBusArn: string };
  /** The account health queue: the manual check (onboarding) and failing sends ask for re-checks there. */
  readonly healthQueue: sqs.IQueue;
  /** The platform's customer-keys function (an ARN from configuration): only the keys function may invoke it. */
  readonly customerKeysFunctionArn: string;
}

/** The SES-failure alarm's threshold, percent of send invocations over 5 minutes, 2 periods in a row (the API's own: service-alarms.ts). */
export const CUSTOMER_API_ALARMS = { sesFailurePercent: 5 } as const;


export class CustomerApi extends Construct {
  readonly sendFunction: ServiceFunction;
  readonly onboardingFunction: ServiceFunction;
  readonly webhooksFunction: ServiceFunction;
  /** Message status (GET /api/messages/{id}, Resend's GET /emails/{id}). */
  readonly messagesFunction: ServiceFunction;
  /** Self-service API keys (/api/keys), through the platform's customer-keys function. */
  readonly keysFunction: ServiceFunction;
  readonly restApi: ServiceRestApi;
  readonly firewall: CustomerApiFirewall;
  /** 5xx answers of the API (API Gateway's and the functions'). */
  readonly serverErrorsAlarm: cloudwatch.Alarm;
  /** p99 latency of the stage. */
  readonly latencyAlarm: cloudwatch.Alarm;
  /** Sends answered ses_unavailable or ses_outcome_unknown, per send invocation. */
  readonly sesFailuresAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CustomerApiProps) {
    super(scope, id);
    const relayAccountId = Stack.of(this).account;
    this.sendFunction = ServiceFunction.fromCatalog(this, 'Send', 'send', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId, HEALTH_QUEUE_URL: props.healthQueue.queueUrl },
      removalPolicy: props.removalPolicy,
    });
    this.onboardingFunction = ServiceFunction.fromCatalog(this, 'Onboarding', 'onboarding', {
      table: props.table,
      environment: {
        RELAY_ACCOUNT_ID: relayAccountId,
        PLATFORM_ACCOUNT_ID: props.platformAccountId,
        REGISTRATION_TOPIC_ARN: props.oneClick.registrationTopicArn,
        CUSTOMER_TEMPLATE_URL: props.oneClick.customerTemplateUrl,
        REGISTRATION_REGIONS: props.oneClick.registrationRegions.join(','),
        HEALTH_QUEUE_URL: props.healthQueue.queueUrl,
        DELIVERY_EVENTS_BUS_ARN: props.oneClick.deliveryEventsBusArn,
      },
      removalPolicy: props.removalPolicy,
    });
    props.healthQueue.grantSendMessages(this.sendFunction);
    props.healthQueue.grantSendMessages(this.onboardingFunction);
    this.webhooksFunction = ServiceFunction.fromCatalog(this, 'Webhooks', 'webhooks', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId },
      removalPolicy: props.removalPolicy,
    });

    this.messagesFunction = ServiceFunction.fromCatalog(this, 'Messages', 'messages', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId },
      removalPolicy: props.removalPolicy,
    });

    this.keysFunction = ServiceFunction.fromCatalog(this, 'Keys', 'keys', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId, CUSTOMER_KEYS_FUNCTION_ARN: props.customerKeysFunctionArn },
      removalPolicy: props.removalPolicy,
    });
    // The platform function's resource policy admits this account; this is the one role here that may use that.
    this.keysFunction.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [props.customerKeysFunctionArn],
    }));

    this.restApi = new ServiceRestApi(this, 'Rest', {
      description: 'SendFleet customer API (X-API-Key)',
      name: props.apiName,
      referenceHint: 'The routes are listed in the API reference at /docs (OpenAPI: /api/openapi.json).',
      authorization: 'function',
      throttling: props.throttling,
      removalPolicy: props.removalPolicy,
    });
    this.restApi.addRoutes(sendRoutes, this.sendFunction);
    this.restApi.addRoutes(onboardingRoutes, this.onboardingFunction);
    this.restApi.addRoutes(webhookRoutes, this.webhooksFunction);
    this.restApi.addRoutes(messageRoutes, this.messagesFunction);
    this.restApi.addRoutes(keyRoutes, this.keysFunction);
    this.firewall = new CustomerApiFirewall(this, 'Firewall', { name: props.webAclName, stageArn: this.restApi.api.deploymentStage.stageArn });

    const window = { period: Duration.minutes(5) };
    const apiAlarms = alarmOnApi(this, this.restApi.api, {
      name: 'customer API', p99Ms: ALARM_THRESHOLDS.customerApiP99Ms,
      whatToCheck: 'Check the send and onboarding functions\' logs (error_name) and the SES/STS status.',
    });
    this.serverErrorsAlarm = apiAlarms.serverErrors;
    this.latencyAlarm = apiAlarms.latency;
    const sends = (outcome: string) => new cloudwatch.Metric({
      namespace: SERVICE_NAMESPACE, metricName: 'Sends', dimensionsMap: { service: 'send', stage: stageOf(this), outcome }, statistic: 'Sum', ...window,
    });
    this.sesFailuresAlarm = new cloudwatch.Alarm(this, 'SesFailuresAlarm', {
      alarmDescription: `More than ${CUSTOMER_API_ALARMS.sesFailurePercent}% of sends answered ses_unavailable or ses_outcome_unknown ` +
        'for 10 minutes: SES (or STS) in customers\' accounts is failing or slow. Check the AWS Health dashboard and the ' +
        'send function\'s logs by tenant.',
      metric: new cloudwatch.MathExpression({
        label: 'SES failures, % of send invocations',
        expression: '100 * (FILL(unavailable, 0) + FILL(unknown, 0)) / invocations',
        usingMetrics: {
          unavailable: sends('ses_unavailable'),
          unknown: sends('ses_outcome_unknown'),
          invocations: this.sendFunction.metricInvocations({ ...window, statistic: 'Sum' }),
        },
        ...window,
      }),
      threshold: CUSTOMER_API_ALARMS.sesFailurePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const reason = 'Customers authenticate with an API key in X-API-Key, checked by the functions against SHA-512 ' +
      'hashes (revocation applied within seconds from the platform\'s events); an API Gateway authoriser would add a ' +
      'second lookup per request and a second cache to keep consistent.';
    Validations.of(this.restApi.api).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    Validations.of(this.restApi.api).acknowledge({ id: 'AwsSolutions-COG4', reason });
  }

  get url(): string {
    return this.restApi.url;
  }
}
