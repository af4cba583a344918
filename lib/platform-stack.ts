/**
 * Platform account: tenants table (system of record), the operator-only admin API, and the bus
 * that forwards tenant snapshots to the relay account. Composition only.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminApi } from './constructs/admin-api';
import { TenantEvents } from './constructs/tenant-events';
import { TenantsTable } from './constructs/tenants-table';

export interface PlatformStackProps extends StackProps {
  /** The relay account's tenant-events bus, built from configuration. */
  readonly relayEventBusArn: string;
  /** Explicit dev deployments only: tables and logs are deleted with the stack. */
  readonly destroyOnDelete: boolean;
}

export class PlatformStack extends Stack {
  readonly tenantsTable: TenantsTable;
  readonly tenantEvents: TenantEvents;
  readonly adminApi: AdminApi;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.tenantsTable = new TenantsTable(this, 'TenantsTable', { removalPolicy });
    this.tenantEvents = new TenantEvents(this, 'TenantEvents', { relayEventBusArn: props.relayEventBusArn });
    this.adminApi = new AdminApi(this, 'AdminApi', {
      table: this.tenantsTable,
      eventBus: this.tenantEvents.bus,
      removalPolicy,
    });

    new CfnOutput(this, 'AdminApiUrl', { value: this.adminApi.url, description: 'PLATFORM_URL for npm run admin' });
    new CfnOutput(this, 'AdminApiInvokeArn', {
      value: this.adminApi.invokeArn,
      description: 'Resource for the operators\' execute-api:Invoke permission',
    });
    new CfnOutput(this, 'TenantEventBusName', { value: this.tenantEvents.bus.eventBusName });
    new CfnOutput(this, 'TenantsTableName', { value: this.tenantsTable.tableName });
  }
}
