/**
 * DynamoDB like the other AWS clients: a stuck call ends after a per-attempt timeout and a bounded
 * number of attempts, instead of waiting for the Lambda timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS } from '../../local/local-identity';
import { createDynamoDbClient, DYNAMODB_MAX_ATTEMPTS, DYNAMODB_REQUEST_TIMEOUT_MS, dynamoDocumentClient, lambdaWiring } from '../../lambdas/shared/clients';

let server: Server;
let attempts = 0;

beforeAll(async () => {
  // Accepts every request and never answers: a stuck connection.
  server = createServer(() => { attempts += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The SDK's own variables, as local mode sets them.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local',
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => { attempts = 0; });


test('a call that never answers fails with a timeout after the bounded number of attempts', async () => {
  const client = createDynamoDbClient({ requestTimeoutMs: 150, maxAttempts: 3 });
  const error = await client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'a' } } })).catch((e: unknown) => e);
  client.destroy();
  expect((error as Error).name).toBe('TimeoutError');
  expect(attempts).toBe(3);
});

test('the shared client uses the production timeout and attempt bound', async () => {
  const client = dynamoDocumentClient(lambdaWiring());
  expect(await client.config.maxAttempts()).toBe(DYNAMODB_MAX_ATTEMPTS);
  const handlerConfig = await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
  expect(handlerConfig).toMatchObject({ requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true });
  expect(DYNAMODB_MAX_ATTEMPTS).toBe(3);
  expect(DYNAMODB_REQUEST_TIMEOUT_MS).toBe(3_000);
});

test('a wiring may set its own per-attempt timeout (local mode: DynamoDB Local on a loaded machine); an explicit option still wins', async () => {
  const requestTimeout = async (client: ReturnType<typeof dynamoDocumentClient>) =>
    ((await (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider).requestTimeout);
  const local = dynamoDocumentClient({ ...lambdaWiring(), dynamoRequestTimeoutMs: LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS });
  expect(await requestTimeout(local)).toBe(30_000);
  const explicit = dynamoDocumentClient({ ...lambdaWiring(), dynamoRequestTimeoutMs: 30_000 }, { requestTimeoutMs: 150 });
  expect(await requestTimeout(explicit)).toBe(150);
  local.destroy();
  explicit.destroy();
});

test('one wiring, one default DynamoDB client: every store of a function (its webhook outbox\'s included) shares it', () => {
  const aws = lambdaWiring();
  expect(dynamoDocumentClient(aws)).toBe(dynamoDocumentClient(aws));
  expect(dynamoDocumentClient(aws)).not.toBe(dynamoDocumentClient(lambdaWiring()));
  // Options make a client of their own (a store that needs another timeout).
  expect(dynamoDocumentClient(aws, { requestTimeoutMs: 150 })).not.toBe(dynamoDocumentClient(aws));
});
