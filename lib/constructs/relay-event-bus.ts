/**
 * The relay side of the seam: a bus that admits `events:PutEvents` from one principal only — the
 * platform's forwarding role — and the pattern of the tenant snapshots that arrive on it, for the
 * constructs that consume them (TenantSync).
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';

export interface RelayEventBusProps {
  /** Physical name, known to the platform stack through configuration. */
  readonly busName: string;
  readonly platformAccountId: string;
  /** ARN of the platform role EventBridge uses to forward snapshots (built from configuration). */
  readonly forwardingRoleArn: string;
}

export class RelayEventBus extends Construct {
  readonly bus: events.EventBus;
  /** Tenant snapshots published by the platform account (and by no other). */
  readonly tenantSnapshots: events.EventPattern;

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
    this.tenantSnapshots = {
      source: [TENANT_EVENT_SOURCE],
      detailType: [TENANT_SNAPSHOT_DETAIL_TYPE],
      account: [props.platformAccountId],
    };
  }
}
