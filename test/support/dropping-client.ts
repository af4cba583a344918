/**
 * A DynamoDB client like the relay's (tracked transport, the SDK's standard retries) whose transport
 * loses answers: it forwards a write, lets DynamoDB Local apply it, then drops the answer and fails
 * with a connection reset, so the SDK's standard retry sends the same request again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DYNAMODB_MAX_ATTEMPTS } from '../../lambdas/shared/clients';
import { trackedRequestHandler } from '../../lambdas/shared/http-transport';
import { dynamoEndpoint } from './dynamo';

export interface DroppingOptions {
  /** The operations whose answers may be dropped (`UpdateItem`, `PutItem`…). */
  operations: string[];
  /** Drops the answer of the n-th applied write of those operations (numbered from 1); `attempt` is the SDK's. */
  drop: (applied: number, attempt: number) => boolean;
  /** Drops the answer of any such write whose body matches, applied or not. */
  dropAny?: (body: string) => boolean;
}

export function droppingDocumentClient({ operations, drop, dropAny = () => false }: DroppingOptions) {
  // A generous attempt timeout: DynamoDB Local is slow while other test files run beside this one.
  const inner = trackedRequestHandler({ maxSockets: 64, requestTimeout: 15_000, throwOnRequestTimeout: true });
  let applied = 0;
  let dropped = 0;
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body?: unknown }, options?: { abortSignal?: AbortSignal }) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const watched = operations.some((operation) => target.endsWith(`.${operation}`));
      const attempt = Number(/attempt=(\d+)/.exec(String(request.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1);
      const result = await inner.handle(request as never, options);
      const picked = watched && (dropAny(bodyOf(request)) || (result.response.statusCode === 200 && drop(++applied, attempt)));
      if (picked) {
        dropped += 1;
        (result.response.body as NodeJS.ReadableStream & { destroy(): void }).destroy();
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return result;
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => inner.destroy(),
  };
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint(), requestHandler, maxAttempts: DYNAMODB_MAX_ATTEMPTS });
  return { db: DynamoDBDocumentClient.from(client), dropped: () => dropped, destroy: () => client.destroy() };
}

/** The request's JSON body as text (the SDK hands the transport bytes). */
function bodyOf(request: { body?: unknown }): string {
  const { body } = request;
  return body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : typeof body === 'string' ? body : '';
}
