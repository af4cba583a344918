/**
 * Sessions in customers' AWS accounts: STS AssumeRole on the tenant's SendFleet-BYOC-Role with
 * the tenant's ExternalId, and an SES client holding those temporary credentials.
 *
 * Sessions are cached per (tenant, role ARN, ExternalId, region): a changed role or region is a
 * different key, so it can never reuse another tenant's or an old role's credentials. A session is
 * used until `refreshBeforeMs` before its expiry, then replaced; concurrent cold requests for the
 * same key share one AssumeRole call.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SESClient } from '@aws-sdk/client-ses';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { classifyFailure, errorName } from './aws-failures';
import { AwsUnavailableError, RoleNotAssumableError } from './errors';

export interface CustomerTarget {
  tenantId: string;
  roleArn: string;
  externalId: string;
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
 * One connection pool for every customer's SES client (warm sends reuse open connections), with a
 * per-attempt timeout. Tests and local mode may shorten the timeout; production uses the default.
 */
export function awsRequestHandler(requestTimeoutMs = SES_REQUEST_TIMEOUT_MS): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: Math.min(2_000, requestTimeoutMs),
    requestTimeout: requestTimeoutMs,
    // Without this the handler only logs a warning and the attempt waits for ever.
    throwOnRequestTimeout: true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
  });
}

export interface CustomerSessionOptions {
  refreshBeforeMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** The SES clients' transport; by default one shared pool with the production timeout. */
  requestHandler?: NodeHttpHandler;
}

export class CustomerSessions {
  private readonly sessions = new Map<string, CustomerSession>();
  private readonly pending = new Map<string, Promise<CustomerSession>>();
  private readonly refreshBeforeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly requestHandler: NodeHttpHandler;

  constructor(private readonly sts: STSClient, private readonly options: CustomerSessionOptions = {}) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 120_000;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
    this.requestHandler = options.requestHandler ?? awsRequestHandler();
  }

  /** `fresh` skips the cache: validation must really assume the role, and a refused session is replaced. */
  async get(target: CustomerTarget, options: { fresh?: boolean } = {}): Promise<CustomerSession> {
    const key = [target.tenantId, target.roleArn, target.externalId, target.region].join('|');
    const cached = options.fresh ? undefined : this.sessions.get(key);
    if (cached && cached.expiresAt - this.refreshBeforeMs > this.now()) return cached;
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
    let credentials;
    try {
      const result = await this.sts.send(new AssumeRoleCommand({
        RoleArn: target.roleArn,
        ExternalId: target.externalId,
        // Names the tenant (visible in the customer's CloudTrail), never a recipient.
        RoleSessionName: `sendfleet-${target.tenantId}`,
        DurationSeconds: SESSION_SECONDS,
      }));
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
    const ses = new SESClient({
      region: target.region,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      },
      requestHandler: this.requestHandler,
      // One attempt per call: customer-account.ts retries only what provably was not carried out.
      maxAttempts: 1,
    });
    return { ses, expiresAt };
  }
}
