/**
 * What both REST APIs (admin, customer) share: a regional API Gateway REST API whose routes come
 * from the route tables in lambdas/ (never retyped), Lambda proxy integrations, stage throttling,
 * X-Ray, JSON access logs without bodies or headers, execution logs at ERROR only (no data
 * trace), and gateway responses in the spec's error shape
 * `{ "success": false, "error": "<code>", "detail": "..." }` for what API Gateway answers itself.
 */
import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EDGE_DETAILS } from '../../lambdas/shared/errors';
import type { RouteSpec } from '../../lambdas/shared/routes';
import { acknowledgeLogRetention } from './log-retention';
import { OperationsKey } from './operations-key';

/**
 * Access log line. Only request metadata: no `$context` variable that carries a body, a header
 * (API keys travel in `X-API-Key`), an API Gateway API key or a query string.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  xrayTraceId: '$context.xrayTraceId',
};

export const STAGE_NAME = 'v1';

export type ApiAuthorization = 'iam' | 'function';

export interface ServiceRestApiProps {
  readonly description: string;
  /** The API's name in the console, by stage. */
  readonly name: string;
  /** Where the 404 detail sends callers for the list of routes. */
  readonly referenceHint: string;
  /** `iam`: SigV4 on every method; `function`: no API Gateway authoriser, the function checks X-API-Key. */
  readonly authorization: ApiAuthorization;
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** Of the access log group. */
  readonly removalPolicy: RemovalPolicy;
}

interface GatewayError {
  readonly type: apigateway.ResponseType;
  readonly statusCode?: string;
  readonly error: string;
  /** A JSON string literal, or a VTL expression that yields one. */
  readonly detail: string;
  readonly headers?: Record<string, string>;
}

const MESSAGE = '$context.error.messageString';
const text = (s: string): string => JSON.stringify(s);

export class ServiceRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  private readonly authorizationType: apigateway.AuthorizationType;
  private readonly integrations = new Map<IFunction, apigateway.LambdaIntegration>();

  constructor(scope: Construct, id: string, props: ServiceRestApiProps) {
    super(scope, id);
    this.authorizationType = props.authorization === 'iam' ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE;
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy,
      encryptionKey: OperationsKey.of(this),
    });
    acknowledgeLogRetention(this.accessLogGroup);

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.name,
      description: props.description,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // API Gateway writes logs through one account-wide role; without it the stage cannot log.
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: this.authorizationType },
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs: errors only, never request/response data (it would carry addresses and bodies).
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-wide role API Gateway needs to write access/execution logs; AWS maintains this policy for ' +
          'exactly that purpose (log groups of any API in the account, which are unknown to this stack).',
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'Requests are validated in the functions with zod, which answer 400 in the spec\'s shape with per-field ' +
        '"issues"; an API Gateway validator would answer in a different shape and duplicate the schema.',
    });
    Validations.of(this.api).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      reason: 'False positive: each permission lets apigateway.amazonaws.com invoke the function only with a SourceArn ' +
        'of this API\'s own method (execute-api ARN built with Fn::Join from the API id), which the rule cannot read ' +
        'as a SourceArn; no permission is granted to "*" or without a source.',
    });

    for (const gatewayError of this.gatewayErrors(props.authorization, props.referenceHint)) {
      this.api.addGatewayResponse(`${gatewayError.type.responseType}Response`, {
        type: gatewayError.type,
        statusCode: gatewayError.statusCode,
        responseHeaders: gatewayError.headers,
        templates: {
          'application/json': `{"success":false,"error":${text(gatewayError.error)},"detail":${gatewayError.detail}}`,
        },
      });
    }
  }

  /**
   * Adds every route of a route table as a Lambda proxy method on `fn`, and `ANY` on each of their
   * paths to the same function: a method the path does not support reaches the function, which
   * answers 405 with `Allow` and the error shape, as local mode does (API Gateway would answer 404).
   */
  addRoutes(routes: Readonly<Record<string, RouteSpec>>, fn: IFunction): void {
    let integration = this.integrations.get(fn);
    if (!integration) {
      integration = new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
      this.integrations.set(fn, integration);
    }
    const options = { authorizationType: this.authorizationType };
    for (const route of Object.values(routes)) {
      this.api.root.resourceForPath(route.resource).addMethod(route.method, integration, options);
    }
    for (const path of new Set(Object.values(routes).map((route) => route.resource))) {
      const resource = this.api.root.resourceForPath(path);
      if (!resource.node.tryFindChild('ANY')) resource.addMethod('ANY', integration, options);
    }
  }

  get url(): string {
    return this.api.url;
  }

  private gatewayErrors(authorization: ApiAuthorization, referenceHint: string): GatewayError[] {
    const common: GatewayError[] = [
      { type: apigateway.ResponseType.DEFAULT_4XX, error: 'bad_request', detail: MESSAGE },
      {
        type: apigateway.ResponseType.DEFAULT_5XX, error: 'internal_error',
        detail: text('The API could not handle the request; retry, and contact support with the request id if it persists.'),
      },
      {
        type: apigateway.ResponseType.THROTTLED, error: 'rate_limited',
        detail: text('Too many requests to the API; wait for Retry-After seconds and retry.'),
        headers: { 'Retry-After': "'1'" },
      },
      {
        type: apigateway.ResponseType.REQUEST_TOO_LARGE, statusCode: '413', error: 'request_too_large',
        detail: text('The request is larger than API Gateway accepts (10 MB); send a smaller body.'),
      },
      {
        type: apigateway.ResponseType.INTEGRATION_TIMEOUT, error: 'timeout',
        detail: text('The request took too long and may or may not have completed; a send retried with the same Idempotency-Key is never sent twice.'),
      },
    ];
    if (authorization === 'iam') {
      return [
        ...common,
        {
          type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, error: 'missing_authentication',
          detail: text('Sign the request with SigV4 using credentials of the platform account, and check the method and path.'),
        },
        { type: apigateway.ResponseType.INVALID_SIGNATURE, error: 'invalid_signature', detail: MESSAGE },
        { type: apigateway.ResponseType.EXPIRED_TOKEN, error: 'expired_token', detail: text('The credentials have expired; refresh them and retry.') },
        {
          type: apigateway.ResponseType.ACCESS_DENIED, error: 'access_denied',
          detail: text('These credentials may not call the admin API: they need execute-api:Invoke on it.'),
        },
        { type: apigateway.ResponseType.UNAUTHORIZED, error: 'unauthorized', detail: MESSAGE },
      ];
    }
    return [
      ...common,
      {
        // Without an authoriser this only means: no such method on this path.
        type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '404', error: 'not_found',
        detail: text(`No such route: check the path. ${referenceHint}`),
      },
      {
        type: apigateway.ResponseType.UNAUTHORIZED, error: 'invalid_api_key',
        detail: text('Send a valid API key in the X-API-Key header.'),
      },
      // A block by the WAF's managed rules (its own rate limits answer in WAF, in the route's shape).
      { type: apigateway.ResponseType.WAF_FILTERED, statusCode: '403', error: 'edge_blocked', detail: text(EDGE_DETAILS.edge_blocked) },
    ];
  }
}
