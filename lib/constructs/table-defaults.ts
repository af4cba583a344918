/** What every DynamoDB table of both stacks shares: on-demand, PITR, encryption, no accidental deletion. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

export interface StatefulProps {
  /** RETAIN unless the deployment is an explicit dev one. */
  readonly removalPolicy: RemovalPolicy;
}

export function tableDefaults(props: StatefulProps): Partial<dynamodb.TableProps> {
  return {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: props.removalPolicy,
    deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
  };
}
