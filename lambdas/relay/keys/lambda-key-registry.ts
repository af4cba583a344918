/**
 * The KeyRegistry in AWS: a synchronous `lambda:InvokeFunction` of the platform account's
 * customer-keys function (its ARN is built from configuration, see lib/config.ts). The client is
 * created once per container. A function error, a throttle or an unreadable payload is
 * PlatformUnavailableError; the request's budget bounds the call (API Gateway gives up at 29 s).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { keyRegistryOver, PlatformUnavailableError, type KeyRegistry } from './key-registry';

/** The platform function answers in well under a second; a few seconds per attempt leaves room for a cold start. */
const INVOKE_REQUEST_TIMEOUT_MS = 8_000;

export function lambdaKeyRegistry(functionArn: string, client: LambdaClient = new LambdaClient({ maxAttempts: 2, requestHandler: { requestTimeout: INVOKE_REQUEST_TIMEOUT_MS, connectionTimeout: 3_000 } })): KeyRegistry {
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
