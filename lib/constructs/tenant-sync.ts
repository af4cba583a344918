/**
 * The relay's copy of tenants and keys kept in step with the platform: a rule on the relay bus
 * sends every tenant snapshot the bus admits to the tenant-sync function, which applies it
 * (lambdas/relay/tenant-sync/). Delivery and execution are retried, then dead-lettered and alarmed:
 * a snapshot not applied is replayed from the platform once the cause is fixed (it is versioned,
 * so a replay or a duplicate is harmless).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { asyncLambdaTarget } from './async-lambda-target';
import { DeadLetterQueue } from './dead-letter-queue';
import type { RelayEventBus } from './relay-event-bus';
import { ServiceFunction } from './service-function';

export interface TenantSyncProps {
  /** The bus the snapshots arrive on, and what a snapshot from the platform looks like there. */
  readonly bus: RelayEventBus;
  /** The relay table the projection lives in. */
  readonly table: dynamodb.ITable;
  /** Of the function's log group. */
  readonly removalPolicy: RemovalPolicy;
}

export class TenantSync extends Construct {
  readonly syncFunction: ServiceFunction;
  readonly rule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: TenantSyncProps) {
    super(scope, id);
    this.syncFunction = ServiceFunction.fromCatalog(this, 'Function', 'tenantSync', {
      table: props.table,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: 'tenant snapshots the relay could not apply (replay with the admin API\'s publish route)',
    });
    this.rule = new events.Rule(this, 'SnapshotRule', {
      eventBus: props.bus.bus,
      description: 'Applies tenant snapshots from the platform account',
      eventPattern: props.bus.tenantSnapshots,
      targets: [asyncLambdaTarget(this.syncFunction, this.deadLetters, {
        retryAttempts: 20,
        maxEventAge: Duration.hours(2),
        functionRetryAttempts: 2,
        functionMaxEventAge: Duration.hours(2),
      })],
    });
  }
}
