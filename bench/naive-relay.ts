/**
 * Baseline for the benchmarks: a "naive relay" doing what the reference BYOC service documents,
 * per send: read the tenant's BYOC config from DynamoDB (no cache), assume the tenant's role with
 * STS (a fresh session every time), then call SES SendEmail with those credentials.
 *
 * To keep the comparison about remote calls only, it builds the same SES request as the relay
 * (the relay's own parser and message builder) and uses the same keep-alive transport, and it does
 * LESS than the relay otherwise: no API-key lookup (the tenant id comes in `x-tenant-id`), no
 * domain checks, no rate or monthly limit, no error mapping. Bench code only; never deployed.
 */
import { randomUUID } from 'node:crypto';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsRequestHandler } from '../lambdas/relay/customer-account/sessions';
import { relayKeys } from '../lambdas/relay/store/relay-table';
import { toSendEmailInput } from '../lambdas/relay/customer-account/ses-request';
import { parseSendRequest } from '../lambdas/relay/send/message/request';

export interface NaiveRelayDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  requestTimeoutMs?: number;
}

const json = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyResult => ({
  statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

export function createNaiveRelay(deps: NaiveRelayDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const requestHandler = awsRequestHandler();
  const sts = new STSClient({ requestHandler, maxAttempts: 2 });

  return async (event) => {
    const tenantId = event.headers['x-tenant-id'] ?? event.headers['X-Tenant-Id'];
    if (!tenantId) return json(401, { success: false, error: 'invalid_api_key', detail: 'x-tenant-id missing' });
    const request = parseSendRequest(JSON.parse(event.body ?? '{}'));

    // 1. the tenant's BYOC config, read on every send
    const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: relayKeys.byocConfig(tenantId) }));
    const config = Item as { role_arn?: string; external_id?: string; region?: string; status?: string } | undefined;
    if (!config?.role_arn || !config.external_id || !config.region || config.status !== 'validated') {
      return json(403, { success: false, error: 'byoc_not_validated', detail: 'no validated config' });
    }

    // 2. a fresh session in the tenant's account, on every send
    const { Credentials } = await sts.send(new AssumeRoleCommand({
      RoleArn: config.role_arn, ExternalId: config.external_id, RoleSessionName: `naive-${randomUUID().slice(0, 8)}`, DurationSeconds: 900,
    }));
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) return json(403, { success: false, error: 'could_not_assume_role', detail: '' });

    // 3. SES with those credentials
    const ses = new SESClient({
      region: config.region,
      credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken },
      requestHandler,
      maxAttempts: 3,
    });
    const { MessageId } = await ses.send(new SendEmailCommand(toSendEmailInput(request)));
    return json(200, { success: true, message: 'Email accepted by your SES account.', message_id: MessageId, mode: 'byoc' });
  };
}
