/**
 * The platform side of the one seam between the accounts: a bus the admin function publishes
 * tenant snapshots to, and a rule forwarding them to the relay account's bus, addressed by an
 * ARN built from configuration (never a construct of the other stack).
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_EVENT_SOURCE, TENANT_SNAPSHOT_DETAIL_TYPE } from '../../lambdas/shared/tenant-events';
import { DeadLetterQueue } from './dead-letter-queue';

export interface TenantEventsProps {
  /** `arn:aws:events:<region>:<relay account>:event-bus/<name>`. */
  readonly relayEventBusArn: string;
  /** Physical names (by stage): the relay bus admits only this role, by name. */
  readonly busName: string;
  readonly forwardingRoleName: string;
}

export class TenantEvents extends Construct {
  readonly bus: events.EventBus;
  readonly forwardingRule: events.Rule;
  /** The role EventBridge assumes to put events on the relay bus. */
  readonly forwardingRole: iam.Role;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: TenantEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: 'SendFleet tenant snapshots published by the admin API',
    });
    this.deadLetters = new DeadLetterQueue(this, 'ForwardingDeadLetters', {
      purpose: 'tenant snapshots that could not be forwarded to the relay account',
    });
    this.forwardingRole = new iam.Role(this, 'ForwardingRole', {
      roleName: props.forwardingRoleName,
      // Only for rules of this account on this bus (confused deputy): EventBridge passes the rule's ARN.
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${props.busName}/*` },
        },
      }),
      description: 'Lets EventBridge put tenant snapshots on the relay account bus',
    });
    const relayBus = events.EventBus.fromEventBusArn(this, 'RelayBus', props.relayEventBusArn);
    this.forwardingRule = new events.Rule(this, 'ForwardToRelay', {
      eventBus: this.bus,
      description: 'Forwards tenant snapshots to the relay account',
      eventPattern: { source: [TENANT_EVENT_SOURCE], detailType: [TENANT_SNAPSHOT_DETAIL_TYPE] },
      targets: [new targets.EventBus(relayBus, { role: this.forwardingRole, deadLetterQueue: this.deadLetters.queue })],
    });
  }
}
