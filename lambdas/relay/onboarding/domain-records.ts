/**
 * A sending domain as the customer sees it: the DNS records to publish (the spec's table), each with
 * the status SES last reported for its kind, and whether the domain can send.
 */
import type { DomainRecord, RecordStatus } from '../store/domain-store';

export type DnsRecordId = 'ownership' | 'dkim1' | 'dkim2' | 'dkim3' | 'mail_from_mx' | 'mail_from_spf' | 'dmarc';

export interface DnsRecord {
  id: DnsRecordId;
  type: 'TXT' | 'CNAME' | 'MX';
  name: string;
  /** What the record points to or says, as a zone file writes it (MX: `10 feedback-smtp.…`). */
  value: string;
  /** MX only: the priority and the mail host apart, as DNS providers' forms ask for them. */
  priority?: number;
  /** MX only: the mail host (the record's EXCHANGE, RFC 1035), `value` without its priority. */
  exchange?: string;
  /** SES's status for the record's kind; DMARC is not checked by SES. */
  status: RecordStatus | 'NotChecked';
  /** false for DMARC: recommended, not needed to send. */
  required: boolean;
}

/**
 * `verified`: ownership and DKIM verified, the domain can send. `failed`: SES gave up on ownership or
 * DKIM, or no longer has the identity (`NotStarted`: deleted in the console, or the role now points
 * to another account); fix the records and add the domain again, which restarts SES's checks.
 * `pending`: anything else.
 */
export type DomainState = 'verified' | 'pending' | 'failed';

const GIVEN_UP: readonly RecordStatus[] = ['Failed', 'NotStarted'];

export const canSend = (record: DomainRecord): boolean => record.ownership_status === 'Success' && record.dkim_status === 'Success';

export function domainState(record: DomainRecord): DomainState {
  if (canSend(record)) return 'verified';
  if (GIVEN_UP.includes(record.ownership_status) || GIVEN_UP.includes(record.dkim_status)) return 'failed';
  return 'pending';
}

/** SES documents 10 for the MAIL FROM MX; with a single MX record any value works the same. */
export const MAIL_FROM_MX_PRIORITY = 10;

export function dnsRecords(record: DomainRecord): DnsRecord[] {
  const { domain, region } = record;
  return [
    { id: 'ownership', type: 'TXT', name: `_amazonses.${domain}`, value: record.verification_token, status: record.ownership_status, required: true },
    ...record.dkim_tokens.map((token, i): DnsRecord => ({
      id: `dkim${i + 1}` as DnsRecordId, type: 'CNAME', name: `${token}._domainkey.${domain}`, value: `${token}.dkim.amazonses.com`, status: record.dkim_status, required: true,
    })),
    { id: 'mail_from_mx', type: 'MX', name: record.mail_from_domain, value: `${MAIL_FROM_MX_PRIORITY} feedback-smtp.${region}.amazonses.com`, priority: MAIL_FROM_MX_PRIORITY, exchange: `feedback-smtp.${region}.amazonses.com`, status: record.mail_from_status, required: true },
    { id: 'mail_from_spf', type: 'TXT', name: record.mail_from_domain, value: 'v=spf1 include:amazonses.com ~all', status: record.mail_from_status, required: true },
    { id: 'dmarc', type: 'TXT', name: `_dmarc.${domain}`, value: 'v=DMARC1; p=none;', status: 'NotChecked', required: false },
  ];
}

/** The list entry: no records. */
export function domainSummary(record: DomainRecord) {
  return {
    domain: record.domain,
    region: record.region,
    status: domainState(record),
    can_send: canSend(record),
    statuses: { ownership: record.ownership_status, dkim: record.dkim_status, mail_from: record.mail_from_status },
    created_at: record.created_at,
    checked_at: record.checked_at,
  };
}

export function presentDomain(record: DomainRecord) {
  return { success: true, ...domainSummary(record), records: dnsRecords(record) };
}
