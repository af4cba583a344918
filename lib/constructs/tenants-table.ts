/**
 * The platform's system of record for tenants and API keys (PK/SK single table; the key design
 * lives in lambdas/platform/tenants/tenant-store.ts). On-demand, PITR, KMS-encrypted, retained.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { PK, SK } from '../../lambdas/relay/store/relay-table';

export interface StatefulProps {
  /** RETAIN unless the deployment is an explicit dev one. */
  readonly removalPolicy: RemovalPolicy;
}

/** Settings every table shares: on-demand, point-in-time recovery, encryption, no accidental deletion. */
export function tableDefaults(props: StatefulProps): Partial<dynamodb.TableProps> {
  return {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: props.removalPolicy,
    deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
  };
}

export class TenantsTable extends dynamodb.Table {
  static readonly partitionKey = PK;
  static readonly sortKey = SK;

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id, {
      ...tableDefaults(props),
      partitionKey: { name: TenantsTable.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TenantsTable.sortKey, type: dynamodb.AttributeType.STRING },
    });
  }
}
