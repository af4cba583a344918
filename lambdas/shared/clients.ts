/**
 * AWS clients, created once per handler from an `AwsWiring`: in Lambda the SDK's defaults; in local
 * mode and tests explicit endpoints (DynamoDB Local, the simulator) and the test bed's clock.
 *
 * DynamoDB gets what the SES and STS clients already have: a per-attempt timeout and a bounded
 * number of attempts. Without them a stuck connection waits for the Lambda timeout (28 s on the
 * API functions) and API Gateway answers 504 first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { signWithClock, systemClock, type Clock } from './clock';
import { trackedRequestHandler } from './http-transport';

/**
 * DynamoDB answers single-item calls in single-digit milliseconds; 3 s per attempt (plus at most 3 s
 * to connect) is far above a healthy call and below the functions' timeouts: 3 attempts of at most
 * 6 s plus backoff ≈ 19 s at worst, inside the API functions' 28 s. Shorter connect timeouts (1 s,
 * 2 s) failed against DynamoDB Local under 200 concurrent sends on the loaded test machine, and the
 * tests run these production values.
 */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 3_000;
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 3_000;
/** The SDK's standard strategy (exponential backoff with jitter), bounded to 3 attempts. */
export const DYNAMODB_MAX_ATTEMPTS = 3;

export interface DynamoClientOptions extends ClientSettings {
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  maxAttempts?: number;
}

/** A DynamoDB client with a per-attempt timeout and bounded retries (exported for tests). */
export function createDynamoDbClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const requestTimeout = options.requestTimeoutMs ?? DYNAMODB_REQUEST_TIMEOUT_MS;
  return new DynamoDBClient({
    ...definedSettings(options),
    maxAttempts: options.maxAttempts ?? DYNAMODB_MAX_ATTEMPTS,
    // Tracked: the counters' writes retry only attempts that provably did not apply (limits-store.ts).
    requestHandler: trackedRequestHandler({
      connectionTimeout: Math.min(options.connectionTimeoutMs ?? DYNAMODB_CONNECTION_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      // Without this the handler only logs a warning and the attempt waits for ever.
      throwOnRequestTimeout: true,
      maxSockets: 64,
    }),
  });
}

/**
 * Where a function's AWS clients point and whose time they sign with. In Lambda: the system clock
 * and the SDK's defaults (region and credentials from the function's environment). Local mode and
 * the test bed pass their own, so two systems in one process never share a client or a table.
 */
export interface AwsWiring {
  clock: Clock;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints?: { dynamodb?: string; sts?: string; ses?: string };
  /**
   * Per-attempt DynamoDB timeout when not DYNAMODB_REQUEST_TIMEOUT_MS: local mode's DynamoDB Local
   * shares the machine's CPU with everything else, so a loaded machine makes it slow, not broken.
   */
  dynamoRequestTimeoutMs?: number;
}

export const lambdaWiring = (): AwsWiring => ({ clock: systemClock });

interface ClientSettings {
  region?: string;
  credentials?: AwsWiring['credentials'];
  endpoint?: string;
}

/** Only the settings given, so that the SDK's own defaults (environment, credential chain) apply to the rest. */
function definedSettings({ region, credentials, endpoint }: ClientSettings): ClientSettings {
  return { ...(region ? { region } : {}), ...(credentials ? { credentials } : {}), ...(endpoint ? { endpoint } : {}) };
}

/** What every client of a wiring shares: region, credentials and (when set) the endpoint. */
export function clientSettings(aws: AwsWiring, endpoint: string | undefined): ClientSettings {
  return definedSettings({ region: aws.region, credentials: aws.credentials, endpoint });
}

/** Each wiring's default client: the stores of one function (its outbox's included) share it. */
const defaultDocumentClients = new WeakMap<AwsWiring, DynamoDBDocumentClient>();

/** The DynamoDB document client of a function: one per wiring (and per set of options), created on first use. */
export function dynamoDocumentClient(aws: AwsWiring, options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  if (Object.keys(options).length > 0) return newDocumentClient(aws, options);
  let client = defaultDocumentClients.get(aws);
  if (!client) defaultDocumentClients.set(aws, client = newDocumentClient(aws, options));
  return client;
}

function newDocumentClient(aws: AwsWiring, options: DynamoClientOptions): DynamoDBDocumentClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? aws.dynamoRequestTimeoutMs;
  const client = signWithClock(createDynamoDbClient({ ...options, ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }), ...clientSettings(aws, aws.endpoints?.dynamodb) }), aws.clock);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
