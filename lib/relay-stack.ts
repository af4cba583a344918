/**
 * Relay account: the relay table, the bus that accepts tenant snapshots from the platform's
 * forwarding role only, the tenant sync that applies them, the customer API behind its firewall,
 * the one-click onboarding (hosted customer template, registration topic and function), the monthly
 * reset, the account health check, the delivery-events bus and function (SES events from customers'
 * stacks), and the alarm topic every alarm notifies. Composition only.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageNames } from './config';
import { setStage } from './stage';
import { CustomerApi } from './constructs/customer-api';
import { WebhookDelivery } from './constructs/webhook-delivery';
import { CustomerDashboard } from './constructs/customer-dashboard';
import { CUSTOMER_API_THROTTLE } from './constructs/customer-api-firewall';
import { MonthlyReset } from './constructs/monthly-reset';
import { AccountHealth } from './constructs/account-health';
import { OperationsKey } from './constructs/operations-key';
import { OperatorAlarms } from './constructs/operator-alarms';
import { alarmOnFunctions, alarmOnTableThrottling } from './constructs/service-alarms';
import { RelayEventBus } from './constructs/relay-event-bus';
import { RelayTable } from './constructs/relay-table';
import { TenantSync } from './constructs/tenant-sync';
import { StackRegistration } from './constructs/stack-registration';
import { CustomerTemplateHosting } from './constructs/customer-template-hosting';
import { DeliveryEvents } from './constructs/delivery-events';

export interface RelayStackProps extends StackProps {
  readonly stage: string;
  readonly platformAccountId: string;
  /** Physical names by stage; the tenant-events bus is the one the platform targets by ARN. */
  readonly names: StageNames;
  /** The platform's forwarding role: the one principal the bus admits. */
  readonly forwardingRoleArn: string;
  /** The platform's customer-keys function, built from configuration: the keys function invokes it. */
  readonly customerKeysFunctionArn: string;
  readonly alarmEmail?: string;
  /** Explicit dev deployments only: tables and logs are deleted with the stack. */
  readonly destroyOnDelete: boolean;
  /** Regions customers may launch the SendFleet-BYOC stack in (the relay's own among them). */
  readonly registrationRegions: readonly string[];
}

export class RelayStack extends Stack {
  readonly relayTable: RelayTable;
  readonly eventBus: RelayEventBus;
  readonly tenantSync: TenantSync;
  readonly customerApi: CustomerApi;
  readonly registration: StackRegistration;
  readonly customerTemplate: CustomerTemplateHosting;
  readonly deliveryEvents: DeliveryEvents;
  readonly dashboard: CustomerDashboard;
  readonly monthlyReset: MonthlyReset;
  readonly accountHealth: AccountHealth;
  readonly webhookDelivery: WebhookDelivery;
  readonly alarms: OperatorAlarms;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    super(scope, id, props);
    setStage(this, props.stage);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    OperationsKey.of(this, removalPolicy);

    this.relayTable = new RelayTable(this, 'RelayTable', { removalPolicy });
    this.eventBus = new RelayEventBus(this, 'TenantEvents', {
      busName: props.names.relayEventBus,
      platformAccountId: props.platformAccountId,
      forwardingRoleArn: props.forwardingRoleArn,
    });
    this.tenantSync = new TenantSync(this, 'TenantSync', { bus: this.eventBus, table: this.relayTable, removalPolicy });
    this.registration = new StackRegistration(this, 'StackRegistration', {
      table: this.relayTable,
      platformAccountId: props.platformAccountId,
      removalPolicy,
      otherRegions: props.registrationRegions.filter((region) => region !== this.region),
    });
    // Signed webhooks: the queue the two producers (delivery events, account health) hand notifications to.
    this.webhookDelivery = new WebhookDelivery(this, 'WebhookDelivery', { table: this.relayTable, removalPolicy });
    this.deliveryEvents = new DeliveryEvents(this, 'DeliveryEvents', { busName: props.names.deliveryEventsBus, table: this.relayTable, removalPolicy, webhooks: this.webhookDelivery });
    this.customerTemplate = new CustomerTemplateHosting(this, 'CustomerTemplate', {
      registrationTopicArn: this.registration.topicArnByName,
      deliveryEventsBusArn: this.deliveryEvents.busArn,
      removalPolicy,
    });
    this.accountHealth = new AccountHealth(this, 'AccountHealth', { table: this.relayTable, removalPolicy, webhooks: this.webhookDelivery });
    this.customerApi = new CustomerApi(this, 'CustomerApi', {
      table: this.relayTable,
      platformAccountId: props.platformAccountId,
      throttling: CUSTOMER_API_THROTTLE,
      apiName: `sendfleet-${props.stage}-customer-api`,
      webAclName: props.names.customerWebAcl,
      removalPolicy,
      oneClick: { registrationTopicArn: this.registration.topic.topicArn, customerTemplateUrl: this.customerTemplate.templateUrl, registrationRegions: props.registrationRegions, deliveryEventsBusArn: this.deliveryEvents.busArn },
      healthQueue: this.accountHealth.queue,
      customerKeysFunctionArn: props.customerKeysFunctionArn,
    });
    this.dashboard = new CustomerDashboard(this, 'Dashboard', { api: this.customerApi.restApi, removalPolicy });
    this.monthlyReset = new MonthlyReset(this, 'MonthlyReset', { table: this.relayTable, removalPolicy });
    alarmOnFunctions(this);
    alarmOnTableThrottling(this.relayTable);
    this.alarms = new OperatorAlarms(this, 'Alarms', { email: props.alarmEmail });
    this.alarms.notifyEveryAlarm();
    this.alarms.addDashboard(`sendfleet-${props.stage}-relay`);

    new CfnOutput(this, 'CustomerApiUrl', { value: this.customerApi.url, description: 'Base URL of the customer API; the customer dashboard is served at this URL' });
    new CfnOutput(this, 'RelayEventBusArn', { value: this.eventBus.bus.eventBusArn });
    new CfnOutput(this, 'CustomerTemplateUrl', { value: this.customerTemplate.templateUrl, description: 'The customer template CloudFormation quick-create links read (public, this one object only)' });
    new CfnOutput(this, 'DeliveryEventsBusArn', { value: this.deliveryEvents.busArn, description: 'Where customers\' SendFleet-BYOC stacks forward their SES events' });
    new CfnOutput(this, 'RelayTableName', { value: this.relayTable.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Subscribe on-call here (SNS)' });
  }
}
