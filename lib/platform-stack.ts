/**
 * Platform account: tenants table (system of record), the operator-only admin API, the
 * customer-keys function the relay invokes for self-service keys, the bus that
 * forwards tenant snapshots to the relay account, and the alarm topic every alarm notifies.
 * Composition only.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageNames } from './config';
import { setStage } from './stage';
import { AdminApi } from './constructs/admin-api';
import { CustomerKeys } from './constructs/customer-keys';
import { OperationsKey } from './constructs/operations-key';
import { OperatorAlarms } from './constructs/operator-alarms';
import { alarmOnFunctions, alarmOnTableThrottling } from './constructs/service-alarms';
import { TenantEvents } from './constructs/tenant-events';
import { TenantsTable } from './constructs/tenants-table';

export interface PlatformStackProps extends StackProps {
  readonly stage: string;
  /** The relay account's tenant-events bus, built from configuration. */
  readonly relayEventBusArn: string;
  /** The relay account, the one that may invoke the customer-keys function. */
  readonly relayAccountId: string;
  /** Physical names by stage (the platform bus and the forwarding role). */
  readonly names: StageNames;
  readonly alarmEmail?: string;
  /** Explicit dev deployments only: tables and logs are deleted with the stack. */
  readonly destroyOnDelete: boolean;
}

export class PlatformStack extends Stack {
  readonly tenantsTable: TenantsTable;
  readonly tenantEvents: TenantEvents;
  readonly adminApi: AdminApi;
  readonly customerKeys: CustomerKeys;
  readonly alarms: OperatorAlarms;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    setStage(this, props.stage);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    OperationsKey.of(this, removalPolicy);

    this.tenantsTable = new TenantsTable(this, 'TenantsTable', { removalPolicy });
    this.tenantEvents = new TenantEvents(this, 'TenantEvents', {
      relayEventBusArn: props.relayEventBusArn,
      busName: props.names.platformEventBus,
      forwardingRoleName: props.names.forwardingRole,
    });
    this.adminApi = new AdminApi(this, 'AdminApi', {
      table: this.tenantsTable,
      eventBus: this.tenantEvents.bus,
      apiName: `sendfleet-${props.stage}-admin-api`,
      removalPolicy,
    });
    this.customerKeys = new CustomerKeys(this, 'CustomerKeys', {
      table: this.tenantsTable,
      eventBus: this.tenantEvents.bus,
      functionName: props.names.customerKeysFunction,
      relayAccountId: props.relayAccountId,
      removalPolicy,
    });
    alarmOnFunctions(this);
    alarmOnTableThrottling(this.tenantsTable);
    this.alarms = new OperatorAlarms(this, 'Alarms', { email: props.alarmEmail });
    this.alarms.notifyEveryAlarm();
    this.alarms.addDashboard(`sendfleet-${props.stage}-platform`);

    new CfnOutput(this, 'AdminApiUrl', { value: this.adminApi.url, description: 'PLATFORM_URL for npm run admin' });
    new CfnOutput(this, 'AdminApiInvokeArn', {
      value: this.adminApi.invokeArn,
      description: 'Resource for the operators\' execute-api:Invoke permission',
    });
    new CfnOutput(this, 'TenantEventBusName', { value: this.tenantEvents.bus.eventBusName });
    new CfnOutput(this, 'TenantsTableName', { value: this.tenantsTable.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Subscribe on-call here (SNS)' });
  }
}
