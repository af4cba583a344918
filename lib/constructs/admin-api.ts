/**
 * The operator-only admin API of the platform account: every method IAM-authorised (SigV4),
 * proxying to one function that owns tenants and API keys and publishes tenant snapshots.
 */
import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { adminRoutes } from '../../lambdas/platform/api-routes';
import type { ServiceFunction } from './service-function';
import { tenantServiceFunction } from './tenant-service-function';
import { ServiceRestApi, STAGE_NAME } from './service-rest-api';
import { alarmOnApi, ALARM_THRESHOLDS } from './service-alarms';

export interface AdminApiProps {
  readonly table: dynamodb.ITable;
  /** The platform bus the function publishes tenant snapshots to (PutEvents on it, nothing else). */
  readonly eventBus: events.IEventBus;
  /** The API's name in the console, by stage. */
  readonly apiName: string;
  readonly removalPolicy: RemovalPolicy;
}

export class AdminApi extends Construct {
  readonly handler: ServiceFunction;
  readonly restApi: ServiceRestApi;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.handler = tenantServiceFunction(this, 'Handler', 'adminApi', props);

    this.restApi = new ServiceRestApi(this, 'Rest', {
      description: 'SendFleet admin API (operators only, IAM-authorised)',
      name: props.apiName,
      referenceHint: 'The routes are listed by `npm run admin -- --help`.',
      authorization: 'iam',
      throttling: { rateLimit: 10, burstLimit: 20 },
      removalPolicy: props.removalPolicy,
    });
    this.restApi.addRoutes(adminRoutes, this.handler);
    alarmOnApi(this, this.restApi.api, {
      name: 'admin API', p99Ms: ALARM_THRESHOLDS.adminApiP99Ms,
      whatToCheck: 'Read the admin function\'s logs (error_name); check AWS Health for DynamoDB and EventBridge.',
    });
    Validations.of(this.restApi.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Operators only: every method is IAM-authorised, so API Gateway refuses unsigned requests before any ' +
        'function runs, and the stage is throttled to 10 requests/s (burst 20). The customer API has the WAF.',
    });
    Validations.of(this.restApi.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Operators authenticate with AWS IAM (SigV4, AuthorizationType AWS_IAM on every method); there are no ' +
        'end users and so no Cognito user pool.',
    });
  }

  get url(): string {
    return this.restApi.url;
  }

  /** `execute-api:Invoke` resource for operator IAM policies. */
  get invokeArn(): string {
    return this.restApi.api.arnForExecuteApi('*', '/admin/*', STAGE_NAME);
  }
}
