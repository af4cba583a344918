/**
 * One customer-managed KMS key per stack for operational data: the functions' and APIs' log groups
 * and the alarm topic. CloudWatch Logs and CloudWatch alarms can only use a key whose policy names
 * them (the AWS-managed `aws/sns` key silently drops alarm notifications), hence a key of our own.
 * Rotated yearly.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

const ID = 'OperationsKey';

export class OperationsKey extends Construct {
  /** The stack's key, created on first use. */
  static of(scope: Construct, removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): kms.Key {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID) as OperationsKey | undefined;
    return (existing ?? new OperationsKey(stack, ID, removalPolicy)).key;
  }

  readonly key: kms.Key;

  private constructor(scope: Construct, id: string, removalPolicy: RemovalPolicy) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'SendFleet operational data: log groups and the alarm topic',
      enableKeyRotation: true,
      removalPolicy,
      // Only used when a dev stack is destroyed: the shortest window KMS allows.
      pendingWindow: Duration.days(7),
    });
    // Grants only for AWS services acting for us (Control Tower CT.KMS.PR.3).
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
  }
}
