/**
 * The platform side of self-service API keys: the customer-keys function, under a physical name
 * built from the stage (the relay's keys function invokes it by an ARN built from configuration,
 * as the forwarding role and the relay bus are addressed), and a resource policy that lets the
 * relay ACCOUNT invoke it and nobody else. Which role in the relay account may is decided there:
 * only the keys function's role holds lambda:InvokeFunction on this ARN (lib/constructs/customer-api.ts).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ServiceFunction } from './service-function';
import { tenantServiceFunction } from './tenant-service-function';

export interface CustomerKeysProps {
  readonly table: dynamodb.ITable;
  /** The platform bus the function publishes tenant snapshots to, as the admin API does. */
  readonly eventBus: events.IEventBus;
  /** StageNames.customerKeysFunction. */
  readonly functionName: string;
  /** The one account whose principals may invoke it. */
  readonly relayAccountId: string;
  readonly removalPolicy: RemovalPolicy;
}

export class CustomerKeys extends Construct {
  readonly handler: ServiceFunction;

  constructor(scope: Construct, id: string, props: CustomerKeysProps) {
    super(scope, id);
    this.handler = tenantServiceFunction(this, 'Handler', 'customerKeys', props);
    this.handler.addPermission('RelayAccountInvokes', {
      principal: new iam.AccountPrincipal(props.relayAccountId),
      action: 'lambda:InvokeFunction',
    });
  }
}
