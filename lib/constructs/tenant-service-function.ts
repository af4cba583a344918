/**
 * A platform function that runs the TenantService (lambdas/platform/tenants/): the tenants table,
 * and PutEvents on the platform bus, where every change it stores is published as a snapshot.
 * The admin API's function and the customer-keys function are both one.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ServiceFunction } from './service-function';

export interface TenantServiceFunctionProps {
  readonly table: dynamodb.ITable;
  /** The platform bus the function publishes tenant snapshots to (PutEvents on it, nothing else). */
  readonly eventBus: events.IEventBus;
  readonly removalPolicy: RemovalPolicy;
  /** A fixed physical name, when another account must know it before deploy. */
  readonly functionName?: string;
}

export function tenantServiceFunction(scope: Construct, id: string, name: 'adminApi' | 'customerKeys', props: TenantServiceFunctionProps): ServiceFunction {
  const fn = ServiceFunction.fromCatalog(scope, id, name, {
    table: props.table,
    environment: { EVENT_BUS_NAME: props.eventBus.eventBusName },
    removalPolicy: props.removalPolicy,
    ...(props.functionName ? { functionName: props.functionName } : {}),
  });
  props.eventBus.grantPutEventsTo(fn);
  return fn;
}
