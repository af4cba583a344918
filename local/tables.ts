/** Creates the two accounts' tables in DynamoDB Local with the key schema the CDK stacks deploy. */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as tenantsTable from '../lambdas/platform/tenants/tenants-table';
import { GSI1, PK, SK, TTL_ATTRIBUTE } from '../lambdas/relay/store/relay-table';

export async function createTables(client: DynamoDBClient, names: { tenants: string; relay: string }): Promise<void> {
  await create(client, {
    TableName: names.tenants,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: tenantsTable.PK, AttributeType: 'S' }, { AttributeName: tenantsTable.SK, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: tenantsTable.PK, KeyType: 'HASH' }, { AttributeName: tenantsTable.SK, KeyType: 'RANGE' }],
  });
  await create(client, {
    TableName: names.relay,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PK, AttributeType: 'S' }, { AttributeName: SK, AttributeType: 'S' },
      { AttributeName: GSI1.partitionKey, AttributeType: 'S' }, { AttributeName: GSI1.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: PK, KeyType: 'HASH' }, { AttributeName: SK, KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: GSI1.name,
      KeySchema: [{ AttributeName: GSI1.partitionKey, KeyType: 'HASH' }, { AttributeName: GSI1.sortKey, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  });
  await client.send(new UpdateTimeToLiveCommand({ TableName: names.relay, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
}

async function create(client: DynamoDBClient, input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await client.send(new DescribeTableCommand({ TableName: input.TableName }));
}
