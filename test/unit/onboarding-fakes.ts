/** In-memory stand-ins for the onboarding use cases' ports: config store, domain store, customer accounts. */
import { ConfigChangedError, type ByocConfig, type ByocStatus, type ValidationCheck } from '../../lambdas/relay/store/config-store';
import type { DomainRecord, DomainStatuses } from '../../lambdas/relay/store/domain-store';
import type { CustomerAccount, CustomerAccounts, OpenOptions } from '../../lambdas/relay/customer-account/customer-account';
import type { CustomerTarget } from '../../lambdas/relay/customer-account/sessions';

export const TENANT = 'ten_unit';
export const RELAY_ACCOUNT = '111111111111';
export const NOW = new Date('2026-11-21T12:00:00Z');

export function configFixture(overrides: Partial<ByocConfig> = {}): ByocConfig {
  return {
    tenant_id: TENANT, external_id: 'e'.repeat(48), role_arn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', region: 'eu-west-1',
    status: 'validated', validated_at: NOW.toISOString(), checks: null, revision: 2, updated_at: NOW.toISOString(), ...overrides,
  };
}

export class FakeConfigs {
  saved: Array<{ revision: number; status: ByocStatus; checks: ValidationCheck[]; maxSendRate?: number }> = [];
  /** Simulates a PUT landing while validation runs. */
  changeDuringValidation = false;

  constructor(public config: ByocConfig | undefined) {}

  async get(): Promise<ByocConfig | undefined> {
    return this.config && { ...this.config };
  }

  async saveValidation(_tenantId: string, revision: number, result: { status: ByocStatus; checks: ValidationCheck[]; maxSendRate?: number }, now: Date): Promise<ByocConfig> {
    if (!this.config || this.changeDuringValidation || revision !== this.config.revision) throw new ConfigChangedError(TENANT);
    this.saved.push({ revision, ...result });
    this.config = { ...this.config, status: result.status, checks: result.checks, validated_at: result.status === 'validated' ? now.toISOString() : null };
    return { ...this.config };
  }
}

/** Records and the cap's slots, with the DynamoDB adapter's semantics (a slot per domain name). */
export class FakeDomains {
  readonly records = new Map<string, DomainRecord>();
  readonly slots = new Set<string>();

  async get(_tenantId: string, domain: string) {
    const record = this.records.get(domain);
    return record && { ...record };
  }
  async list() {
    return [...this.records.values()];
  }
  async put(record: DomainRecord) {
    this.records.set(record.domain, { ...record });
    this.slots.add(record.domain);
  }
  async reserveSlot(_tenantId: string, domain: string, max: number) {
    if (!this.slots.has(domain) && this.slots.size >= max) return false;
    this.slots.add(domain);
    return true;
  }
  async releaseSlot(_tenantId: string, domain: string) {
    if (!this.records.has(domain)) this.slots.delete(domain);
  }
  async updateStatuses(_tenantId: string, domain: string, statuses: DomainStatuses, checkedAt: string) {
    const record = this.records.get(domain);
    if (!record) return undefined;
    const updated = { ...record, ...statuses, checked_at: checkedAt };
    this.records.set(domain, updated);
    return { ...updated };
  }
  async delete(_tenantId: string, domain: string) {
    this.records.delete(domain);
    this.slots.delete(domain);
  }
}

type Step = Exclude<keyof CustomerAccount, 'assumeRole' | 'send'>;

/** A customer account whose answers (or failures) the test sets; it records every call made. */
export class FakeAccounts implements CustomerAccounts {
  readonly calls: string[] = [];
  readonly targets: Array<CustomerTarget & { fresh: boolean }> = [];
  /** Thrown by AssumeRole; `openFailures` are thrown first, one per attempt. */
  openFailure: Error | undefined;
  readonly openFailures: Error[] = [];
  /** Thrown once each by a step before it answers (e.g. IAM still propagating). */
  readonly failuresOnce = new Map<Step, Error[]>();
  maxRate = 14;
  readonly failures = new Map<Step, Error>();
  enabled = true;
  max24 = 50_000;
  statusAnswer: DomainStatuses = { ownership_status: 'Success', dkim_status: 'Success', mail_from_status: 'Success' };

  open(target: CustomerTarget, options: OpenOptions = {}): CustomerAccount {
    this.targets.push({ ...target, fresh: options.fresh === true });
    const step = async <T>(name: Step, value: T): Promise<T> => {
      if (this.openFailure) throw this.openFailure;
      this.calls.push(name);
      const once = this.failuresOnce.get(name)?.shift();
      if (once) throw once;
      const failure = this.failures.get(name);
      if (failure) throw failure;
      return value;
    };
    return {
      assumeRole: async () => {
        this.calls.push('assumeRole');
        const failure = this.openFailures.shift() ?? this.openFailure;
        if (failure) throw failure;
      },
      send: async () => 'msg-1',
      sendingEnabled: () => step('sendingEnabled', this.enabled),
      sendQuota: () => step('sendQuota', { max24HourSend: this.max24, maxSendRate: this.maxRate }),
      createDomainIdentity: () => step('createDomainIdentity', { verificationToken: 'tok', dkimTokens: ['d1', 'd2', 'd3'] }),
      statuses: (_domain, kinds) => step('statuses', Object.fromEntries(kinds.map((k) => [`${k}_status`, this.statusAnswer[`${k}_status`]])) as DomainStatuses),
      deleteIdentity: () => step('deleteIdentity', undefined),
    };
  }

}
