/**
 * A health transition as the tenant's webhook hears it. Types (listed in WEBHOOK_EVENT_TYPES):
 *
 * | type                        | when                                                          |
 * |-----------------------------|---------------------------------------------------------------|
 * | `byoc.role_failed`          | SendFleet can no longer assume the role (deleted, trust edited) |
 * | `byoc.permission_missing`   | the role may no longer call an SES action the checks use      |
 * | `byoc.sending_paused`       | SES sending is paused for the account in the config's region  |
 * | `byoc.sandbox`              | the account is back in the SES sandbox in that region         |
 * | `byoc.recovered`            | one of the above passes again (`data.check` names it)         |
 * | `domain.verification_failed`| SES reports the domain's ownership Failed (or no identity)    |
 * | `domain.dkim_failed`        | SES reports DKIM Failed / TemporaryFailure (a CNAME removed)  |
 * | `domain.mail_from_failed`   | SES reports the custom MAIL FROM Failed (MX removed)          |
 * | `domain.recovered`          | that record kind is Success again                             |
 *
 * `id` is stable per transition — `msg_health_<tenant>_<check>_<epoch ms the previous status
 * began>` — so a retried or concurrent run that sees the same transition hands over the same id
 * (the Standard Webhooks `webhook-id` a receiver dedupes on). `data` holds statuses, codes and our
 * own words, never AWS's error text.
 */
import type { WebhookEventType, WebhookNotification } from '../webhooks/outbox';
import type { AccountCheck, CheckHealth, DomainRecordHealth } from '../store/health-store';
import type { RecordKind } from '../store/domain-store';

const ACCOUNT_FAILURE: Record<AccountCheck, WebhookEventType> = {
  assume_role: 'byoc.role_failed',
  sending_enabled: 'byoc.sending_paused',
  production_access: 'byoc.sandbox',
};

const DOMAIN_FAILURE: Record<RecordKind, WebhookEventType> = {
  ownership: 'domain.verification_failed',
  dkim: 'domain.dkim_failed',
  mail_from: 'domain.mail_from_failed',
};

const eventId = (tenantId: string, check: string, previousSince: string | undefined) =>
  `msg_health_${tenantId}_${check}_${previousSince ? Date.parse(previousSince) : 0}`;

/** An account check changed status (or was first seen failing). */
export function accountTransition(tenantId: string, check: AccountCheck, now: CheckHealth, previous: CheckHealth | undefined): WebhookNotification {
  const failing = now.status === 'failing';
  // A missing SES permission fails an SES check with its own code: its own event, whichever check saw it.
  const type = failing ? (now.code === 'missing_permission' ? 'byoc.permission_missing' : ACCOUNT_FAILURE[check]) : 'byoc.recovered';
  return {
    id: eventId(tenantId, check, previous?.since),
    type,
    created_at: now.last_checked_at,
    data: {
      check, status: now.status, previous_status: previous?.status ?? null, code: now.code, detail: now.detail,
      since: now.since, previous_since: previous?.since ?? null,
    },
  };
}

/** A domain's record kind turned failing, or Success again after failing. */
export function domainTransition(tenantId: string, domain: string, kind: RecordKind, now: DomainRecordHealth, previous: DomainRecordHealth | undefined): WebhookNotification {
  return {
    id: eventId(tenantId, `${domain}_${kind}`, previous?.since),
    type: now.health === 'failing' ? DOMAIN_FAILURE[kind] : 'domain.recovered',
    created_at: now.last_checked_at,
    data: {
      domain, record: kind, status: now.status, previous_status: previous?.status ?? null,
      since: now.since, previous_since: previous?.since ?? null,
    },
  };
}
