/**
 * Reference bundle for the cold-start proxy: only the three AWS SDK clients the relay needs
 * (DynamoDB, STS, SES), imported and constructed, nothing else. The send function's bundle is
 * compared with this one: what it adds beyond the SDK is the relay's own code and libraries.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { STSClient } from '@aws-sdk/client-sts';

export const clients = {
  dynamodb: new DynamoDBClient({}),
  sts: new STSClient({}),
  ses: new SESClient({}),
};

export const handler = async (): Promise<number> => Object.keys(clients).length;
