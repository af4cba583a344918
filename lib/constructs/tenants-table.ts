/**
 * The platform's system of record for tenants and API keys (PK/SK single table). On-demand, PITR,
 * KMS-encrypted, retained. Its key names come from the one module that defines its key design
 * (lambdas/platform/tenants/tenants-table.ts), the one the tenant store builds its keys with.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { PK, SK } from '../../lambdas/platform/tenants/tenants-table';
import { tableDefaults, type StatefulProps } from './table-defaults';

export class TenantsTable extends dynamodb.Table {
  static readonly keys = { PK, SK } as const;

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id, {
      ...tableDefaults(props),
      partitionKey: { name: PK, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SK, type: dynamodb.AttributeType.STRING },
    });
  }
}
