/** The customer API's answers, as far as the dashboard reads them. */
import type { DeliveryDay, DeliveryUsage as DeliveryRates } from '../../lambdas/relay/usage/delivery-usage-shape';

/** A validation check: `not_run` when it needs the role and the role could not be assumed (detail says so). */
export interface Check { name: string; ok: boolean; status: 'passed' | 'failed' | 'not_run'; code: string | null; detail: string }

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

export interface DnsRecord { id: string; type: 'TXT' | 'CNAME' | 'MX'; name: string; value: string; /** MX only: the priority and the mail host, apart. */ priority?: number; exchange?: string; status: string; required: boolean }

export interface DomainSummary { domain: string; status: string; can_send: boolean; region: string }

export interface Domain extends DomainSummary {
  statuses: Record<RecordKind, string>;
  checked_at: string | null;
  records: DnsRecord[];
}

export interface Usage { plan: string; month: string; used: number | null; limit: number | null; sends_per_minute: number; delivery?: DeliveryRates | null; refusals?: RefusalDays }

/** GET /api/usage's `refusals`: the sends SendFleet itself refused, per UTC day of the window and error code. */
export interface RefusalDays { window_days: number; days: Array<{ date: string; refused: number; codes: Record<string, number> }> }

export interface SendResult { message_id: string }

export interface Webhook { url: string; events: string[]; created_at: string; updated_at: string }

export interface WebhookSaved { webhook: Webhook; signing_secret?: string }

/** GET /api/usage's `delivery` (null when the account sends no events) and its days: the API's own types. */
export type { DeliveryDay, DeliveryRates };

/** GET /api/byoc/health: what the last account health runs found. */
export type HealthCheckName = 'assume_role' | 'sending_enabled' | 'production_access';

export interface CheckHealth {
  status: 'ok' | 'failing';
  code: string | null;
  detail: string;
  since: string;
  last_transition_at: string | null;
  last_checked_at: string;
}

export interface RecordHealth {
  /** SES's own word: Success, Pending, Failed, TemporaryFailure, NotStarted */
  status: string;
  health: 'ok' | 'pending' | 'failing';
  since: string;
  last_transition_at: string | null;
  last_checked_at: string;
}

export interface AccountHealth {
  state: 'healthy' | 'failing' | 'unknown';
  last_run_at: string | null;
  last_run_complete: boolean;
  checks: Partial<Record<HealthCheckName, CheckHealth>>;
  domains: Array<{ domain: string; region: string; records: Partial<Record<RecordKind, RecordHealth>> }>;
}

/** GET /api/keys: one key (never its secret). */
export interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  scope: 'full_access' | 'sending_access';
  domains: string[] | null;
  status: 'active' | 'revoked' | 'expired';
  created_at: string | null;
  expires_at: string | null;
  /** the key this browser tab is signed in with */
  current: boolean;
}

/** POST /api/keys: the new key with its secret, shown once. */
export interface CreatedApiKey {
  id: string;
  key: string;
  name: string | null;
  prefix: string;
  scope: ApiKey['scope'];
  domains: string[] | null;
  created_at: string;
  expires_at: string | null;
}
