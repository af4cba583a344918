/** Test tables in the shared DynamoDB Local (started by the integration project's global setup). */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type AttributeValue, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { systemClock, type Clock } from '../../lambdas/shared/clock';
import type { AwsWiring } from '../../lambdas/shared/clients';
import { LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS } from '../../local/local-identity';
import { tableNames } from '../../local/local-identity';
import { createTables } from '../../local/tables';

export function dynamoEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_DYNAMODB is not set: run integration tests through jest (global setup starts DynamoDB Local)');
  return endpoint;
}

export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`;
}

export async function createTestTables(name: string): Promise<{ tenants: string; relay: string }> {
  const prefix = uniquePrefix(name);
  const tables = tableNames(prefix);
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint() });
  await createTables(client, tables);
  client.destroy();
  return tables;
}

/** Every item of a table, for privacy scans and exact assertions. */
export async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint() });
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page: ScanCommandOutput = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  client.destroy();
  return items;
}

/** AWS wiring for tests that build stores directly on the shared DynamoDB Local. */
export function testWiring(clock: Clock = systemClock): AwsWiring {
  return { clock, endpoints: { dynamodb: dynamoEndpoint() }, dynamoRequestTimeoutMs: LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS };
}
