/**
 * AWS clients, created once per process. Endpoints can be overridden (local mode, tests) with the
 * SDK's own variables, e.g. AWS_ENDPOINT_URL_DYNAMODB; the SDK reads those itself, so nothing
 * here knows whether the endpoint is real.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}
