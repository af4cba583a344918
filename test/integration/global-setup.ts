/**
 * One DynamoDB Local for the whole integration run; each test file creates its own uniquely named
 * tables. The AWS SDK reaches it through its own endpoint variable, as local mode does.
 */
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { RELAY_LOCAL_CREDENTIALS } from '../../local/local-identity';

export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  // The relay's own (fake) credentials; the simulator knows this access key as the relay account.
  process.env.AWS_ACCESS_KEY_ID = RELAY_LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = RELAY_LOCAL_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_PROFILE;
  (globalThis as { __DDB_LOCAL__?: unknown }).__DDB_LOCAL__ = ddb;
}
