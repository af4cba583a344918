/**
 * Alarms that reach someone: one SNS topic per stack — each stage has its own in each account —
 * (encrypted, TLS only), an optional e-mail subscription from configuration, and every CloudWatch
 * alarm of the stack wired to it (ALARM and OK) by `notifyEveryAlarm`, which the stack calls once,
 * after its last alarm. It wires what exists then: an alarm created later would have no action, and
 * the Control Tower check CT.CLOUDWATCH.PR.1 fails the synth on it (test/infra/edge-and-alarms.test.ts
 * checks that, and every alarm's actions). A topic policy replaces SNS's default one, so the policy
 * itself lets CloudWatch publish: only this account's alarms of this stack (the KMS key lets
 * CloudWatch use the key, OperationsKey).
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { OperationsKey } from './operations-key';

export interface OperatorAlarmsProps {
  /** Subscribed by e-mail when given (the recipient confirms once). */
  readonly email?: string;
}

export class OperatorAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'SendFleet alarms',
      masterKey: OperationsKey.of(this),
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /**
   * Makes the topic the ALARM and OK action of every alarm in the stack, and lets exactly those
   * alarms publish to it. Call once, after the stack is built.
   */
  notifyEveryAlarm(): void {
    const action = new SnsAction(this.topic);
    const alarms = Stack.of(this).node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisStackPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
      },
    }));
  }

  /**
   * One CloudWatch dashboard for the stack: a graph per alarm, its threshold drawn, in the order the
   * alarms were created. Call after every alarm exists.
   */
  addDashboard(dashboardName: string): cloudwatch.Dashboard {
    const alarms = Stack.of(this).node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
    const widgets = alarms.map((alarm) => new cloudwatch.AlarmWidget({ alarm, title: alarm.node.path.split('/').slice(1).join(' / '), width: 8, height: 6 }));
    const rows: cloudwatch.IWidget[][] = [];
    for (let i = 0; i < widgets.length; i += 3) rows.push(widgets.slice(i, i + 3));
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName, widgets: rows });
    // The app's tags would reach it, and cfn-lint 1.51 does not know dashboard tags yet (E3002): a dashboard needs none.
    (dashboard.node.defaultChild as cloudwatch.CfnDashboard).addPropertyDeletionOverride('Tags');
    return dashboard;
  }
}
