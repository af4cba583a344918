/**
 * A tenant's sending domains: created as SES identities in the tenant's own account and region,
 * remembered in the relay table (which the send path trusts), re-checked on request, deleted from SES
 * before they are forgotten. Domain names arrive here already normalised (see byoc/domain-name.ts).
 *
 * - Adding a domain that exists in the same region returns it (200) without calling SES: the record
 *   is only stored after all three SES calls succeeded, so an existing record is complete. A failed
 *   add stores nothing and can simply be retried; the SES calls are idempotent. Only a domain whose
 *   verification failed (or whose identity SES no longer has) is set up again: a new Verify is how
 *   SES restarts its checks.
 * - At most MAX_DOMAINS_PER_TENANT domains per tenant, exactly, under any concurrency: an add takes
 *   a slot (DomainStore.reserveSlot) before it calls SES, and gives it back if SES refused; a
 *   refused add never touches the customer's account. A slot is held per domain name, so re-adding
 *   a domain never counts it twice. If the function dies between taking the slot and storing the
 *   record, the slot stays taken by that name until the domain is added again or DELETEd.
 * - Verify, get and delete act in the region the identity was created in, with the current role.
 */
import { RefusedError, refusal } from '../../shared/refusal';
import { notValidatedReason, type ByocConfig, type ByocConfigStore } from '../store/config-store';
import type { DomainRecord, DomainStore, RecordKind } from '../store/domain-store';
import type { CustomerAccount, CustomerAccounts, DomainIdentity } from '../customer-account/customer-account';
import { accountRefusal } from './account-refusal';
import { domainState } from './domain-records';
import { dateOf, type Clock } from '../../shared/clock';

export const MAX_DOMAINS_PER_TENANT = 20;
export const RECORD_KINDS: readonly RecordKind[] = ['ownership', 'dkim', 'mail_from'];

/** The custom MAIL FROM domain: bounces and complaints come back through it, so SPF aligns. */
export const mailFromDomain = (domain: string) => `send.${domain}`;

export interface DomainDeps {
  configs: Pick<ByocConfigStore, 'get'>;
  domains: Pick<DomainStore, 'get' | 'list' | 'put' | 'updateStatuses' | 'delete' | 'reserveSlot' | 'releaseSlot'>;
  accounts: CustomerAccounts;
  relayAccountId: string;
  clock: Clock;
}

type ConfigWithRole = ByocConfig & { role_arn: string; region: string };

const notFound = (domain: string) =>
  new RefusedError(refusal('not_found', `${domain} is not one of your sending domains. GET /api/byoc/domains lists them; add one with POST /api/byoc/domains.`));

export class SendingDomains {
  constructor(private readonly deps: DomainDeps) {}

  list(tenantId: string): Promise<DomainRecord[]> {
    return this.deps.domains.list(tenantId);
  }

  async get(tenantId: string, domain: string): Promise<DomainRecord> {
    const record = await this.deps.domains.get(tenantId, domain);
    if (!record) throw notFound(domain);
    return record;
  }

  async add(tenantId: string, domain: string): Promise<{ record: DomainRecord; created: boolean }> {
    const config = await this.deps.configs.get(tenantId);
    const notValidated = notValidatedReason(config);
    // hasRole only narrows the type: notValidatedReason covers it.
    if (notValidated || !hasRole(config)) {
      throw new RefusedError(refusal('byoc_not_validated', `Domains can be added once your BYOC setup is validated: ${notValidated}.`));
    }
    const existing = await this.deps.domains.get(tenantId, domain);
    if (existing && existing.region !== config.region) {
      throw new RefusedError(refusal('conflict', `${domain} is set up in ${existing.region}, but your config now uses ${config.region}. DELETE /api/byoc/domains/${domain}, then add it again to set it up in ${config.region}.`));
    }
    if (existing && domainState(existing) !== 'failed') return { record: existing, created: false };
    if (!(await this.deps.domains.reserveSlot(tenantId, domain, MAX_DOMAINS_PER_TENANT))) {
      throw new RefusedError(refusal('conflict', `You have ${MAX_DOMAINS_PER_TENANT} sending domains, the most an account can hold. Delete one you no longer use (DELETE /api/byoc/domains/{domain}) or contact support.`));
    }
    let identity: DomainIdentity;
    try {
      identity = await this.inAccount(config, config.region, (account) => account.createDomainIdentity(domain, mailFromDomain(domain)));
    } catch (error) {
      // A domain set up again keeps its slot with its record; a new one gives it back.
      if (!existing) await this.deps.domains.releaseSlot(tenantId, domain);
      throw error;
    }
    const record: DomainRecord = {
      tenant_id: tenantId,
      domain,
      region: config.region,
      verification_token: identity.verificationToken,
      dkim_tokens: identity.dkimTokens,
      mail_from_domain: mailFromDomain(domain),
      // A fresh Verify (or SetIdentityMailFromDomain) starts SES's checks over: Pending until verified.
      ownership_status: 'Pending',
      dkim_status: 'Pending',
      mail_from_status: 'Pending',
      created_at: existing?.created_at ?? dateOf(this.deps.clock).toISOString(),
      checked_at: null,
    };
    await this.deps.domains.put(record);
    return { record, created: !existing };
  }

  /** Reads the given kinds' statuses from SES and stores them. */
  async verify(tenantId: string, domain: string, kinds: readonly RecordKind[]): Promise<DomainRecord> {
    const record = await this.get(tenantId, domain);
    const config = await this.configWithRole(tenantId);
    const statuses = await this.inAccount(config, record.region, (account) => account.statuses(domain, kinds));
    const updated = await this.deps.domains.updateStatuses(tenantId, domain, statuses, dateOf(this.deps.clock).toISOString());
    if (!updated) throw notFound(domain); // deleted meanwhile
    return updated;
  }

  /** DeleteIdentity in the tenant's account first; the domain is only forgotten once SES let go of it. */
  async remove(tenantId: string, domain: string): Promise<void> {
    const record = await this.deps.domains.get(tenantId, domain);
    if (!record) {
      // A slot left by an add that died before storing its record is freed here (no-op otherwise).
      await this.deps.domains.releaseSlot(tenantId, domain);
      throw notFound(domain);
    }
    const config = await this.configWithRole(tenantId);
    try {
      await this.inAccount(config, record.region, (account) => account.deleteIdentity(domain));
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      throw new RefusedError({ ...error.refusal, detail: `${error.refusal.detail} The domain was not deleted: SendFleet keeps it until the SES identity is deleted; fix this and DELETE again.` });
    }
    await this.deps.domains.delete(tenantId, domain);
  }

  private async configWithRole(tenantId: string): Promise<ConfigWithRole> {
    const config = await this.deps.configs.get(tenantId);
    if (!hasRole(config)) throw new RefusedError(refusal('byoc_not_validated', 'No role is saved: PUT /api/byoc/config with your role_arn and region first.'));
    return config;
  }

  private async inAccount<T>(config: ConfigWithRole, region: string, work: (account: CustomerAccount) => Promise<T>): Promise<T> {
    const target = { tenantId: config.tenant_id, roleArn: config.role_arn, externalId: config.external_id, previousExternalId: config.previous_external_id ?? undefined, region };
    try {
      return await work(this.deps.accounts.open(target));
    } catch (error) {
      throw accountRefusal(error, { relayAccountId: this.deps.relayAccountId, region });
    }
  }
}

function hasRole(config: ByocConfig | undefined): config is ConfigWithRole {
  return Boolean(config?.role_arn && config.region);
}
