/** What the onboarding API answers, built from stored state. */
import { BYOC_ROLE_NAME, permissionsPolicy, trustPolicy } from '../byoc/policies';
import { customerStackTemplate } from '../byoc/customer-template';
import { DEFAULT_STACK_REGION, launchStackUrl } from '../byoc/launch-stack';
import type { ByocConfig, ValidationCheck } from '../store/config-store';
import type { HttpResult } from '../../shared/http';
import type { ValidationResult } from './validate-byoc';

/** What the config answer needs besides the stored config: the relay's own settings. */
export interface ConfigPresentation {
  relayAccountId: string;
  registrationTopicArn?: string;
  /** With it, the template forwards delivery events there (customer-template.ts). */
  deliveryEventsBusArn?: string;
  /** Without it (a relay with no hosted template) `launch_stack_url` is null. */
  customerTemplateUrl?: string;
  quickCreateBaseUrl?: string;
  /** Regions with a registration topic (unset: every region, as locally). */
  registrationRegions?: string[];
}

/** The config as the customer sees it, with everything needed to create the role: one click, or by hand. */
export function presentConfig(config: ByocConfig, settings: ConfigPresentation) {
  const { relayAccountId } = settings;
  const previous = config.previous_external_id ?? null;
  const link = oneClickLink(config, settings);
  return {
    success: true,
    external_id: config.external_id,
    previous_external_id: previous,
    role_arn: config.role_arn,
    region: config.region,
    status: config.status,
    validated_at: config.validated_at,
    checks: (config.checks ?? []).map(presentCheck),
    // The SES configuration set every send names (delivery events), once the stack registered one.
    configuration_set: config.configuration_set ?? null,
    role_name: BYOC_ROLE_NAME,
    relay_account_id: relayAccountId,
    launch_stack_url: link.url,
    launch_stack_unavailable_reason: link.unavailableReason,
    trust_policy: trustPolicy(relayAccountId, config.external_id, previous),
    permissions_policy: permissionsPolicy(),
    cloudformation_template: customerStackTemplate({ relayAccountId, registrationTopicArn: settings.registrationTopicArn, deliveryEventsBusArn: settings.deliveryEventsBusArn }),
  };
}

/** A stored check with every field: one stored before `status` and `code` existed reads as passed or failed. */
function presentCheck(check: ValidationCheck) {
  return { name: check.name, ok: check.ok, status: check.status ?? (check.ok ? 'passed' : 'failed'), code: check.code ?? null, detail: check.detail };
}

/** The quick-create link, or why there is none (the stack could not register from that region). */
function oneClickLink(config: ByocConfig, settings: ConfigPresentation): { url: string | null; unavailableReason: string | null } {
  if (!settings.customerTemplateUrl) return { url: null, unavailableReason: 'This SendFleet deployment hosts no customer template: create the role with the manual steps (trust_policy, permissions_policy).' };
  const region = config.region ?? DEFAULT_STACK_REGION;
  if (settings.registrationRegions && !settings.registrationRegions.includes(region)) {
    return { url: null, unavailableReason: `One-click setup is not offered in ${region} yet (it is in ${settings.registrationRegions.join(', ')}): create the role with the manual steps (trust_policy, permissions_policy), then PUT /api/byoc/config and POST /api/byoc/validate.` };
  }
  return {
    url: launchStackUrl({ templateUrl: settings.customerTemplateUrl, quickCreateBaseUrl: settings.quickCreateBaseUrl, region: config.region, externalId: config.external_id, previousExternalId: config.previous_external_id, registrationToken: settings.registrationTopicArn ? config.registration_token : null }),
    unavailableReason: null,
  };
}

/**
 * A validation run: 200 when every check passed, otherwise 422 with the first failing check's code,
 * whatever that code's status elsewhere (could_not_assume_role is 403 on send): validation itself
 * worked, and its answer is that the setup is not usable yet.
 */
export function presentValidation(result: ValidationResult): HttpResult {
  const { config, checks, failure } = result;
  if (!failure) {
    return { status: 200, body: { success: true, status: config.status, validated_at: config.validated_at, checks } };
  }
  return { status: 422, body: { success: false, status: config.status, error: failure.code, detail: failure.detail, checks } };
}
