/**
 * The SES v1 calls the relay makes in a customer's account outside the send path (validation and
 * domain set-up), behind a small port so the use cases can be tested with fakes. SDK failures come
 * out as named errors that say what the customer has to do about them:
 * - `SesPermissionError`: the role may not call that action (fix the permissions policy);
 * - `SesUnavailableError`: throttling, 5xx, timeouts, or a session SES stopped accepting (retry);
 * - `SesRefusedError`: any other refusal, with SES's reason (addresses removed).
 * STS failures keep their own names (`AssumeRoleDeniedError`, `AssumeRoleUnavailableError`).
 */
import {
  DeleteIdentityCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SetIdentityMailFromDomainCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  type SESClient,
} from '@aws-sdk/client-ses';
import { classifySesError, withoutAddresses } from './ses-errors';
import type { CustomerSessions, CustomerTarget } from './customer-session';
import type { DomainStatuses, RecordKind, RecordStatus } from './domain-store';

export class SesPermissionError extends Error {
  override readonly name = 'SesPermissionError';
  /** e.g. `ses:GetSendQuota` */
  constructor(readonly action: string) { super(action); }
}

export class SesUnavailableError extends Error {
  override readonly name = 'SesUnavailableError';
  constructor(readonly action: string, readonly errorName: string, readonly staleSession = false) { super(`${action}: ${errorName}`); }
}

export class SesRefusedError extends Error {
  override readonly name = 'SesRefusedError';
  constructor(readonly action: string, readonly errorName: string, readonly reason: string) { super(`${action}: ${errorName}`); }
}

export interface DomainIdentity {
  verificationToken: string;
  dkimTokens: string[];
}

/** One customer account in one region, as the onboarding API uses it. */
export interface SesAccount {
  sendingEnabled(): Promise<boolean>;
  max24HourSend(): Promise<number>;
  /** VerifyDomainIdentity, VerifyDomainDkim, SetIdentityMailFromDomain: all idempotent in SES. */
  createDomainIdentity(domain: string, mailFromDomain: string): Promise<DomainIdentity>;
  /** Current statuses of the given record kinds; `NotStarted` when SES has no such identity. */
  statuses(domain: string, kinds: readonly RecordKind[]): Promise<DomainStatuses>;
  deleteIdentity(domain: string): Promise<void>;
}

export interface CustomerAccounts {
  /** A session assumed now, never a cached one: validation must see the role as IAM has it now. */
  openFresh(target: CustomerTarget): Promise<SesAccount>;
  /** Runs `work` on the cached session; once more on a fresh one if SES refused the cached one. */
  run<T>(target: CustomerTarget, work: (account: SesAccount) => Promise<T>): Promise<T>;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);
const STATUSES: readonly RecordStatus[] = ['Pending', 'Success', 'Failed', 'TemporaryFailure', 'NotStarted'];

function toSesError(action: string, error: unknown): Error {
  const e = (error ?? {}) as { name?: string; message?: string };
  const name = e.name ?? 'Error';
  if (ACCESS_DENIED.has(name)) return new SesPermissionError(`ses:${action}`);
  switch (classifySesError(error)) {
    case 'throttled':
    case 'unavailable':
      return new SesUnavailableError(action, name);
    case 'stale_credentials':
      return new SesUnavailableError(action, name, true);
    case 'rejected':
      return new SesRefusedError(action, name, withoutAddresses(e.message ?? name));
  }
}

const asStatus = (value: string | undefined): RecordStatus =>
  STATUSES.includes(value as RecordStatus) ? (value as RecordStatus) : 'NotStarted';

export function sesAccount(ses: SESClient): SesAccount {
  const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toSesError(action, error);
    }
  };

  const status: Record<RecordKind, (domain: string) => Promise<RecordStatus>> = {
    ownership: async (domain) => {
      const out = await call('GetIdentityVerificationAttributes', () => ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [domain] })));
      return asStatus(out.VerificationAttributes?.[domain]?.VerificationStatus);
    },
    dkim: async (domain) => {
      const out = await call('GetIdentityDkimAttributes', () => ses.send(new GetIdentityDkimAttributesCommand({ Identities: [domain] })));
      return asStatus(out.DkimAttributes?.[domain]?.DkimVerificationStatus);
    },
    mail_from: async (domain) => {
      const out = await call('GetIdentityMailFromDomainAttributes', () => ses.send(new GetIdentityMailFromDomainAttributesCommand({ Identities: [domain] })));
      return asStatus(out.MailFromDomainAttributes?.[domain]?.MailFromDomainStatus);
    },
  };

  return {
    sendingEnabled: async () => (await call('GetAccountSendingEnabled', () => ses.send(new GetAccountSendingEnabledCommand({})))).Enabled === true,
    max24HourSend: async () => (await call('GetSendQuota', () => ses.send(new GetSendQuotaCommand({})))).Max24HourSend ?? 0,
    createDomainIdentity: async (domain, mailFromDomain) => {
      const { VerificationToken: verificationToken } = await call('VerifyDomainIdentity', () => ses.send(new VerifyDomainIdentityCommand({ Domain: domain })));
      if (!verificationToken) throw new SesUnavailableError('VerifyDomainIdentity', 'IncompleteResponse');
      const { DkimTokens: dkimTokens } = await call('VerifyDomainDkim', () => ses.send(new VerifyDomainDkimCommand({ Domain: domain })));
      if (dkimTokens?.length !== 3) throw new SesUnavailableError('VerifyDomainDkim', 'IncompleteResponse');
      // Bounces and complaints come back through send.<domain>; without its MX, SES uses its own domain.
      await call('SetIdentityMailFromDomain', () => ses.send(new SetIdentityMailFromDomainCommand({
        Identity: domain, MailFromDomain: mailFromDomain, BehaviorOnMXFailure: 'UseDefaultValue',
      })));
      return { verificationToken, dkimTokens };
    },
    statuses: async (domain, kinds) => {
      const found = await Promise.all(kinds.map(async (kind) => [`${kind}_status`, await status[kind](domain)] as const));
      return Object.fromEntries(found) as DomainStatuses;
    },
    deleteIdentity: async (domain) => {
      await call('DeleteIdentity', () => ses.send(new DeleteIdentityCommand({ Identity: domain })));
    },
  };
}

/** The real thing: sessions from STS AssumeRole on the tenant's role (see customer-session.ts). */
export class AssumedRoleAccounts implements CustomerAccounts {
  constructor(private readonly sessions: CustomerSessions) {}

  async openFresh(target: CustomerTarget): Promise<SesAccount> {
    return sesAccount((await this.sessions.get(target, { fresh: true })).ses);
  }

  /** Every call made through this port is idempotent, so the retry with a fresh session is safe. */
  run<T>(target: CustomerTarget, work: (account: SesAccount) => Promise<T>): Promise<T> {
    // AccessDenied counts as a refused session too: a deleted-and-recreated role refuses old sessions.
    const refusedSession = (error: unknown) => error instanceof SesPermissionError || (error instanceof SesUnavailableError && error.staleSession);
    return this.sessions.run(target, ({ ses }) => work(sesAccount(ses)), refusedSession);
  }
}
