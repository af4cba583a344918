/**
 * An encrypted, SSL-only SQS dead-letter queue with an alarm on its depth: a message here is an
 * event that was not applied (a tenant change, a monthly reset) and needs an operator.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** What lands here, for the alarm description. */
  readonly purpose: string;
  /** A customer-managed key, for dead letters that hold personal data (default: SQS-managed encryption). */
  readonly encryptionKey?: kms.IKey;
  /** @default 14 days */
  readonly retentionPeriod?: Duration;
}

export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  /** ApproximateNumberOfMessagesVisible > 0. */
  readonly depthAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
    const dlqOfDlq = 'This queue is itself a dead-letter queue (of an EventBridge target, of a Lambda function\'s async ' +
      'invocations or of an SQS queue); a DLQ for a DLQ adds nothing. Its depth alarm notifies the stack\'s alarm topic (e-mail when ' +
      `alarmEmail is configured); messages are kept ${(props.retentionPeriod ?? Duration.days(14)).toDays()} days.`;
    Validations.of(this.queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: dlqOfDlq });
    Validations.of(this.queue).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: dlqOfDlq });
    this.depthAlarm = new cloudwatch.Alarm(this, 'DepthAlarm', {
      alarmDescription: `Dead letters waiting: ${props.purpose}. Inspect the queue, fix the cause, then re-drive or replay.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
