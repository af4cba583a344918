/**
 * The relay account's single table: tenant/API-key projection, BYOC configs, domains, counters,
 * rate windows, idempotency records. Key and index names come from the one module that defines
 * the key design (lambdas/relay/store/relay-table.ts) and are re-exported here for the stack.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { GSI1, PK, SK, TTL_ATTRIBUTE } from '../../lambdas/relay/store/relay-table';
import { tableDefaults, type StatefulProps } from './table-defaults';

export { GSI1, PK, SK, TTL_ATTRIBUTE };

export class RelayTable extends dynamodb.Table {
  static readonly keys = { PK, SK, GSI1, TTL_ATTRIBUTE } as const;

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id, {
      ...tableDefaults(props),
      partitionKey: { name: PK, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SK, type: dynamodb.AttributeType.STRING },
      // Idempotency records and rate windows expire by themselves.
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    // The monthly reset pages usage items through GSI1; it needs their keys only.
    this.addGlobalSecondaryIndex({
      indexName: GSI1.name,
      partitionKey: { name: GSI1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: GSI1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }
}
