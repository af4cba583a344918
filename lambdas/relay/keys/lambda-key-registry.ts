/**
 * The KeyRegistry in AWS: a synchronous `lambda:InvokeFunction` of the platform account's
 * customer-keys function (its ARN is built from configuration, see lib/config.ts). The client is
 * created once per container. A function error, a throttle or an unreadable payload is
 * PlatformUnavailableError. One attempt only: a create whose answer was lost and then retried would
 * issue a second key nobody sees; the customer retries (the answer says so).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { keyRegistryOver, PlatformUnavailableError, type KeyRegistry } from './key-registry';

/** The platform function answers in well under a second; 10 s leaves room for a cold start, inside the keys function's 20 s. */
const INVOKE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The keys function's client: one attempt, bounded, and in the platform function's region (taken
 * from its ARN): the relay and the platform may live in different regions, and Lambda answers an
 * invoke of another region's function only at that region's endpoint. Exported for its test.
 */
export const keysLambdaClient = (functionArn: string): LambdaClient => new LambdaClient({
  region: regionOf(functionArn), maxAttempts: 1, requestHandler: { requestTimeout: INVOKE_REQUEST_TIMEOUT_MS, connectionTimeout: 3_000 },
});

/** `arn:aws:lambda:<region>:<account>:function:<name>` → its region. */
function regionOf(functionArn: string): string {
  const region = functionArn.split(':')[3];
  if (!region) throw new Error(`not a Lambda function ARN: ${functionArn}`);
  return region;
}

export function lambdaKeyRegistry(functionArn: string, client: LambdaClient = keysLambdaClient(functionArn)): KeyRegistry {
  return keyRegistryOver(async (request) => {
    let answer;
    try {
      answer = await client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }));
    } catch (error) {
      throw new PlatformUnavailableError(`invoking the platform failed (${error instanceof Error ? error.name : typeof error})`);
    }
    if (answer.FunctionError || !answer.Payload) throw new PlatformUnavailableError(`the platform function failed (${answer.FunctionError ?? 'no payload'})`);
    try {
      return JSON.parse(Buffer.from(answer.Payload).toString('utf8')) as unknown;
    } catch {
      throw new PlatformUnavailableError('the platform\'s answer is not JSON');
    }
  });
}
