/**
 * Everything the simulator remembers: customer accounts (roles, SES identities, quota), the
 * temporary credentials STS issued, the mailbox, faults, call counts and latency. The control
 * operations validate their input here, so the HTTP control API and the programmatic helpers
 * accept and reject exactly the same things.
 */
import { z } from 'zod';
import { roleId } from './ids';
import { policyDocumentSchema, type PolicyDocument } from './policy';
import type { MailboxAttachment } from './raw-message';

export type VerificationStatus = 'Pending' | 'Success' | 'Failed' | 'TemporaryFailure';
export type DkimStatus = VerificationStatus | 'NotStarted';
export type BehaviorOnMxFailure = 'UseDefaultValue' | 'RejectMessage';

export interface Identity {
  /** domain or email address, lower-cased */
  name: string;
  kind: 'domain' | 'email';
  /** domains only: the `_amazonses` TXT record value */
  verificationToken?: string;
  ownership: VerificationStatus;
  /** empty until VerifyDomainDkim */
  dkimTokens: string[];
  dkim: DkimStatus;
  mailFromDomain?: string;
  /** meaningful only while mailFromDomain is set */
  mailFrom: VerificationStatus;
  behaviorOnMxFailure: BehaviorOnMxFailure;
}

export interface Role {
  name: string;
  /** unique per creation: a session of a deleted-and-recreated role no longer works, as in IAM */
  id: string;
  trustPolicy: PolicyDocument;
  permissionsPolicy: PolicyDocument;
  maxSessionDuration: number;
}

/** Region key for identities seeded through the control API without a region: visible in every region. */
export const ANY_REGION = '*';

export interface Account {
  id: string;
  sendingEnabled: boolean;
  max24HourSend: number;
  maxSendRate?: number;
  roles: Map<string, Role>;
  /** region → identity name → identity */
  identities: Map<string, Map<string, Identity>>;
  /** accepted sends, for SentLast24Hours and the daily quota; each recipient counts */
  sends: Array<{ at: number; recipients: number }>;
}

/** Temporary credentials issued by AssumeRole. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  expiresAt: number;
}

export interface MailboxMessage {
  message_id: string;
  account_id: string;
  region: string;
  action: 'SendEmail' | 'SendRawEmail';
  source: { raw: string; name?: string; address: string };
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  subject: string;
  text?: string;
  html?: string;
  /** SendRawEmail only: the MIME message exactly as received */
  raw?: string;
  /** SendRawEmail only, parsed by sim/raw-message.ts: attachments and extra headers */
  attachments?: MailboxAttachment[];
  headers?: Array<{ name: string; value: string }>;
  /** SES message tags, when the send had any */
  tags?: Array<{ name: string; value: string }>;
  timestamp: string;
}

export const SANDBOX_MAX_24_HOUR_SEND = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A control-API failure: becomes `{ error, detail }` with `status`, or is thrown by the helpers. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${error}: ${detail}`);
  }
}

const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be 12 digits');
const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as eu-west-1');
const statusSchema = z.enum(['Pending', 'Success', 'Failed', 'TemporaryFailure']);
const roleNameSchema = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name');

export const accountInputSchema = z.strictObject({
  account_id: accountIdSchema,
  sending_enabled: z.boolean().optional(),
  /** 200 or less means the account is in the SES sandbox */
  max_24_hour_send: z.number().int().nonnegative().optional(),
  max_send_rate: z.number().positive().optional(),
});

export const roleInputSchema = z.strictObject({
  trust_policy: policyDocumentSchema,
  permissions_policy: policyDocumentSchema,
  /** IAM's MaxSessionDuration: AssumeRole may not ask for more; 3600 unless set */
  max_session_duration: z.number().int().min(3600).max(43200).optional(),
});

export const identityStatusInputSchema = z
  .strictObject({
    region: regionSchema.optional(),
    ownership: statusSchema.optional(),
    dkim: statusSchema.optional(),
    mail_from: statusSchema.optional(),
  })
  .refine(
    (input) => input.ownership !== undefined || input.dkim !== undefined || input.mail_from !== undefined,
    'set at least one of ownership, dkim, mail_from',
  );

export const verifiedEmailInputSchema = z.strictObject({
  email: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address'),
  region: regionSchema.optional(),
});

export const faultRuleSchema = z.strictObject({
  /** `SendEmail` (any service) or `ses:SendEmail` */
  action: z.string().min(1),
  error: z.enum(['Throttling', 'InternalFailure', 'ServiceUnavailable', 'timeout']),
  count: z.number().int().positive(),
  latency_ms: z.number().int().nonnegative().max(60_000).optional(),
});

export const latencyInputSchema = z.strictObject({ ms: z.number().int().nonnegative().max(60_000) });

export type AccountInput = z.input<typeof accountInputSchema>;
export type RoleInput = z.input<typeof roleInputSchema>;
export type IdentityStatusInput = z.input<typeof identityStatusInputSchema>;
export type VerifiedEmailInput = z.input<typeof verifiedEmailInputSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;
export type FaultError = FaultRule['error'];

export interface AccountView {
  account_id: string;
  sending_enabled: boolean;
  max_24_hour_send: number;
  max_send_rate: number;
  sent_last_24_hours: number;
  roles: string[];
}

export interface RoleView {
  arn: string;
  role_id: string;
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const detail = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  throw new ControlError(400, 'ValidationError', detail);
}

export class SimState {
  readonly accounts = new Map<string, Account>();
  /** temporary access key id → session */
  readonly sessions = new Map<string, Session>();
  readonly mailbox: MailboxMessage[] = [];
  readonly calls = new Map<string, number>();
  faults: FaultRule[] = [];
  latencyMs: number;

  constructor(
    private readonly initialLatencyMs: number,
    readonly now: () => number,
  ) {
    this.latencyMs = initialLatencyMs;
  }

  account(accountId: string): Account {
    const account = this.accounts.get(accountId);
    if (!account) throw new ControlError(404, 'NotFound', `no account ${accountId}; POST /_sim/accounts first`);
    return account;
  }

  /** Creates the account or updates the given settings of an existing one. */
  upsertAccount(input: unknown): { created: boolean; view: AccountView } {
    const { account_id, sending_enabled, max_24_hour_send, max_send_rate } = parseInput(accountInputSchema, input);
    const existing = this.accounts.get(account_id);
    const account: Account = existing ?? {
      id: account_id,
      sendingEnabled: true,
      max24HourSend: SANDBOX_MAX_24_HOUR_SEND,
      roles: new Map(),
      identities: new Map(),
      sends: [],
    };
    if (sending_enabled !== undefined) account.sendingEnabled = sending_enabled;
    if (max_24_hour_send !== undefined) account.max24HourSend = max_24_hour_send;
    if (max_send_rate !== undefined) account.maxSendRate = max_send_rate;
    this.accounts.set(account_id, account);
    return { created: !existing, view: this.accountView(account) };
  }

  accountView(account: Account): AccountView {
    return {
      account_id: account.id,
      sending_enabled: account.sendingEnabled,
      max_24_hour_send: account.max24HourSend,
      max_send_rate: this.maxSendRate(account),
      sent_last_24_hours: this.sentLast24Hours(account),
      roles: [...account.roles.keys()],
    };
  }

  /** SES's defaults: 1 message/s in the sandbox, 14 once out of it. */
  maxSendRate(account: Account): number {
    return account.maxSendRate ?? (account.max24HourSend <= SANDBOX_MAX_24_HOUR_SEND ? 1 : 14);
  }

  sentLast24Hours(account: Account): number {
    const since = this.now() - DAY_MS;
    account.sends = account.sends.filter((send) => send.at > since);
    return account.sends.reduce((sum, send) => sum + send.recipients, 0);
  }

  /** Creates or replaces the role; replacing keeps its unique id, so existing sessions live on. */
  putRole(accountId: string, roleName: string, input: unknown): { created: boolean; view: RoleView } {
    const name = parseInput(roleNameSchema, roleName);
    const { trust_policy, permissions_policy, max_session_duration } = parseInput(roleInputSchema, input);
    const account = this.account(accountId);
    const existing = account.roles.get(name);
    const role: Role = {
      name,
      id: existing?.id ?? roleId(),
      trustPolicy: trust_policy,
      permissionsPolicy: permissions_policy,
      maxSessionDuration: max_session_duration ?? 3600,
    };
    account.roles.set(name, role);
    return { created: !existing, view: { arn: `arn:aws:iam::${account.id}:role/${name}`, role_id: role.id } };
  }

  deleteRole(accountId: string, roleName: string): void {
    if (!this.account(accountId).roles.delete(roleName)) {
      throw new ControlError(404, 'NotFound', `no role ${roleName} in account ${accountId}`);
    }
  }

  /** The identities of `account` as seen from `region`, region-specific ones first. */
  identityScopes(account: Account, region: string): Array<Map<string, Identity>> {
    return [account.identities.get(region), account.identities.get(ANY_REGION)].filter(
      (scope): scope is Map<string, Identity> => scope !== undefined,
    );
  }

  findIdentity(account: Account, region: string, name: string): Identity | undefined {
    const key = name.toLowerCase();
    for (const scope of this.identityScopes(account, region)) {
      const identity = scope.get(key);
      if (identity) return identity;
    }
    return undefined;
  }

  regionIdentities(account: Account, region: string): Map<string, Identity> {
    let scope = account.identities.get(region);
    if (!scope) {
      scope = new Map();
      account.identities.set(region, scope);
    }
    return scope;
  }

  /** Stands in for DNS propagation: flips verification statuses of an identity. */
  setIdentityStatus(accountId: string, identityName: string, input: unknown): void {
    const { region, ownership, dkim, mail_from } = parseInput(identityStatusInputSchema, input);
    const account = this.account(accountId);
    const key = identityName.toLowerCase();
    const scopes = region === undefined ? [...account.identities.values()] : this.identityScopes(account, region);
    const matches = scopes.map((scope) => scope.get(key)).filter((identity): identity is Identity => identity !== undefined);
    if (matches.length === 0) {
      const where = region === undefined ? 'any region' : region;
      throw new ControlError(404, 'NotFound', `no identity ${identityName} in account ${accountId} in ${where}`);
    }
    for (const identity of matches) {
      if (ownership) identity.ownership = ownership;
      if (dkim) identity.dkim = dkim;
      if (mail_from) identity.mailFrom = mail_from;
    }
  }

  /** A verified email address identity, e.g. a sandbox recipient; every region unless one is given. */
  verifyEmail(accountId: string, input: unknown): void {
    const { email, region } = parseInput(verifiedEmailInputSchema, input);
    const account = this.account(accountId);
    const scope = this.regionIdentities(account, region ?? ANY_REGION);
    const name = email.toLowerCase();
    scope.set(name, {
      name,
      kind: 'email',
      ownership: 'Success',
      dkimTokens: [],
      dkim: 'NotStarted',
      mailFrom: 'Pending',
      behaviorOnMxFailure: 'UseDefaultValue',
    });
  }

  addFault(input: unknown): FaultRule {
    const rule = parseInput(faultRuleSchema, input);
    this.faults.push(rule);
    return { ...rule };
  }

  /** Consumes one use of the first fault aimed at this call, if any. */
  takeFault(service: string, action: string): FaultRule | undefined {
    const index = this.faults.findIndex((rule) => rule.action === action || rule.action === `${service}:${action}`);
    const rule = this.faults[index];
    if (!rule) return undefined;
    rule.count -= 1;
    if (rule.count === 0) this.faults.splice(index, 1);
    return rule;
  }

  setLatency(input: unknown): void {
    this.latencyMs = parseInput(latencyInputSchema, input).ms;
  }

  countCall(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.accounts.clear();
    this.sessions.clear();
    this.mailbox.length = 0;
    this.calls.clear();
    this.faults = [];
    this.latencyMs = this.initialLatencyMs;
  }
}
