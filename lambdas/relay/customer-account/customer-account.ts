/**
 * The one way into a customer's AWS account: every SES call the relay makes (sending, validation,
 * domain set-up) goes through `CustomerAccounts`, with one retry policy:
 *
 * - Throttling and 5xx answers, and connections never made, prove nothing was done: they are retried
 *   with exponential backoff and full jitter while the request's time budget allows another attempt
 *   (throttling for as long as the budget lasts, other failures at most `MAX_ATTEMPTS` times).
 * - A session refused by SES (expired, role deleted and recreated, access denied) gets one freshly
 *   assumed session and one more attempt; a refusal of the fresh session is the customer's to fix
 *   (`SesPermissionDeniedError` for access denied).
 * - An attempt whose outcome is unknown (timed out or cut off after it was written) is retried only
 *   for idempotent calls; for `SendEmail` and `SendRawEmail` it ends the request with
 *   `SesOutcomeUnknownError`, as does an answer without a MessageId.
 * - Any other refusal is final (`SesRefusedError`, by error code only).
 *
 * - No SendEmail or SendRawEmail attempt starts after the request's deadline (`DeadlinePassedError`:
 *   nothing was sent), so the last one ends within one attempt timeout of it. Identity and account
 *   calls the pacer cannot fit before it go ahead, leaving SES to decide.
 *
 * The SES clients make one attempt per call (see sessions.ts), so this is the only retry loop for
 * SES; STS's AssumeRole, which changes nothing, may be retried once by its own client.
 */
import {
  DeleteIdentityCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  SendEmailCommand,
  SendRawEmailCommand,
  SetIdentityMailFromDomainCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  type SESClient,
} from '@aws-sdk/client-ses';
import type { DomainStatuses, RecordKind, RecordStatus } from '../store/domain-store';
import type { PreparedMessage } from '../send/message/prepared';
import { toSesRequest } from './ses-request';
import { ACCESS_DENIED, classifyFailure, errorName, isDailyQuota } from './aws-failures';
import { AwsUnavailableError, DeadlinePassedError, SesOutcomeUnknownError, SesPermissionDeniedError, SesRefusedError, SesThrottledError } from './errors';
import { systemClock, type Clock } from '../../shared/clock';
import { Pacer } from './pacer';
import { SES_REQUEST_TIMEOUT_MS, type CustomerSessions, type CustomerTarget } from './sessions';

export interface DomainIdentity {
  verificationToken: string;
  dkimTokens: string[];
}

export interface SendQuota {
  max24HourSend: number;
  maxSendRate: number;
}

/** One customer account in one region, for the duration of one request. */
export interface CustomerAccount {
  /** Assumes the role (freshly when opened `fresh`): validation reports this step on its own. */
  assumeRole(): Promise<void>;
  /**
   * Sends one message (SendEmail, or SendRawEmail for a MIME message we built: ses-request.ts) and
   * returns SES's MessageId. Paced per recipient; never retried once its outcome is unknown.
   */
  send(message: PreparedMessage): Promise<string>;
  sendingEnabled(): Promise<boolean>;
  sendQuota(): Promise<SendQuota>;
  /** VerifyDomainIdentity, VerifyDomainDkim, SetIdentityMailFromDomain: all idempotent in SES. */
  createDomainIdentity(domain: string, mailFromDomain: string): Promise<DomainIdentity>;
  /** Current statuses of the given record kinds; `NotStarted` when SES has no such identity. */
  statuses(domain: string, kinds: readonly RecordKind[]): Promise<DomainStatuses>;
  deleteIdentity(domain: string): Promise<void>;
}

export interface OpenOptions {
  /** Assume the role now instead of using a cached session (validation must see IAM as it is now). */
  fresh?: boolean;
  /** Epoch ms after which no new attempt starts; default: `DEFAULT_BUDGET_MS` from now. */
  deadline?: number;
  /** The account's SES MaxSendRate (recipients per second) as last seen by validation, for pacing sends. */
  maxSendRate?: number;
  /** The configuration set every send names (the SendFleet-BYOC stack's); none for a role set up by hand. */
  configurationSet?: string;
}

export interface CustomerAccounts {
  open(target: CustomerTarget, options?: OpenOptions): CustomerAccount;
}

/** API Gateway gives up at 29 s; the Lambda times out at 28 s; this leaves room for our own writes. */
export const DEFAULT_BUDGET_MS = 20_000;
export const MAX_ATTEMPTS = 3;
/** SES allows about one identity or account request per second per account and region. */
export const CONTROL_PLANE_RATE = 1;
const CONTROL_PLANE_BURST = 2;
/** Paced per recipient at the account's MaxSendRate; everything else shares the control-plane rate. */
const SEND_ACTIONS = new Set(['SendEmail', 'SendRawEmail']);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

export interface RetryTiming {
  clock: Clock;
  random: () => number;
  attemptTimeoutMs: number;
  /** Identity and account requests per second this container allows itself per account and region. */
  controlPlaneRate: number;
  /** How many of them may go at once (the account health check uses 1: never two within a second). */
  controlPlaneBurst: number;
}

export const realTiming: RetryTiming = {
  clock: systemClock,
  random: Math.random,
  attemptTimeoutMs: SES_REQUEST_TIMEOUT_MS,
  controlPlaneRate: CONTROL_PLANE_RATE,
  controlPlaneBurst: CONTROL_PLANE_BURST,
};

const STATUSES: readonly RecordStatus[] = ['Pending', 'Success', 'Failed', 'TemporaryFailure', 'NotStarted'];
const asStatus = (value: string | undefined): RecordStatus =>
  STATUSES.includes(value as RecordStatus) ? (value as RecordStatus) : 'NotStarted';

export class AssumedRoleAccounts implements CustomerAccounts {
  private readonly timing: RetryTiming;
  private readonly pacer: Pacer;

  constructor(private readonly sessions: CustomerSessions, timing: Partial<RetryTiming> = {}) {
    // An unset setting keeps its default (an explicit undefined must not switch pacing off).
    this.timing = { ...realTiming, ...Object.fromEntries(Object.entries(timing).filter(([, value]) => value !== undefined)) };
    this.pacer = new Pacer(this.timing.clock);
  }

  open(target: CustomerTarget, options: OpenOptions = {}): CustomerAccount {
    const clock = this.timing.clock;
    const deadline = options.deadline ?? clock.now() + DEFAULT_BUDGET_MS;
    const account = `${target.roleArn.split(':')[4] ?? ''}|${target.region}`;
    let fresh = options.fresh === true;
    /** Spaces this container's calls to SES's documented rates before each attempt. */
    const pace = (action: string, recipients: number): Promise<boolean> => SEND_ACTIONS.has(action)
      ? this.pacer.take(`${account}|send`, recipients, options.maxSendRate ?? 0, 1, deadline)
      : this.pacer.take(`${account}|control`, 1, this.timing.controlPlaneRate, this.timing.controlPlaneBurst, deadline);
    /** Waits for `work` until the deadline at most (the work, a shared session load, goes on for others). */
    const withinDeadline = <T>(work: Promise<T>, action: string): Promise<T> =>
      clock.withTimeout(Math.max(0, deadline - clock.now()), (signal) => new Promise<T>((resolve, reject) => {
        work.then(resolve, reject);
        signal.addEventListener('abort', () => reject(new DeadlinePassedError(action)), { once: true });
      }));
    const call = async <T>(action: string, idempotent: boolean, run: (ses: SESClient, abortSignal: AbortSignal) => Promise<T>, recipients = 1): Promise<T> => {
      let attempt = 0;
      let refreshed = fresh;
      for (;;) {
        attempt += 1;
        // No send starts after the deadline, so the request ends within one attempt timeout of it.
        // (Identity and account calls past their pacing go ahead and leave SES to decide.)
        const sending = SEND_ACTIONS.has(action);
        if (!(await pace(action, recipients)) && sending) throw new DeadlinePassedError(action);
        // A send that cannot start before the deadline is not sent; nor does it wait for STS past it.
        if (sending && clock.now() > deadline) throw new DeadlinePassedError(action);
        const session = await (sending ? withinDeadline(this.sessions.get(target, { fresh }), action) : this.sessions.get(target, { fresh }));
        fresh = false; // one fresh session per request is enough; later calls reuse it from the cache
        if (sending && clock.now() > deadline) throw new DeadlinePassedError(action);
        try {
          // The attempt's timeout runs on the clock: an aborted attempt is an outcome we do not know.
          return await clock.withTimeout(this.timing.attemptTimeoutMs, (abortSignal) => run(session.ses, abortSignal));
        } catch (error) {
          const kind = classifyFailure(error);
          const code = errorName(error);
          if (kind === 'session_refused') {
            if (!refreshed) {
              refreshed = true;
              fresh = true;
              attempt -= 1; // a stale session is not an attempt at the customer's SES
              continue;
            }
            if (ACCESS_DENIED.has(code)) throw new SesPermissionDeniedError(`ses:${action}`);
            throw new AwsUnavailableError('ses', action, code);
          }
          if (kind === 'rejected') throw new SesRefusedError(action, code);
          if (kind === 'outcome_unknown' && !idempotent) throw new SesOutcomeUnknownError(action, code);
          const delay = this.backoff(attempt);
          const mayRetry = (kind === 'throttled' || attempt < MAX_ATTEMPTS) && clock.now() + delay + this.timing.attemptTimeoutMs <= deadline;
          if (!mayRetry) {
            if (kind === 'throttled') throw new SesThrottledError(action, isDailyQuota(error));
            throw new AwsUnavailableError('ses', action, code);
          }
          await clock.sleep(delay);
        }
      }
    };

    const status: Record<RecordKind, (domain: string) => Promise<RecordStatus>> = {
      ownership: async (domain) => {
        const out = await call('GetIdentityVerificationAttributes', true, (ses, abortSignal) => ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [domain] }), { abortSignal }));
        return asStatus(out.VerificationAttributes?.[domain]?.VerificationStatus);
      },
      dkim: async (domain) => {
        const out = await call('GetIdentityDkimAttributes', true, (ses, abortSignal) => ses.send(new GetIdentityDkimAttributesCommand({ Identities: [domain] }), { abortSignal }));
        return asStatus(out.DkimAttributes?.[domain]?.DkimVerificationStatus);
      },
      mail_from: async (domain) => {
        const out = await call('GetIdentityMailFromDomainAttributes', true, (ses, abortSignal) => ses.send(new GetIdentityMailFromDomainAttributesCommand({ Identities: [domain] }), { abortSignal }));
        return asStatus(out.MailFromDomainAttributes?.[domain]?.MailFromDomainStatus);
      },
    };

    /** Both send actions: one attempt while the outcome may be unknown, and no MessageId means unknown. */
    const send = async (message: PreparedMessage): Promise<string> => {
      const ses = toSesRequest(message, options.configurationSet);
      const { MessageId } = await call(ses.action, false, (client, abortSignal) => (ses.action === 'SendRawEmail'
        ? client.send(new SendRawEmailCommand(ses.input), { abortSignal })
        : client.send(new SendEmailCommand(ses.input), { abortSignal })), Math.max(1, ses.recipients));
      // An answer without a MessageId cannot be matched to a message: treat it as unknown.
      if (!MessageId) throw new SesOutcomeUnknownError(ses.action, 'IncompleteResponse');
      return MessageId;
    };

    return {
      assumeRole: async () => {
        await this.sessions.get(target, { fresh });
        fresh = false;
      },
      send,
      sendingEnabled: async () => (await call('GetAccountSendingEnabled', true, (ses, abortSignal) => ses.send(new GetAccountSendingEnabledCommand({}), { abortSignal }))).Enabled === true,
      sendQuota: async () => {
        const out = await call('GetSendQuota', true, (ses, abortSignal) => ses.send(new GetSendQuotaCommand({}), { abortSignal }));
        return { max24HourSend: out.Max24HourSend ?? 0, maxSendRate: out.MaxSendRate ?? 0 };
      },
      createDomainIdentity: async (domain, mailFromDomain) => {
        const { VerificationToken: verificationToken } = await call('VerifyDomainIdentity', true, (ses, abortSignal) => ses.send(new VerifyDomainIdentityCommand({ Domain: domain }), { abortSignal }));
        if (!verificationToken) throw new AwsUnavailableError('ses', 'VerifyDomainIdentity', 'IncompleteResponse');
        const { DkimTokens: dkimTokens } = await call('VerifyDomainDkim', true, (ses, abortSignal) => ses.send(new VerifyDomainDkimCommand({ Domain: domain }), { abortSignal }));
        if (dkimTokens?.length !== 3) throw new AwsUnavailableError('ses', 'VerifyDomainDkim', 'IncompleteResponse');
        // Bounces and complaints come back through send.<domain>; without its MX, SES uses its own domain.
        await call('SetIdentityMailFromDomain', true, (ses, abortSignal) => ses.send(new SetIdentityMailFromDomainCommand({
          Identity: domain, MailFromDomain: mailFromDomain, BehaviorOnMXFailure: 'UseDefaultValue',
        }), { abortSignal }));
        return { verificationToken, dkimTokens };
      },
      // One after the other: SES allows about one control-plane request per second per account.
      statuses: async (domain, kinds) => {
        const found: Partial<DomainStatuses> = {};
        for (const kind of kinds) (found as Record<string, RecordStatus>)[`${kind}_status`] = await status[kind](domain);
        return found as DomainStatuses;
      },
      deleteIdentity: async (domain) => {
        await call('DeleteIdentity', true, (ses, abortSignal) => ses.send(new DeleteIdentityCommand({ Identity: domain }), { abortSignal }));
      },
    };
  }

  /** Full jitter: a random wait up to base·2^(attempt-1), capped, so concurrent retries spread out. */
  private backoff(attempt: number): number {
    return Math.floor(this.timing.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
  }
}
