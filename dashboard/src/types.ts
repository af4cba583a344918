/** The customer API's answers, as far as the dashboard reads them. */
export interface Check { name: string; ok: boolean; detail: string }

export interface ByocConfig {
  external_id: string;
  /** set during an ExternalId rotation, until a validation with the new one passes */
  previous_external_id: string | null;
  /** the CloudFormation console's quick-create link; null when the relay hosts no template */
  launch_stack_url: string | null;
  /** why there is no link (the tenant's region has no registration topic); null otherwise */
  launch_stack_unavailable_reason: string | null;
  role_arn: string | null;
  region: string | null;
  status: string;
  validated_at: string | null;
  checks: Check[];
  role_name: string;
  relay_account_id: string;
  trust_policy: unknown;
  permissions_policy: unknown;
  cloudformation_template: unknown;
}

export interface Validation { status: string; validated_at?: string | null; checks: Check[] }

export type RecordKind = 'ownership' | 'dkim' | 'mail_from';

export interface DnsRecord { id: string; type: string; name: string; value: string; status: string; required: boolean }

export interface DomainSummary { domain: string; status: string; can_send: boolean; region: string }

export interface Domain extends DomainSummary {
  statuses: Record<RecordKind, string>;
  checked_at: string | null;
  records: DnsRecord[];
}

export interface Usage { plan: string; month: string; used: number | null; limit: number | null; sends_per_minute: number }

export interface SendResult { message_id: string }
