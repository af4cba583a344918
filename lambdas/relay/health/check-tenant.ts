/**
 * One tenant's health check: the validation's account checks again (a fresh AssumeRole with the
 * tenant's ExternalId, sending enabled, production access in the config's region: the very checks
 * of onboarding/validate-byoc.ts) and every domain's ownership, DKIM and MAIL FROM status read from
 * SES, in the identity's region. Every call goes through `CustomerAccounts`, so each account's
 * control-plane calls share onboarding's pacer (about one per second).
 *
 * - An answer we cannot read as a verdict (STS or SES unavailable, throttled past the budget, the
 *   budget spent) changes nothing: the check keeps its last verdict and the run is marked
 *   incomplete. Only the customer's setup makes a check `failing`.
 * - A check whose status changes (or is first seen failing) is a transition: handed to the outbox
 *   as an event (health-events.ts) before the record is saved over the version it read. A run that
 *   loses that race records nothing (the other run did); its events carry the same ids.
 * - The role's verdict is also written on the BYOC config (`role_unassumable_since`), the item the
 *   send path already reads: a known-broken role is refused there without an AssumeRole.
 * - Domain statuses are also stored on the domain records (as POST …/verify does), with `checked_at`.
 *
 * No propagation retry (validation has one): a role changed seconds before a scheduled run may be
 * refused once and recover on the next run.
 */
import { dateOf, type Clock } from '../../shared/clock';
import type { CustomerAccount, CustomerAccounts } from '../customer-account/customer-account';
import { RoleNotAssumableError, SesPermissionDeniedError } from '../customer-account/errors';
import { couldNotAssumeRoleDetail, missingPermissionDetail } from '../error-map';
import { RECORD_KINDS } from '../onboarding/domains';
import { SES_CHECKS, type CheckOutcome } from '../onboarding/validate-byoc';
import type { ByocConfig, ByocConfigStore } from '../store/config-store';
import type { DomainRecord, DomainStatuses, DomainStore, RecordKind, RecordStatus } from '../store/domain-store';
import {
  ACCOUNT_CHECKS, HealthChangedError, type AccountCheck, type CheckHealth, type DomainHealth, type DomainRecordHealth, type HealthRecord, type HealthStore, type RecordHealth, type TenantHealthState,
} from '../store/health-store';
import type { WebhookNotification, WebhookOutbox } from '../webhooks/outbox';
import { accountTransition, domainTransition } from './health-events';

/** How long one tenant's check may take: 3 account calls and 3 per domain at ~1/s, 20 domains at most. */
export const TENANT_BUDGET_MS = 120_000;

export interface CheckTenantDeps {
  configs: Pick<ByocConfigStore, 'get' | 'markRoleUnassumable'>;
  domains: Pick<DomainStore, 'list' | 'updateStatuses'>;
  health: Pick<HealthStore, 'get' | 'save'>;
  accounts: CustomerAccounts;
  outbox: WebhookOutbox;
  relayAccountId: string;
  clock: Clock;
  /** Per-tenant time budget (default TENANT_BUDGET_MS). */
  budgetMs?: number;
}

export type TenantCheckResult =
  | { kind: 'skipped'; tenantId: string }
  | { kind: 'checked'; tenantId: string; state: TenantHealthState; complete: boolean; transitions: WebhookNotification[] }
  /** Another run saved first: this one recorded and announced nothing of its own. */
  | { kind: 'superseded'; tenantId: string };

/** Configs with a role the relay is meant to use: validated, or invalid (a fix shows as recovery). */
const isChecked = (config: ByocConfig | undefined): config is ByocConfig & { role_arn: string; region: string } =>
  Boolean(config?.role_arn && config.region && (config.status === 'validated' || config.status === 'invalid'));

const recordHealth = (status: RecordStatus): RecordHealth =>
  status === 'Success' ? 'ok' : status === 'Pending' ? 'pending' : 'failing';

const KIND_STATUS: Record<RecordKind, keyof DomainStatuses> = { ownership: 'ownership_status', dkim: 'dkim_status', mail_from: 'mail_from_status' };

type Verdict = Pick<CheckHealth, 'status' | 'code' | 'detail'>;
const verdictOf = (outcome: CheckOutcome): Verdict => ({ status: outcome.ok ? 'ok' : 'failing', code: outcome.ok ? null : (outcome.code ?? null), detail: outcome.detail });

export async function checkTenant(deps: CheckTenantDeps, tenantId: string): Promise<TenantCheckResult> {
  const { clock } = deps;
  const config = await deps.configs.get(tenantId, true);
  if (!isChecked(config)) return { kind: 'skipped', tenantId };
  const previous = await deps.health.get(tenantId, true);
  const domains = await deps.domains.list(tenantId, true);
  const deadline = clock.now() + (deps.budgetMs ?? TENANT_BUDGET_MS);
  const target = (region: string) => ({ tenantId, roleArn: config.role_arn, externalId: config.external_id, previousExternalId: config.previous_external_id ?? undefined, region });
  const open = (region: string, fresh = false): CustomerAccount => deps.accounts.open(target(region), { fresh, deadline });
  /** Runs one step within the tenant's budget; undefined when it gave no verdict (AWS unavailable, budget spent). */
  const within = async <T>(step: () => Promise<T>): Promise<T | undefined> => {
    const left = deadline - clock.now();
    if (left <= 0) return undefined;
    try {
      return await clock.withTimeout(left, () => step());
    } catch (error) {
      if (error instanceof RoleNotAssumableError || error instanceof SesPermissionDeniedError) throw error;
      return undefined;
    }
  };

  // The account checks, as validation runs them.
  const verdicts: Partial<Record<AccountCheck, Verdict>> = {};
  const account = open(config.region, true);
  let assumed = false;
  try {
    assumed = (await within(() => account.assumeRole().then(() => true))) === true;
    if (assumed) verdicts.assume_role = { status: 'ok', code: null, detail: `SendFleet assumed ${config.role_arn} with your ExternalId.` };
  } catch {
    verdicts.assume_role = { status: 'failing', code: 'could_not_assume_role', detail: `${couldNotAssumeRoleDetail(deps.relayAccountId)} Then run POST /api/byoc/validate.` };
  }
  if (assumed) {
    for (const check of SES_CHECKS) {
      try {
        const outcome = await within(() => check.run(account, config.region));
        if (outcome) verdicts[check.name as AccountCheck] = verdictOf(outcome);
      } catch (error) {
        if (error instanceof SesPermissionDeniedError) verdicts[check.name as AccountCheck] = { status: 'failing', code: 'missing_permission', detail: missingPermissionDetail(error.action) };
      }
    }
  }

  // Every domain's records, in the identity's region (a session per region, from the cache).
  const observed = new Map<string, Partial<Record<RecordKind, RecordStatus>>>();
  if (assumed) {
    for (const domain of domains) {
      try {
        const statuses = await within(() => open(domain.region).statuses(domain.domain, RECORD_KINDS));
        if (!statuses) continue;
        observed.set(domain.domain, Object.fromEntries(RECORD_KINDS.map((kind) => [kind, statuses[KIND_STATUS[kind]]])));
      } catch {
        // A refused session or permission here is the account checks' finding; the domain keeps its last statuses.
      }
    }
  }

  const at = dateOf(clock).toISOString();
  const transitions: WebhookNotification[] = [];
  const checks: HealthRecord['checks'] = { ...previous.checks };
  for (const name of ACCOUNT_CHECKS) {
    const verdict = verdicts[name];
    if (!verdict) continue;
    const before = previous.checks[name];
    const changed = before ? before.status !== verdict.status : verdict.status === 'failing';
    const now: CheckHealth = {
      ...verdict,
      since: before && before.status === verdict.status ? before.since : at,
      last_transition_at: before && before.status !== verdict.status ? at : (before?.last_transition_at ?? null),
      last_checked_at: at,
    };
    checks[name] = now;
    if (changed) transitions.push(accountTransition(tenantId, name, now, before));
  }
  const domainHealth: Record<string, DomainHealth> = {};
  for (const domain of domains) {
    const before = previous.domains[domain.domain];
    const statuses = observed.get(domain.domain);
    if (!statuses) {
      domainHealth[domain.domain] = before ?? { region: domain.region, records: {} };
      continue;
    }
    const records: DomainHealth['records'] = {};
    for (const kind of RECORD_KINDS) {
      const status = statuses[kind];
      if (!status) continue;
      const health = recordHealth(status);
      const was = before?.records[kind];
      // Announced: turning failing, and Success again after failing; Pending → Success is onboarding, not health.
      const announced = health === 'failing' ? was?.health !== 'failing' : health === 'ok' && was?.health === 'failing';
      const record: DomainRecordHealth = {
        status, health,
        since: was && was.health === health ? was.since : at,
        last_transition_at: was && was.health !== health ? at : (was?.last_transition_at ?? null),
        last_checked_at: at,
      };
      records[kind] = record;
      if (announced) transitions.push(domainTransition(tenantId, domain.domain, kind, record, was));
    }
    domainHealth[domain.domain] = { region: domain.region, records };
  }

  const complete = ACCOUNT_CHECKS.every((name) => verdicts[name]) && domains.every((domain) => observed.has(domain.domain));
  const failing = Object.values(checks).some((check) => check.status === 'failing')
    || Object.values(domainHealth).some((domain) => Object.values(domain.records).some((record) => record.health === 'failing'));
  const everyCheckKnown = ACCOUNT_CHECKS.every((name) => checks[name]);
  const state: TenantHealthState = failing ? 'failing' : everyCheckKnown ? 'healthy' : 'unknown';

  // Events first, then the record: a run that dies in between is retried and hands over the same ids.
  for (const notification of transitions) await deps.outbox.enqueue(tenantId, notification);
  try {
    await deps.health.save({ ...previous, state, checks, domains: domainHealth, last_run_at: at, last_run_complete: complete });
  } catch (error) {
    if (error instanceof HealthChangedError) return { kind: 'superseded', tenantId };
    throw error;
  }
  await applyToSendPath(deps, tenantId, config, verdicts.assume_role, domains, observed, at);
  return { kind: 'checked', tenantId, state, complete, transitions };
}

/** What the send path reads: the role's verdict on the config, and the domains' statuses on their records. */
async function applyToSendPath(
  deps: CheckTenantDeps, tenantId: string, config: ByocConfig & { role_arn: string }, role: Verdict | undefined,
  domains: DomainRecord[], observed: Map<string, Partial<Record<RecordKind, RecordStatus>>>, at: string,
): Promise<void> {
  const broken = role?.status === 'failing';
  if (role && broken !== Boolean(config.role_unassumable_since)) {
    await deps.configs.markRoleUnassumable(tenantId, config.role_arn, broken ? at : null);
  }
  for (const domain of domains) {
    const statuses = observed.get(domain.domain);
    if (!statuses) continue;
    await deps.domains.updateStatuses(tenantId, domain.domain, Object.fromEntries(RECORD_KINDS.map((kind) => [KIND_STATUS[kind], statuses[kind]])) as DomainStatuses, at);
  }
}
