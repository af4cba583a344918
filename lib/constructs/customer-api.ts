/**
 * The customer-facing API of the relay account: send and BYOC onboarding routes, proxied to two
 * functions. No API Gateway authoriser: both functions authenticate `X-API-Key` themselves
 * against the SHA-512 hashes projected from the platform.
 */
import { Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { onboardingRoutes, sendRoutes } from '../../lambdas/relay/api-routes';
import { ServiceFunction } from './service-function';
import { ServiceRestApi } from './service-rest-api';

export interface CustomerApiProps {
  readonly table: dynamodb.ITable;
  /** Refused as a customer role account by onboarding (the platform must have no path in). */
  readonly platformAccountId: string;
  /** Stage-wide throttling, in front of the per-key limits the send function applies. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly removalPolicy: RemovalPolicy;
}

export class CustomerApi extends Construct {
  readonly sendFunction: ServiceFunction;
  readonly onboardingFunction: ServiceFunction;
  readonly restApi: ServiceRestApi;

  constructor(scope: Construct, id: string, props: CustomerApiProps) {
    super(scope, id);
    const relayAccountId = Stack.of(this).account;
    this.sendFunction = ServiceFunction.fromCatalog(this, 'Send', 'send', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId },
      removalPolicy: props.removalPolicy,
    });
    this.onboardingFunction = ServiceFunction.fromCatalog(this, 'Onboarding', 'onboarding', {
      table: props.table,
      environment: { RELAY_ACCOUNT_ID: relayAccountId, PLATFORM_ACCOUNT_ID: props.platformAccountId },
      removalPolicy: props.removalPolicy,
    });

    this.restApi = new ServiceRestApi(this, 'Rest', {
      description: 'SendFleet customer API (X-API-Key)',
      authorization: 'function',
      throttling: props.throttling,
      removalPolicy: props.removalPolicy,
    });
    this.restApi.addRoutes(sendRoutes, this.sendFunction);
    this.restApi.addRoutes(onboardingRoutes, this.onboardingFunction);

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
