/**
 * Everything the simulator remembers: customer accounts (roles, SES identities, quota), the
 * temporary credentials STS issued, the mailbox, faults, call counts and latency. The control
 * operations validate their input here, so the HTTP control API and the programmatic helpers
 * accept and reject exactly the same things.
 */
import { z } from 'zod';
import {
  applySettings,
  regionSchema,
  regionSettingsSchema,
  resolveSettings,
  settingsView,
  type RegionSettings,
  type RegionSettingsInput,
  type SettingDefaults,
} from './account-settings';
import { roleId } from './ids';
import { policyDocumentSchema, type PolicyDocument } from './policy';
import { RoleHistory } from './role-history';
import { emptyRegionEventResources, type RegionEventResources, type SuppressedDestination, type SuppressionReason } from './ses-configuration';
import type { SesEventEnvelope } from '../lambdas/shared/ses-events';
import { TokenBucket } from './token-bucket';

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
  /** account-wide settings: every region unless the region overrides them */
  settings: RegionSettingsInput;
  /** region → its own settings */
  regionSettings: Map<string, RegionSettingsInput>;
  /** how long a role change takes to reach STS and SES */
  iamPropagationMs: number;
  roles: Map<string, RoleHistory<Role>>;
  /** region → identity name → identity */
  identities: Map<string, Map<string, Identity>>;
  /** region → accepted sends, for SentLast24Hours and the daily quota; each recipient counts */
  sends: Map<string, Array<{ at: number; recipients: number }>>;
  /** region → MaxSendRate bucket (recipients) */
  sendBuckets: Map<string, TokenBucket>;
  /** region → identity and quota calls bucket */
  controlPlaneBuckets: Map<string, TokenBucket>;
  /** region → configuration sets, suppression list and default-bus rules */
  eventResources: Map<string, RegionEventResources>;
}

/** An SES event as it went onto an account's default bus. */
export interface PublishedEvent {
  account_id: string;
  region: string;
  envelope: SesEventEnvelope;
}

/** What a default-bus rule did with one event for one target. */
export interface Forwarding {
  event_id: string;
  account_id: string;
  region: string;
  rule: string;
  target_id: string;
  target_arn: string;
  /** delivered: handed to the simulator's `eventBridge.deliver`; undelivered: no receiver configured; failed: see reason */
  outcome: 'delivered' | 'undelivered' | 'failed';
  reason?: string;
  at: string;
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

/** An attachment as the mailbox shows it: by name, type and size (sim/raw-message.ts reads it from the MIME). */
export interface MailboxAttachment {
  filename: string;
  content_type: string;
  size: number;
  content_id?: string;
  inline: boolean;
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

export { SANDBOX_MAX_24_HOUR_SEND } from './account-settings';
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
const statusSchema = z.enum(['Pending', 'Success', 'Failed', 'TemporaryFailure']);
const roleNameSchema = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name');

/** SES's per-region settings that only a region can have: production access and the sending rate. */
const PER_REGION_ONLY = ['max_24_hour_send', 'max_send_rate'] as const;

/**
 * SES grants production access, and with it the quota and rate, per region: every region starts in
 * the sandbox. An account-wide quota would make every region production and hide a relay that checks
 * the wrong region, so it is refused with the shape to use instead.
 */
function refuseAccountWideProduction(input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  const given = PER_REGION_ONLY.filter((name) => name in input);
  if (given.length === 0) return;
  throw new ControlError(400, 'ValidationError',
    `${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} per region in SES (every region starts in the sandbox): give ${given.length > 1 ? 'them' : 'it'} under regions, e.g. {"account_id":"123456789012","regions":{"eu-west-1":{"max_24_hour_send":50000}}}`);
}

export const accountInputSchema = regionSettingsSchema.extend({
  account_id: accountIdSchema,
  /** a new or changed role takes effect after this long (IAM is eventually consistent); the simulator's default unless set */
  iam_propagation_ms: z.number().int().nonnegative().max(600_000).optional(),
  /** per-region settings that override the account-wide ones in that region */
  regions: z.record(regionSchema, regionSettingsSchema).optional(),
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

export const sendingInputSchema = z.strictObject({ enabled: z.boolean() });
export const suppressedDestinationInputSchema = z.strictObject({ reason: z.enum(['BOUNCE', 'COMPLAINT']) });

export const latencyInputSchema = z.strictObject({ ms: z.number().int().nonnegative().max(60_000) });

export type AccountInput = z.input<typeof accountInputSchema>;
export type RoleInput = z.input<typeof roleInputSchema>;
export type IdentityStatusInput = z.input<typeof identityStatusInputSchema>;
export type VerifiedEmailInput = z.input<typeof verifiedEmailInputSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;
export type FaultError = FaultRule['error'];

type SettingsView = ReturnType<typeof settingsView>;

/** Account-wide values at the top (as before regions existed), then each region that differs or has sent. */
export interface AccountView extends SettingsView {
  account_id: string;
  /** every region together */
  sent_last_24_hours: number;
  iam_propagation_ms: number;
  roles: string[];
  regions: Record<string, SettingsView & { sent_last_24_hours: number }>;
}

export interface SimStateOptions {
  latencyMs: number;
  now: () => number;
  defaults: SettingDefaults;
  /** enforce MaxSendRate on SendEmail/SendRawEmail */
  enforceSendRate: boolean;
  /** enforce the identity and quota calls' rate */
  enforceControlPlaneRate: boolean;
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
  /** `service:Action` → Throttling answers given, whatever the cause */
  readonly throttled = new Map<string, number>();
  /** every SES event put on a default bus, oldest first */
  readonly publishedEvents: PublishedEvent[] = [];
  /** every rule target an event was (or failed to be) forwarded to */
  readonly forwardings: Forwarding[] = [];
  faults: FaultRule[] = [];
  latencyMs: number;
  readonly now: () => number;

  constructor(readonly options: SimStateOptions) {
    this.latencyMs = options.latencyMs;
    this.now = options.now;
  }

  account(accountId: string): Account {
    const account = this.accounts.get(accountId);
    if (!account) throw new ControlError(404, 'NotFound', `no account ${accountId}; POST /_sim/accounts first`);
    return account;
  }

  /** Creates the account or updates the given settings of an existing one. */
  upsertAccount(input: unknown): { created: boolean; view: AccountView } {
    refuseAccountWideProduction(input);
    const { account_id, iam_propagation_ms, regions, ...accountWide } = parseInput(accountInputSchema, input);
    const existing = this.accounts.get(account_id);
    const account: Account = existing ?? {
      id: account_id,
      settings: {},
      regionSettings: new Map(),
      iamPropagationMs: this.options.defaults.iamPropagationMs,
      roles: new Map(),
      identities: new Map(),
      sends: new Map(),
      sendBuckets: new Map(),
      controlPlaneBuckets: new Map(),
      eventResources: new Map(),
    };
    applySettings(account.settings, account.regionSettings, { accountWide, ...(regions === undefined ? {} : { regions }) });
    if (iam_propagation_ms !== undefined) account.iamPropagationMs = iam_propagation_ms;
    this.accounts.set(account_id, account);
    return { created: !existing, view: this.accountView(account) };
  }

  /** Everything that applies to `account` in `region`. */
  settings(account: Account, region: string): RegionSettings {
    return resolveSettings(account.settings, account.regionSettings.get(region), this.options.defaults);
  }

  accountView(account: Account): AccountView {
    const regionNames = new Set([...account.regionSettings.keys(), ...account.sends.keys()]);
    const regions: AccountView['regions'] = {};
    let sentEverywhere = 0;
    for (const region of [...regionNames].sort()) {
      const sent = this.sentLast24Hours(account, region);
      sentEverywhere += sent;
      regions[region] = { ...settingsView(this.settings(account, region)), sent_last_24_hours: sent };
    }
    return {
      account_id: account.id,
      ...settingsView(resolveSettings(account.settings, undefined, this.options.defaults)),
      sent_last_24_hours: sentEverywhere,
      iam_propagation_ms: account.iamPropagationMs,
      roles: [...account.roles].filter(([, history]) => history.latest() !== undefined).map(([name]) => name),
      regions,
    };
  }

  sentLast24Hours(account: Account, region: string): number {
    const since = this.now() - DAY_MS;
    const sends = (account.sends.get(region) ?? []).filter((send) => send.at > since);
    account.sends.set(region, sends);
    return sends.reduce((sum, send) => sum + send.recipients, 0);
  }

  recordSend(account: Account, region: string, recipients: number, at: number): void {
    const sends = account.sends.get(region) ?? [];
    sends.push({ at, recipients });
    account.sends.set(region, sends);
  }

  /** Takes `recipients` from the region's MaxSendRate bucket; false when the send must be throttled. */
  takeSendCapacity(account: Account, region: string, recipients: number): boolean {
    if (!this.options.enforceSendRate) return true;
    const settings = this.settings(account, region);
    return bucketOf(account.sendBuckets, region).tryTake(recipients, this.now(), { rate: settings.maxSendRate, capacity: settings.sendBurst });
  }

  /** Takes one identity or quota call from the region's bucket; false when it must be throttled. */
  takeControlPlaneCall(account: Account, region: string): boolean {
    if (!this.options.enforceControlPlaneRate) return true;
    const settings = this.settings(account, region);
    return bucketOf(account.controlPlaneBuckets, region).tryTake(1, this.now(), {
      rate: settings.controlPlaneRate,
      capacity: settings.controlPlaneBurst,
    });
  }

  /** The role as STS and SES see it now: changes younger than the propagation delay do not count yet. */
  effectiveRole(account: Account, roleName: string): Role | undefined {
    return account.roles.get(roleName)?.effective(this.now());
  }

  /** Creates or replaces the role; replacing keeps its unique id, so existing sessions live on. */
  putRole(accountId: string, roleName: string, input: unknown): { created: boolean; view: RoleView } {
    const name = parseInput(roleNameSchema, roleName);
    const { trust_policy, permissions_policy, max_session_duration } = parseInput(roleInputSchema, input);
    const account = this.account(accountId);
    const history = account.roles.get(name) ?? new RoleHistory<Role>();
    const existing = history.latest();
    const role: Role = {
      name,
      id: existing?.id ?? roleId(),
      trustPolicy: trust_policy,
      permissionsPolicy: permissions_policy,
      maxSessionDuration: max_session_duration ?? 3600,
    };
    history.record(role, this.now() + account.iamPropagationMs);
    account.roles.set(name, history);
    return { created: !existing, view: { arn: `arn:aws:iam::${account.id}:role/${name}`, role_id: role.id } };
  }

  deleteRole(accountId: string, roleName: string): void {
    const account = this.account(accountId);
    const history = account.roles.get(roleName);
    if (!history?.latest()) throw new ControlError(404, 'NotFound', `no role ${roleName} in account ${accountId}`);
    history.record(undefined, this.now() + account.iamPropagationMs);
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
      // SES marks a domain verified once its DKIM records verify: a verified DKIM with an unverified owner does not exist
      const dkimAfter = dkim ?? identity.dkim;
      if (dkimAfter === 'Success' && ownership !== undefined && ownership !== 'Success') {
        throw new ControlError(400, 'ValidationError', `dkim Success implies ownership Success (SES verifies the domain through DKIM); got ownership ${ownership}`);
      }
    }
    for (const identity of matches) {
      if (ownership) identity.ownership = ownership;
      if (dkim) identity.dkim = dkim;
      if (identity.dkim === 'Success') identity.ownership = 'Success';
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

  countThrottled(key: string): void {
    this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
  }

  /** The region's configuration sets, suppression list and default-bus rules (created empty on first use). */
  eventResources(account: Account, region: string): RegionEventResources {
    let resources = account.eventResources.get(region);
    if (!resources) {
      resources = emptyRegionEventResources();
      account.eventResources.set(region, resources);
    }
    return resources;
  }

  private configurationSet(accountId: string, region: string, name: string) {
    const set = this.eventResources(this.account(accountId), parseInput(regionSchema, region)).configurationSets.get(name);
    if (!set) throw new ControlError(404, 'NotFound', `no configuration set ${name} in account ${accountId} in ${region}`);
    return set;
  }

  configurationSetView(accountId: string, region: string, name: string) {
    const set = this.configurationSet(accountId, region, name);
    return {
      name: set.name,
      sending_enabled: set.sendingEnabled,
      suppressed_reasons: [...set.suppressedReasons],
      event_destinations: [...set.destinations.values()].map((destination) => ({
        name: destination.name,
        enabled: destination.enabled,
        matching_event_types: [...destination.matchingEventTypes],
        event_bus_arn: destination.eventBusArn,
      })),
    };
  }

  /** Pauses or resumes sending through a configuration set (SES's UpdateConfigurationSetSendingEnabled). */
  /**
   * A configuration set made outside CloudFormation (SES's CreateConfigurationSet, as a customer's
   * console or CLI would): suppression of bounces and complaints, no event destination.
   */
  createConfigurationSet(accountId: string, region: string, name: string): void {
    const resources = this.eventResources(this.account(accountId), parseInput(regionSchema, region));
    if (resources.configurationSets.has(name)) throw new ControlError(409, 'AlreadyExists', `configuration set ${name} already exists in ${region}`);
    resources.configurationSets.set(name, { name, suppressedReasons: ['BOUNCE', 'COMPLAINT'], sendingEnabled: true, destinations: new Map() });
  }

  setConfigurationSetSending(accountId: string, region: string, name: string, input: unknown): void {
    const { enabled } = parseInput(sendingInputSchema, input);
    this.configurationSet(accountId, region, name).sendingEnabled = enabled;
  }

  suppressedDestinations(accountId: string, region: string): SuppressedDestination[] {
    const list = this.eventResources(this.account(accountId), parseInput(regionSchema, region)).suppressionList;
    return [...list.values()].map((entry) => ({ ...entry }));
  }

  /** Adds an address to the account-level list, as SES does after a hard bounce or a complaint. */
  suppress(account: Account, region: string, address: string, reason: SuppressionReason): void {
    const key = address.toLowerCase();
    this.eventResources(account, region).suppressionList.set(key, { email_address: key, reason, last_update_time: new Date(this.now()).toISOString() });
  }

  putSuppressedDestination(accountId: string, region: string, address: string, input: unknown): void {
    const { reason } = parseInput(suppressedDestinationInputSchema, input);
    const { email } = parseInput(verifiedEmailInputSchema, { email: address });
    this.suppress(this.account(accountId), parseInput(regionSchema, region), email, reason);
  }

  /** What the customer does in the SES console (DeleteSuppressedDestination is SESv2, outside the relay's role). */
  deleteSuppressedDestination(accountId: string, region: string, address: string): void {
    const list = this.eventResources(this.account(accountId), parseInput(regionSchema, region)).suppressionList;
    if (!list.delete(address.toLowerCase())) throw new ControlError(404, 'NotFound', `${address} is not on the suppression list of account ${accountId} in ${region}`);
  }

  reset(): void {
    this.publishedEvents.length = 0;
    this.forwardings.length = 0;
    this.accounts.clear();
    this.sessions.clear();
    this.mailbox.length = 0;
    this.calls.clear();
    this.throttled.clear();
    this.faults = [];
    this.latencyMs = this.options.latencyMs;
  }
}

function bucketOf(buckets: Map<string, TokenBucket>, region: string): TokenBucket {
  let bucket = buckets.get(region);
  if (!bucket) {
    bucket = new TokenBucket();
    buckets.set(region, bucket);
  }
  return bucket;
}
