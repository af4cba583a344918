/**
 * Relay account: the relay table, the bus that accepts tenant snapshots from the platform
 * account only, the customer API and the monthly reset. Composition only.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CustomerApi } from './constructs/customer-api';
import { CustomerDashboard } from './constructs/customer-dashboard';
import { MonthlyReset } from './constructs/monthly-reset';
import { RelayEventBus } from './constructs/relay-event-bus';
import { RelayTable } from './constructs/relay-table';

export interface RelayStackProps extends StackProps {
  readonly platformAccountId: string;
  /** Physical name of the tenant-events bus (the platform targets it by ARN). */
  readonly eventBusName: string;
  /** Explicit dev deployments only: tables and logs are deleted with the stack. */
  readonly destroyOnDelete: boolean;
}

export class RelayStack extends Stack {
  readonly relayTable: RelayTable;
  readonly eventBus: RelayEventBus;
  readonly customerApi: CustomerApi;
  readonly dashboard: CustomerDashboard;
  readonly monthlyReset: MonthlyReset;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    super(scope, id, props);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.relayTable = new RelayTable(this, 'RelayTable', { removalPolicy });
    this.eventBus = new RelayEventBus(this, 'TenantEvents', {
      busName: props.eventBusName,
      platformAccountId: props.platformAccountId,
      table: this.relayTable,
      removalPolicy,
    });
    this.customerApi = new CustomerApi(this, 'CustomerApi', {
      table: this.relayTable,
      platformAccountId: props.platformAccountId,
      throttling: { rateLimit: 100, burstLimit: 200 },
      removalPolicy,
    });
    this.dashboard = new CustomerDashboard(this, 'Dashboard', { api: this.customerApi.restApi, removalPolicy });
    this.monthlyReset = new MonthlyReset(this, 'MonthlyReset', { table: this.relayTable, removalPolicy });

    new CfnOutput(this, 'CustomerApiUrl', { value: this.customerApi.url, description: 'Base URL of the customer API; the customer dashboard is served at this URL' });
    new CfnOutput(this, 'RelayEventBusArn', { value: this.eventBus.bus.eventBusArn });
    new CfnOutput(this, 'RelayTableName', { value: this.relayTable.tableName });
  }
}
