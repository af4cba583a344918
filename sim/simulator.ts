/**
 * A stand-in for customers' AWS accounts: STS AssumeRole and SES v1 over the real Query wire
 * protocol, so the relay's unmodified SDK clients can be pointed at it with an endpoint override.
 * One HTTP server carries both services (told apart by the SigV4 credential scope) and the JSON
 * control API under /_sim.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../lambdas/shared/clock';
import { isTrackingClock, trackedOn } from '../local/virtual-clock';
import { CloudFormationSim, type CloudFormationOptions, type StackView } from './cloudformation';
import { handleCloudFormation, isCloudFormationPath } from './cloudformation-routes';
import { handleControl } from './control';
import { EventPublisher, type EventBridgeOptions } from './event-publishing';
import * as ids from './ids';
import { MAILBOX_PAGE_CSP } from './mailbox-page';
import { ObjectStore } from './object-store';
import { handleSesWithMessages } from './raw-message';
import { parseAuthorization, signatureMatches, type Authorization } from './sigv4';
import {
  ControlError,
  SimState,
  type AccountInput,
  type AccountView,
  type FaultError,
  type FaultRule,
  type FaultRuleInput,
  type Forwarding,
  type IdentityStatusInput,
  type MailboxMessage,
  type PublishedEvent,
  type RoleInput,
  type RoleView,
  type VerifiedEmailInput,
} from './state';
import { DEFAULT_CONTROL_PLANE_BURST, DEFAULT_CONTROL_PLANE_RATE, DEFAULT_IAM_PROPAGATION_MS, DEFAULT_SEND_BURST } from './account-settings';
import { assumeRole, sessionArn, type Caller } from './sts';
import { scopeError, skewError } from './request-checks';
import { API_VERSIONS, AwsError, QueryParams, errorXml, resultXml, type Service, type XmlObject } from './wire';

export type {
  AccountInput,
  AccountView,
  FaultError,
  FaultRule,
  FaultRuleInput,
  Forwarding,
  IdentityStatusInput,
  PublishedEvent,
  MailboxMessage,
  RoleInput,
  RoleView,
  VerifiedEmailInput,
};
export type { PolicyDocument } from './policy';
export type { EventBridgeOptions } from './event-publishing';
export type { SuppressedDestination } from './ses-configuration';
import type { SuppressedDestination } from './ses-configuration';
export type { CloudFormationOptions, SnsDelivery, StackStatus, StackView } from './cloudformation';
export type { VerificationStatus } from './state';
export { ControlError };

/** Who the relay's own access key is: in Lambda it is the function's role session. */
export type RelayIdentity = { kind: 'assumed-role'; roleName: string; sessionName: string } | { kind: 'iam-user'; userName: string };

export const DEFAULT_RELAY_IDENTITY = { kind: 'assumed-role', roleName: 'sendfleet-relay-local', sessionName: 'relay' } as const satisfies RelayIdentity;

export interface SimulatorOptions {
  /** The account the relay runs in: the principal that customer trust policies name. */
  relayAccountId: string;
  /** The relay's own access key; any secret is accepted for it, as its local credentials are fake. */
  relayAccessKeyId: string;
  /** An assumed role unless told otherwise, as in Lambda: its AssumeRole calls are role chaining (1 h at most). */
  relayIdentity?: RelayIdentity;
  /** Delay added to every STS and SES call. */
  latencyMs?: number;
  /**
   * The simulator's clock: rate buckets, quotas, credential expiry, IAM propagation, SigV4 clock
   * skew and latency all run on it. The test bed shares one virtual clock between the relay and the
   * simulator, so tests advance time instead of waiting; default the system clock.
   */
  clock?: Clock;
  /** MaxSendRate enforced on SendEmail/SendRawEmail (per account and region, per recipient); on unless false. */
  enforceSendRate?: boolean;
  /** Identity and quota calls throttled (per account and region); on unless false. */
  enforceControlPlaneRate?: boolean;
  /** Recipients the send bucket holds when an account does not say (3). */
  sendBurst?: number;
  /** Identity and quota calls per second when an account does not say (1). */
  controlPlaneRate?: number;
  /** Identity and quota calls allowed at once when an account does not say (2). */
  controlPlaneBurst?: number;
  /** IAM propagation delay of an account that does not say (8 s, as IAM is commonly seen to take). */
  iamPropagationMs?: number;
  /** CloudFormation: where custom resource requests are delivered (the relay's registration handler, as SNS would). */
  cloudFormation?: CloudFormationOptions;
  /** EventBridge: where default-bus rules forward SES events whose target is an event bus (local mode: the relay's delivery-events handler). */
  eventBridge?: EventBridgeOptions;
}

export interface Simulator {
  /** The base URL, e.g. http://127.0.0.1:4566; only after listen(). */
  readonly url: string;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Creates the account (SES sandbox, sending enabled, unless told otherwise) or updates it. */
  createAccount(input: AccountInput): AccountView;
  account(accountId: string): AccountView;
  putRole(accountId: string, roleName: string, input: RoleInput): RoleView;
  deleteRole(accountId: string, roleName: string): void;
  /** Stands in for DNS propagation; all regions holding the identity unless `region` is given. */
  setIdentityStatus(accountId: string, identity: string, input: IdentityStatusInput): void;
  verifyEmail(accountId: string, input: VerifiedEmailInput): void;
  addFault(rule: FaultRuleInput): FaultRule;
  clearFaults(): void;
  setLatency(ms: number): void;
  mailbox(): MailboxMessage[];
  clearMailbox(): void;
  /** Calls per `service:Action`, failed and faulted ones included. */
  calls(): Record<string, number>;
  /** Throttling answers per `service:Action`, whatever the cause (rate, quota, fault); cleared with the calls. */
  throttled(): Record<string, number>;
  resetCalls(): void;
  /** Forgets accounts, roles, stacks, issued credentials, mailbox, faults and calls (stored objects stay: they are the relay account's). */
  reset(): void;
  /** Stores an object of the relay account's S3, served at `GET /_sim/s3/{bucket}/{key}` (the hosted template). */
  putObject(bucket: string, key: string, body: string | Buffer, contentType?: string): void;
  /** A CloudFormation stack as `GET /_sim/accounts/{account}/cloudformation/stacks/{name}` shows it. */
  stack(accountId: string, stackName: string, region?: string): StackView;
  /** The stack once its running operation (create, update, delete) has ended. */
  stackSettled(accountId: string, stackName: string, region?: string): Promise<StackView>;
  /** SES events put on default buses, oldest first (they hold addresses: the customer's account, not the relay). */
  publishedEvents(): PublishedEvent[];
  /** What each matching rule did with each event per target; `outcome: 'failed'` ones carry the reason. */
  forwardings(): Forwarding[];
  /** Pauses (false) or resumes (true) sending through a configuration set. */
  /** A set with suppression of bounces and complaints and no event destination (as SES's CreateConfigurationSet makes). */
  createConfigurationSet(accountId: string, region: string, name: string): void;
  setConfigurationSetSending(accountId: string, region: string, name: string, enabled: boolean): void;
  suppressedDestinations(accountId: string, region: string): SuppressedDestination[];
  /** Removes an address from the account-level suppression list, as the customer does in the SES console. */
  deleteSuppressedDestination(accountId: string, region: string, address: string): void;
}

/** The control API's body limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** AWS calls: room for a form-encoded message just over SES's 10 MB, so SES's own 400 answers it, not a 413. */
const MAX_AWS_BODY_BYTES = 32 * 1024 * 1024;
/** A `timeout` fault never answers; the connection is dropped after this long at the latest. */
const HOLD_OPEN_MS = 60_000;

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(request.headers['content-length']) > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        reject(new BodyTooLarge());
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}


const missingToken = () => new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
const invalidToken = () => new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);

function faultError(fault: Exclude<FaultError, 'timeout'>, service: Service, action: string): AwsError {
  switch (fault) {
    case 'Throttling':
      // SES's own wording when a send outpaces MaxSendRate
      return new AwsError('Throttling', service === 'ses' && action.startsWith('Send') ? 'Maximum sending rate exceeded.' : 'Rate exceeded');
    case 'InternalFailure':
      return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
    case 'ServiceUnavailable':
      return new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
  }
}

/** sts or ses: from the API version (as a real endpoint is one service), else from the credential scope. */
function serviceOf(auth: Authorization | undefined, version: string | undefined): Service | undefined {
  const candidate = version === API_VERSIONS.sts ? 'sts' : version === API_VERSIONS.ses ? 'ses' : auth?.service;
  return candidate === 'sts' || candidate === 'ses' ? candidate : undefined;
}

/** `/eu-west-1` or `/eu-west-1/` pins the endpoint to a region; `/` serves every region. */
function endpointRegion(url: string | undefined): string | undefined {
  const match = /^\/([a-z]{2}(?:-[a-z]+)+-\d)\/?$/.exec(new URL(url ?? '/', 'http://sim').pathname);
  return match?.[1];
}

export function createSimulator(options: SimulatorOptions): Simulator {
  if (!/^\d{12}$/.test(options.relayAccountId)) throw new Error(`relayAccountId must be 12 digits, got "${options.relayAccountId}"`);
  const clock = options.clock ?? systemClock;
  /**
   * Holds a caller on purpose for `ms` (latency, a hung connection). The simulator goes on after a
   * caller hangs up, as AWS does: a late send is still delivered. On the test bed's clock the hold is
   * a park, so the caller's wait does not hold virtual time still.
   */
  const holdCaller = (ms: number, response: ServerResponse): Promise<void> => {
    const hungUp = new AbortController();
    response.once('close', () => hungUp.abort());
    return isTrackingClock(clock) ? clock.park(ms, hungUp.signal) : clock.sleep(ms);
  };
  const state = new SimState({
    latencyMs: options.latencyMs ?? 0,
    now: () => clock.now(),
    defaults: {
      sendBurst: options.sendBurst ?? DEFAULT_SEND_BURST,
      controlPlaneRate: options.controlPlaneRate ?? DEFAULT_CONTROL_PLANE_RATE,
      controlPlaneBurst: options.controlPlaneBurst ?? DEFAULT_CONTROL_PLANE_BURST,
      iamPropagationMs: options.iamPropagationMs ?? DEFAULT_IAM_PROPAGATION_MS,
    },
    enforceSendRate: options.enforceSendRate ?? true,
    enforceControlPlaneRate: options.enforceControlPlaneRate ?? true,
  });
  const identity = options.relayIdentity ?? DEFAULT_RELAY_IDENTITY;
  const relayCaller: Caller = {
    kind: 'relay',
    accountId: options.relayAccountId,
    arn:
      identity.kind === 'assumed-role'
        ? `arn:aws:sts::${options.relayAccountId}:assumed-role/${identity.roleName}/${identity.sessionName}`
        : `arn:aws:iam::${options.relayAccountId}:user/${identity.userName}`,
    isRoleSession: identity.kind === 'assumed-role',
  };
  /** connections held open by `timeout` faults, dropped when the simulator closes */
  const heldOpen = new Set<ServerResponse>();
  let url: string | undefined;
  const objects = new ObjectStore();
  const cloudFormation = new CloudFormationSim(state, clock, objects, () => {
    if (url === undefined) throw new Error('the simulator is not listening; call listen() first');
    return url;
  }, options.cloudFormation);
  const publisher = new EventPublisher(state, clock, options.eventBridge);

  /** The caller behind a well-formed signature, after checking the key, token, expiry and signature. */
  async function authenticate(request: IncomingMessage, body: Buffer, auth: Authorization): Promise<Caller> {
    if (auth.accessKeyId === options.relayAccessKeyId) return relayCaller;
    const session = state.sessions.get(auth.accessKeyId);
    if (!session || request.headers['x-amz-security-token'] !== session.sessionToken) throw invalidToken();
    if (state.now() >= session.expiresAt) throw new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
    const signed = { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body };
    if (!(await signatureMatches(signed, auth, session.secretAccessKey))) {
      throw new AwsError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );
    }
    return { kind: 'session', accountId: session.accountId, session, arn: sessionArn(session), isRoleSession: true };
  }

  async function dispatch(service: Service, request: IncomingMessage, body: Buffer, params: QueryParams): Promise<XmlObject> {
    const header = request.headers.authorization;
    if (header === undefined) throw missingToken();
    const auth = parseAuthorization(header);
    if (!auth) throw new AwsError('IncompleteSignature', `Authorization header is not a valid AWS4-HMAC-SHA256 signature: ${header}`);
    // what AWS checks before the signature itself: the scope names this endpoint, the clock is close enough
    const misScoped = scopeError(auth, service, endpointRegion(request.url));
    if (misScoped) throw misScoped;
    const skewed = skewError(request.headers['x-amz-date'], state.now());
    if (skewed) throw skewed;
    const caller = await authenticate(request, body, auth);
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    if (service === 'sts') {
      if (action !== 'AssumeRole' || version !== API_VERSIONS.sts) {
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
      }
      return assumeRole(state, caller, auth.region, params);
    }
    if (version !== API_VERSIONS.ses) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
    }
    if (caller.kind !== 'session') {
      // the relay must act in customer accounts through an assumed role, never with its own keys
      throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: ses:${action}`, 403);
    }
    return handleSesWithMessages(state, caller.session, auth.region, action, params, (send) => publisher.accepted(send));
  }

  function sendXml(response: ServerResponse, status: number, xml: string, requestId: string): void {
    if (response.destroyed || response.headersSent) return; // the client gave up while we waited
    // the Date header comes from the simulator's clock: the SDK corrects its clock skew from it, as with AWS
    const date = new Date(state.now()).toUTCString();
    response.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId, Date: date }).end(xml);
  }

  /** Never answers: the client's own timeout has to fire, as with a hung AWS endpoint. */
  async function holdOpen(response: ServerResponse): Promise<void> {
    heldOpen.add(response);
    await holdCaller(HOLD_OPEN_MS, response);
    heldOpen.delete(response);
    response.destroy();
  }

  async function handleAws(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    const requestId = ids.requestId();
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const { authorization } = request.headers;
    const service = serviceOf(authorization === undefined ? undefined : parseAuthorization(authorization), params.get('Version') ?? undefined);
    if (!service) {
      const error = new AwsError('UnknownService', 'This endpoint serves STS (sts) and SES v1 (ses) Query calls only.');
      return sendXml(response, error.status, errorXml('ses', error, requestId), requestId);
    }
    if (request.method !== 'POST') {
      const error = new AwsError('MethodNotAllowed', 'Query calls are accepted as POST with a form-encoded body.', 405);
      return sendXml(response, error.status, errorXml(service, error, requestId), requestId);
    }

    state.countCall(`${service}:${action}`);
    const fault = state.takeFault(service, action);
    const delay = state.latencyMs + (fault?.latency_ms ?? 0);
    if (delay > 0) await holdCaller(delay, response);
    if (fault?.error === 'timeout') return holdOpen(response);
    try {
      if (fault) throw faultError(fault.error, service, action);
      const result = await dispatch(service, request, body, new QueryParams(params));
      sendXml(response, 200, resultXml(service, action, result, requestId), requestId);
    } catch (error) {
      if (!(error instanceof AwsError)) console.error('simulator: unexpected failure', error);
      const awsError = error instanceof AwsError ? error : new AwsError('InternalFailure', 'The simulator failed unexpectedly.', 500);
      if (awsError.code === 'Throttling') state.countThrottled(`${service}:${action}`);
      sendXml(response, awsError.status, errorXml(service, awsError, requestId), requestId);
    }
  }

  function sendJson(response: ServerResponse, status: number, json: unknown): void {
    if (json === undefined) {
      response.writeHead(status).end();
      return;
    }
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://sim').pathname;
    const isControl = pathname === '/_sim' || pathname.startsWith('/_sim/');
    let body: Buffer;
    try {
      body = await readBody(request, isControl ? MAX_BODY_BYTES : MAX_AWS_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // answer, then drop the connection rather than read the rest of an oversized upload
      response.on('finish', () => request.socket.destroy());
      response.setHeader('Connection', 'close');
      if (isControl) return sendJson(response, 413, { error: 'PayloadTooLarge', detail: `bodies are limited to ${MAX_BODY_BYTES} bytes` });
      const requestId = ids.requestId();
      const error413 = new AwsError('RequestEntityTooLarge', `Request bodies are limited to ${MAX_AWS_BODY_BYTES} bytes.`, 413);
      return sendXml(response, 413, errorXml('ses', error413, requestId), requestId);
    }
    if (!isControl) return handleAws(request, response, body);
    if (isCloudFormationPath(pathname)) {
      const answer = handleCloudFormation({ engine: cloudFormation, objects, state, baseUrl: url ?? '' }, {
        method: request.method ?? 'GET',
        pathname,
        query: new URL(request.url ?? '/', 'http://sim').searchParams,
        contentType: request.headers['content-type'],
        body,
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const result = handleControl(state, request.method ?? 'GET', pathname, body, {
      reset: () => {
        cloudFormation.reset();
        publisher.reset();
      },
    });
    if ('html' in result) {
      response.writeHead(result.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': MAILBOX_PAGE_CSP });
      response.end(result.html);
    } else {
      sendJson(response, result.status, result.json);
    }
  }

  const server = createServer((request, response) => {
    // On the test bed's clock, a request being handled holds virtual time still (local/virtual-clock.ts).
    trackedOn(clock, () => handle(request, response)).catch((error: unknown) => {
      console.error('simulator: request failed', error);
      if (!response.headersSent && !response.destroyed) response.writeHead(500).end();
    });
  });

  return {
    get url() {
      if (url === undefined) throw new Error('the simulator is not listening; call listen() first');
      return url;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
          resolve(url);
        });
      });
    },
    close() {
      cloudFormation.shutdown();
      publisher.reset();
      for (const response of heldOpen) response.destroy();
      heldOpen.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    createAccount: (input) => state.upsertAccount(input).view,
    account: (accountId) => state.accountView(state.account(accountId)),
    putRole: (accountId, roleName, input) => state.putRole(accountId, roleName, input).view,
    deleteRole: (accountId, roleName) => state.deleteRole(accountId, roleName),
    setIdentityStatus: (accountId, identity, input) => state.setIdentityStatus(accountId, identity, input),
    verifyEmail: (accountId, input) => state.verifyEmail(accountId, input),
    addFault: (rule) => state.addFault(rule),
    clearFaults: () => {
      state.faults = [];
    },
    setLatency: (ms) => state.setLatency({ ms }),
    mailbox: () => structuredClone(state.mailbox),
    clearMailbox: () => {
      state.mailbox.length = 0;
    },
    calls: () => Object.fromEntries(state.calls),
    throttled: () => Object.fromEntries(state.throttled),
    resetCalls: () => {
      state.calls.clear();
      state.throttled.clear();
    },
    reset: () => {
      cloudFormation.reset();
      publisher.reset();
      state.reset();
    },
    putObject: (bucket, key, body, contentType) => objects.put(bucket, key, body, contentType),
    stack: (accountId, stackName, region) => cloudFormation.describe(accountId, stackName, region),
    stackSettled: (accountId, stackName, region) => cloudFormation.settled(accountId, stackName, region),
    publishedEvents: () => structuredClone(state.publishedEvents),
    forwardings: () => structuredClone(state.forwardings),
    createConfigurationSet: (accountId, region, name) => state.createConfigurationSet(accountId, region, name),
    setConfigurationSetSending: (accountId, region, name, enabled) => state.setConfigurationSetSending(accountId, region, name, { enabled }),
    suppressedDestinations: (accountId, region) => state.suppressedDestinations(accountId, region),
    deleteSuppressedDestination: (accountId, region, address) => state.deleteSuppressedDestination(accountId, region, address),
  };
}
