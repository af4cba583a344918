/**
 * What the send path needs to know about a tenant's BYOC setup: the config (role, region,
 * ExternalId, validation) and its domains. Cached per tenant (shared/refreshing-cache.ts): served
 * while younger than `ttlMs` (default 5 s, from the start of the read behind it), so a role change,
 * failed re-validation or domain deletion reaches warm send functions within that bound; from half
 * that age one background reload per tenant refreshes it, so warm sends never wait for a reload.
 * A refusal is never decided on the cache alone: the send pipeline reads the state again before
 * answering one of its refusals, so a validation or verification that just passed counts at once.
 */
import { refusal, type Refusal } from '../../shared/refusal';
import type { Clock } from '../../shared/clock';
import { RefreshingCache } from '../../shared/refreshing-cache';
import { DISCONNECTED_DETAIL, notValidatedReason, type ByocConfig, type ByocConfigStore } from '../store/config-store';
import type { DomainRecord, DomainStore } from '../store/domain-store';
import { couldNotAssumeRoleDetail } from '../error-map';
import { covers } from '../byoc/domain-cover';

export const SEND_CONTEXT_TTL_MS = 5_000;

export interface SendContext {
  config: ByocConfig | undefined;
  domains: DomainRecord[];
}

export interface ReadyToSend {
  tenantId: string;
  roleArn: string;
  externalId: string;
  previousExternalId?: string;
  region: string;
  domain: DomainRecord;
  /** SES MaxSendRate the last validation saw (recipients per second), for pacing; unknown → no pacing. */
  maxSendRate?: number;
  /** The stack's configuration set, named on every send (delivery events); absent for a role set up by hand. */
  configurationSet?: string;
}

export class SendContextLoader {
  private readonly cache: RefreshingCache<SendContext>;

  constructor(
    private readonly configs: Pick<ByocConfigStore, 'get'>,
    private readonly domains: Pick<DomainStore, 'list'>,
    clock: Clock,
    options: { ttlMs?: number } = {},
  ) {
    this.cache = new RefreshingCache<SendContext>(clock, { maxAgeMs: options.ttlMs ?? SEND_CONTEXT_TTL_MS, maxEntries: 10_000 });
  }

  /** `fresh` reads the stored state (consistently) even when a cached one exists (before refusing a send). */
  load(tenantId: string, options: { fresh?: boolean } = {}): Promise<SendContext> {
    const fresh = options.fresh === true;
    const read = async (): Promise<SendContext> => {
      const [config, domains] = await Promise.all([this.configs.get(tenantId, fresh), this.domains.list(tenantId, fresh)]);
      return { config, domains };
    };
    return fresh ? this.cache.reload(tenantId, read) : this.cache.get(tenantId, read);
  }
}

/** The sender's domain or the registered domain it is a subdomain of (SES verifies subdomains with their parent). */
function registeredDomainFor(domains: DomainRecord[], fromDomain: string): DomainRecord | undefined {
  return domains
    .filter((d) => covers(d.domain, fromDomain))
    .sort((a, b) => b.domain.length - a.domain.length)[0];
}

/** Ready to send from a domain, or why not. */
export type Readiness = { ready: ReadyToSend } | { refusal: Refusal };

/** The checks before sending, in order: validated config, role not known broken, registered domain, ownership, DKIM. */
export function checkReadyToSend(tenantId: string, context: SendContext, fromDomain: string, relayAccountId: string): Readiness {
  const { config } = context;
  if (config?.status === 'disconnected') return { refusal: refusal('byoc_disconnected', `Your BYOC setup is disconnected: ${DISCONNECTED_DETAIL}.`) };
  const notValidated = notValidatedReason(config);
  // The role checks only narrow the type: notValidatedReason covers them.
  if (notValidated || !config?.role_arn || !config.region) {
    return { refusal: refusal('byoc_not_validated', `Your BYOC setup is not validated yet; ${notValidated}.`) };
  }
  if (config.role_unassumable_since) {
    // The health check found the role refused (health/): answered from the config, without an AssumeRole per send.
    return { refusal: refusal('could_not_assume_role', `${couldNotAssumeRoleDetail(relayAccountId)} SendFleet's account health check has been refused since ${config.role_unassumable_since}. Then run POST /api/byoc/validate.`) };
  }
  const domain = registeredDomainFor(context.domains, fromDomain);
  if (!domain) {
    return { refusal: refusal('domain_not_registered', `The from_email domain ${fromDomain} is not one of your sending domains. Add it with POST /api/byoc/domains, publish its DNS records and verify it.`) };
  }
  if (domain.region !== config.region) {
    return { refusal: refusal('domain_not_verified', `The domain ${domain.domain} was set up in ${domain.region} but your config now sends from ${config.region}. Delete and add the domain again so SES verifies it in ${config.region}.`) };
  }
  if (domain.ownership_status !== 'Success') {
    return { refusal: refusal('domain_not_verified', `SES has not verified ownership of ${domain.domain} yet (status ${domain.ownership_status}). Publish the TXT record _amazonses.${domain.domain} from GET /api/byoc/domains/${domain.domain}, then POST /api/byoc/domains/${domain.domain}/verify.`) };
  }
  if (domain.dkim_status !== 'Success') {
    return { refusal: refusal('dkim_not_verified', `SES has not verified DKIM for ${domain.domain} yet (status ${domain.dkim_status}). Publish the three DKIM CNAME records from GET /api/byoc/domains/${domain.domain}, then POST /api/byoc/domains/${domain.domain}/verify.`) };
  }
  return { ready: { tenantId, roleArn: config.role_arn, externalId: config.external_id, previousExternalId: config.previous_external_id ?? undefined, region: config.region, domain, maxSendRate: config.max_send_rate ?? undefined, configurationSet: config.configuration_set ?? undefined } };
}
