/**
 * Sessions in customers' AWS accounts: STS AssumeRole on the tenant's SendFleet-BYOC-Role with
 * the tenant's ExternalId, and an SES client holding those temporary credentials.
 *
 * Sessions are cached per (tenant, role ARN, ExternalId, region): a changed role or region is a
 * different key, so it can never reuse another tenant's or an old role's credentials. A session is
 * used until `refreshBeforeMs` before its expiry, then replaced; concurrent cold requests for the
 * same key share one AssumeRole call.
 */
import { SESClient } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { signWithClock, type Clock } from '../../shared/clock';
import { clientSettings, type AwsWiring } from '../../shared/clients';
import { markUnsentFailures, trackedRequestHandler } from '../../shared/http-transport';
import { classifyFailure, errorName } from './aws-failures';
import { AwsUnavailableError, RoleNotAssumableError } from './errors';

export interface CustomerTarget {
  tenantId: string;
  roleArn: string;
  externalId: string;
  /** During an ExternalId rotation: tried when the role refuses `externalId` (its trust may not have the new one yet). */
  previousExternalId?: string;
  region: string;
}

export interface CustomerSession {
  ses: SESClient;
  expiresAt: number;
}

export const SESSION_SECONDS = 900;
/** Per-attempt timeout of every STS and SES call (the time budget is in customer-account.ts). */
export const SES_REQUEST_TIMEOUT_MS = 5_000;

/**
 * A function's connection pool, shared by its STS client and every customer's SES client (warm
 * sends reuse open connections; `customerSessionsFor` builds one per function).
 * An attempt's timeout is not the transport's: callers run each attempt under the clock's
 * `withTimeout`, so a test can move past it instead of waiting for it. An attempt that times out
 * while still queued for one of the 64 sockets, or before its connection is made, never left the
 * machine: the transport marks it (`neverSent`) and aws-failures.ts reports it as not sent.
 */
export function awsRequestHandler(clock?: Clock): NodeHttpHandler {
  // A connection never made proves nothing was sent (aws-failures.ts): safe to retry.
  const handler = trackedRequestHandler({ connectionTimeout: 2_000, maxSockets: 64 });
  const inFlight = clock?.inFlight?.bind(clock);
  if (inFlight) {
    // The test bed's clock holds still while a call's answer is on the way (the simulator parks what it delays on purpose).
    const handle = handler.handle.bind(handler);
    handler.handle = (request, options) => inFlight(() => handle(request, options));
  }
  return handler;
}

export interface CustomerSessionOptions {
  clock: Clock;
  /** Per-attempt timeout of AssumeRole (default `SES_REQUEST_TIMEOUT_MS`). */
  attemptTimeoutMs?: number;
  refreshBeforeMs?: number;
  maxEntries?: number;
  /** The SES clients' transport; by default a pool of its own (`awsRequestHandler`). */
  requestHandler?: NodeHttpHandler;
  /** SES endpoint override (local mode and tests: the simulator); AWS's regional endpoint otherwise. */
  sesEndpoint?: string;
}

export class CustomerSessions {
  private readonly sessions = new Map<string, CustomerSession>();
  private readonly pending = new Map<string, Promise<CustomerSession>>();
  private readonly refreshBeforeMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly attemptTimeoutMs: number;
  private readonly requestHandler: NodeHttpHandler;
  private readonly sesEndpoint: string | undefined;

  constructor(private readonly sts: STSClient, options: CustomerSessionOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 120_000;
    this.maxEntries = options.maxEntries ?? 500;
    this.clock = options.clock;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? SES_REQUEST_TIMEOUT_MS;
    this.requestHandler = options.requestHandler ?? awsRequestHandler(options.clock);
    this.sesEndpoint = options.sesEndpoint;
  }

  /** `fresh` skips the cache: validation must really assume the role, and a refused session is replaced. */
  async get(target: CustomerTarget, options: { fresh?: boolean } = {}): Promise<CustomerSession> {
    const key = [target.tenantId, target.roleArn, target.externalId, target.region].join('|');
    const cached = options.fresh ? undefined : this.sessions.get(key);
    if (cached && cached.expiresAt - this.refreshBeforeMs > this.clock.now()) return cached;
    const inFlight = options.fresh ? undefined : this.pending.get(key);
    if (inFlight) return inFlight;
    const created = this.assume(target).then(
      (session) => {
        this.remember(key, session);
        return session;
      },
    ).finally(() => {
      // A fresh call may have replaced another caller's entry meanwhile: remove only our own.
      if (this.pending.get(key) === created) this.pending.delete(key);
    });
    this.pending.set(key, created);
    return created;
  }

  /** Forgets every session of a tenant (after a config change in this container). */
  forgetTenant(tenantId: string): void {
    for (const key of this.sessions.keys()) if (key.startsWith(`${tenantId}|`)) this.sessions.delete(key);
  }

  private remember(key: string, session: CustomerSession): void {
    this.sessions.delete(key);
    if (this.sessions.size >= this.maxEntries) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(key, session);
  }

  private async assume(target: CustomerTarget): Promise<CustomerSession> {
    try {
      return await this.assumeWith(target, target.externalId);
    } catch (error) {
      if (!(error instanceof RoleNotAssumableError) || !target.previousExternalId) throw error;
      return this.assumeWith(target, target.previousExternalId);
    }
  }

  private async assumeWith(target: CustomerTarget, externalId: string): Promise<CustomerSession> {
    let credentials;
    try {
      const result = await this.clock.withTimeout(this.attemptTimeoutMs, (abortSignal) => this.sts.send(new AssumeRoleCommand({
        RoleArn: target.roleArn,
        ExternalId: externalId,
        // Names the tenant (visible in the customer's CloudTrail), never a recipient.
        RoleSessionName: `sendfleet-${target.tenantId}`,
        DurationSeconds: SESSION_SECONDS,
      }), { abortSignal }));
      credentials = result.Credentials;
    } catch (error) {
      // AssumeRole changes nothing in the customer's account, so the STS client's own retries are safe;
      // what is left is either STS's verdict on the role (4xx) or STS being unavailable.
      const kind = classifyFailure(error);
      if (kind === 'rejected' || kind === 'session_refused') throw new RoleNotAssumableError(errorName(error));
      throw new AwsUnavailableError('sts', 'AssumeRole', errorName(error));
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.Expiration) {
      throw new AwsUnavailableError('sts', 'AssumeRole', 'IncompleteResponse');
    }
    const expiresAt = credentials.Expiration.getTime();
    const ses = markUnsentFailures(signWithClock(new SESClient({
      region: target.region,
      ...(this.sesEndpoint ? { endpoint: this.sesEndpoint } : {}),
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      },
      requestHandler: this.requestHandler,
      // One attempt per call: customer-account.ts retries only what provably was not carried out.
      maxAttempts: 1,
    }), this.clock));
    return { ses, expiresAt };
  }
}

/** A function's sessions: its own STS client and connection pool, signing with the wiring's clock. */
export function customerSessionsFor(aws: AwsWiring, attemptTimeoutMs?: number): CustomerSessions {
  const requestHandler = awsRequestHandler(aws.clock);
  // AssumeRole changes nothing in the customer's account: the SDK may retry it once.
  const sts = markUnsentFailures(signWithClock(new STSClient({ ...clientSettings(aws, aws.endpoints?.sts), requestHandler, maxAttempts: 2 }), aws.clock));
  return new CustomerSessions(sts, { clock: aws.clock, requestHandler, attemptTimeoutMs, sesEndpoint: aws.endpoints?.ses });
}
