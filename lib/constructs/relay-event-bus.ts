/**
 * The relay side of the seam: a bus that admits `events:PutEvents` from one principal only — the
 * platform's forwarding role — and a rule sending tenant snapshots to the tenant-sync function
 * (retries, then a DLQ).
 */
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';
import { asyncLambdaTarget } from './async-lambda-target';
import { DeadLetterQueue } from './dead-letter-queue';
import { ServiceFunction } from './service-function';

export interface RelayEventBusProps {
  /** Physical name, known to the platform stack through configuration. */
  readonly busName: string;
  readonly platformAccountId: string;
  /** ARN of the platform role EventBridge uses to forward snapshots (built from configuration). */
  readonly forwardingRoleArn: string;
  readonly table: dynamodb.ITable;
  readonly removalPolicy: RemovalPolicy;
}

export class RelayEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly syncFunction: ServiceFunction;
  readonly syncRule: events.Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: RelayEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: 'SendFleet tenant snapshots from the platform account',
    });
    // The policy lives on the bus itself (AWS::Events::EventBus Policy): no separate EventBusPolicy
    // resource, whose deprecated `principal` property cdk-nag reads on every synth.
    // The role is named by the principal ARN condition, not as the principal: the relay deploys first,
    // and a resource policy naming a role that does not exist yet is refused.
    const busArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${props.busName}`;
    (this.bus.node.defaultChild as events.CfnEventBus).policy = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'PlatformForwardingRolePutsTenantEvents',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AccountPrincipal(props.platformAccountId)],
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions: { ArnEquals: { 'aws:PrincipalArn': props.forwardingRoleArn } },
      })],
    });

    this.syncFunction = ServiceFunction.fromCatalog(this, 'TenantSync', 'tenantSync', {
      table: props.table,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetters = new DeadLetterQueue(this, 'TenantSyncDeadLetters', {
      purpose: 'tenant snapshots the relay could not apply (replay with the admin API\'s publish route)',
    });
    this.syncRule = new events.Rule(this, 'TenantSnapshotRule', {
      eventBus: this.bus,
      description: 'Applies tenant snapshots from the platform account',
      eventPattern: {
        source: [TENANT_EVENT_SOURCE],
        detailType: [TENANT_SNAPSHOT_DETAIL_TYPE],
        account: [props.platformAccountId],
      },
      targets: [asyncLambdaTarget(this.syncFunction, this.deadLetters, {
        retryAttempts: 20,
        maxEventAge: Duration.hours(2),
        functionRetryAttempts: 2,
        functionMaxEventAge: Duration.hours(2),
      })],
    });
  }
}
