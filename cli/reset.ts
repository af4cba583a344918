/**
 * Runs the monthly reset against local mode's DynamoDB and prints its report as JSON.
 *
 *   npm run reset
 *
 * environment: AWS_ENDPOINT_URL_DYNAMODB (default http://127.0.0.1:8000, where `npm start` puts
 * DynamoDB Local), RELAY_TABLE (default sendfleet-local-relay). DynamoDB Local accepts any
 * credentials, so fake ones are used when none are set.
 */
import '../local/node-version-notice';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createMonthlyReset } from '../lambdas/relay/monthly-reset/monthly-reset';
import { systemClock } from '../lambdas/shared/clock';
import { setLogSink } from '../lambdas/shared/logger';
import { LOCAL_TABLE_PREFIX, RELAY_LOCAL_CREDENTIALS, tableNames } from '../local/local-identity';

const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || 'http://127.0.0.1:8000';
const tableName = process.env.RELAY_TABLE || tableNames(LOCAL_TABLE_PREFIX).relay;
const hasCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY);

async function main(): Promise<void> {
  // stdout carries only the report, so it can be piped; the job's log line goes to stderr.
  setLogSink((line) => process.stderr.write(line + '\n'));
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    ...(hasCredentials ? {} : { credentials: RELAY_LOCAL_CREDENTIALS }),
  });
  try {
    const report = await createMonthlyReset({ db: DynamoDBDocumentClient.from(client), tableName, clock: systemClock })();
    console.log(JSON.stringify(report, null, 2));
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  const name = error instanceof Error ? error.name : '';
  console.error(
    cause === 'ECONNREFUSED' ? `cannot reach DynamoDB at ${endpoint}: is \`npm start\` running? (set AWS_ENDPOINT_URL_DYNAMODB otherwise)`
      : name === 'ResourceNotFoundException' ? `table ${tableName} does not exist at ${endpoint} (set RELAY_TABLE otherwise)`
        : `reset failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
