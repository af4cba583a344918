/**
 * A stand-in for customers' AWS accounts: STS AssumeRole and SES v1 over the real Query wire
 * protocol, so the relay's unmodified SDK clients can be pointed at it with an endpoint override.
 * One HTTP server carries both services (told apart by the SigV4 credential scope) and the JSON
 * control API under /_sim.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control';
import * as ids from './ids';
import { MAILBOX_PAGE_CSP } from './mailbox-page';
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
  type IdentityStatusInput,
  type MailboxMessage,
  type RoleInput,
  type RoleView,
  type VerifiedEmailInput,
} from './state';
import { assumeRole, sessionArn, type Caller } from './sts';
import { API_VERSIONS, AwsError, QueryParams, errorXml, resultXml, type Service, type XmlObject } from './wire';

export type {
  AccountInput,
  AccountView,
  FaultError,
  FaultRule,
  FaultRuleInput,
  IdentityStatusInput,
  MailboxMessage,
  RoleInput,
  RoleView,
  VerifiedEmailInput,
};
export type { PolicyDocument } from './policy';
export type { VerificationStatus } from './state';
export { ControlError };

export interface SimulatorOptions {
  /** The account the relay runs in: the principal that customer trust policies name. */
  relayAccountId: string;
  /** The relay's own access key; any secret is accepted for it, as its local credentials are fake. */
  relayAccessKeyId: string;
  /** Delay added to every STS and SES call. */
  latencyMs?: number;
  /** Milliseconds since the epoch; tests fake it to expire credentials or age the quota window. */
  now?: () => number;
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
  resetCalls(): void;
  /** Forgets accounts, roles, issued credentials, mailbox, faults and calls. */
  reset(): void;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A `timeout` fault never answers; the connection is dropped after this long at the latest. */
const HOLD_OPEN_MS = 60_000;

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  if (Number(request.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

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

/** sts or ses: from the credential scope, else (no usable signature) from the API version. */
function serviceOf(auth: Authorization | undefined, version: string | undefined): Service | undefined {
  const candidate = auth?.service ?? (version === API_VERSIONS.sts ? 'sts' : version === API_VERSIONS.ses ? 'ses' : undefined);
  return candidate === 'sts' || candidate === 'ses' ? candidate : undefined;
}

export function createSimulator(options: SimulatorOptions): Simulator {
  if (!/^\d{12}$/.test(options.relayAccountId)) throw new Error(`relayAccountId must be 12 digits, got "${options.relayAccountId}"`);
  const state = new SimState(options.latencyMs ?? 0, options.now ?? Date.now);
  const relayCaller: Caller = { kind: 'relay', accountId: options.relayAccountId, arn: `arn:aws:iam::${options.relayAccountId}:root` };
  /** drop timers of requests held open by `timeout` faults, cleared when those connections close */
  const heldOpen = new Set<NodeJS.Timeout>();
  let url: string | undefined;

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
    return { kind: 'session', session, arn: sessionArn(session) };
  }

  async function dispatch(service: Service, request: IncomingMessage, body: Buffer, params: QueryParams): Promise<XmlObject> {
    const header = request.headers.authorization;
    if (header === undefined) throw missingToken();
    const auth = parseAuthorization(header);
    if (!auth) throw new AwsError('IncompleteSignature', `Authorization header is not a valid AWS4-HMAC-SHA256 signature: ${header}`);
    const caller = await authenticate(request, body, auth);
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    if (service === 'sts') {
      if (action !== 'AssumeRole' || version !== API_VERSIONS.sts) {
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
      }
      return assumeRole(state, caller, params);
    }
    if (version !== API_VERSIONS.ses) {
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
    }
    if (caller.kind !== 'session') {
      // the relay must act in customer accounts through an assumed role, never with its own keys
      throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: ses:${action}`, 403);
    }
    return handleSesWithMessages(state, caller.session, auth.region, action, params);
  }

  function sendXml(response: ServerResponse, status: number, xml: string, requestId: string): void {
    if (response.destroyed || response.headersSent) return; // the client gave up while we waited
    response.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }).end(xml);
  }

  /** Never answers: the client's own timeout has to fire, as with a hung AWS endpoint. */
  function holdOpen(response: ServerResponse): void {
    const timer = setTimeout(() => response.destroy(), HOLD_OPEN_MS).unref();
    heldOpen.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      heldOpen.delete(timer);
    });
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
    if (delay > 0) await sleep(delay);
    if (fault?.error === 'timeout') return holdOpen(response);
    try {
      if (fault) throw faultError(fault.error, service, action);
      const result = await dispatch(service, request, body, new QueryParams(params));
      sendXml(response, 200, resultXml(service, action, result, requestId), requestId);
    } catch (error) {
      if (!(error instanceof AwsError)) console.error('simulator: unexpected failure', error);
      const awsError = error instanceof AwsError ? error : new AwsError('InternalFailure', 'The simulator failed unexpectedly.', 500);
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
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // answer, then drop the connection rather than read the rest of an oversized upload
      response.on('finish', () => request.socket.destroy());
      response.setHeader('Connection', 'close');
      if (isControl) return sendJson(response, 413, { error: 'PayloadTooLarge', detail: `bodies are limited to ${MAX_BODY_BYTES} bytes` });
      const requestId = ids.requestId();
      const error413 = new AwsError('RequestEntityTooLarge', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, 413);
      return sendXml(response, 413, errorXml('ses', error413, requestId), requestId);
    }
    if (!isControl) return handleAws(request, response, body);
    const result = handleControl(state, request.method ?? 'GET', pathname, body);
    if ('html' in result) {
      response.writeHead(result.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': MAILBOX_PAGE_CSP });
      response.end(result.html);
    } else {
      sendJson(response, result.status, result.json);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
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
      for (const timer of heldOpen) clearTimeout(timer);
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
    resetCalls: () => state.calls.clear(),
    reset: () => state.reset(),
  };
}
