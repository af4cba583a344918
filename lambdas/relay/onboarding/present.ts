/** What the onboarding API answers, built from stored state. */
import { BYOC_ROLE_NAME, permissionsPolicy, trustPolicy } from '../byoc/policies';
import { customerStackTemplate } from '../byoc/customer-template';
import { launchStackUrl } from '../byoc/launch-stack';
import type { ByocConfig } from '../store/config-store';
import type { HttpResult } from '../../shared/http';
import type { ValidationResult } from './validate-byoc';

/** What the config answer needs besides the stored config: the relay's own settings. */
export interface ConfigPresentation {
  relayAccountId: string;
  registrationTopicArn?: string;
  /** Without it (a relay with no hosted template) `launch_stack_url` is null. */
  customerTemplateUrl?: string;
  quickCreateBaseUrl?: string;
}

/** The config as the customer sees it, with everything needed to create the role: one click, or by hand. */
export function presentConfig(config: ByocConfig, settings: ConfigPresentation) {
  const { relayAccountId } = settings;
  const previous = config.previous_external_id ?? null;
  return {
    success: true,
    external_id: config.external_id,
    previous_external_id: previous,
    role_arn: config.role_arn,
    region: config.region,
    status: config.status,
    validated_at: config.validated_at,
    checks: config.checks ?? [],
    role_name: BYOC_ROLE_NAME,
    relay_account_id: relayAccountId,
    launch_stack_url: settings.customerTemplateUrl
      ? launchStackUrl({ templateUrl: settings.customerTemplateUrl, quickCreateBaseUrl: settings.quickCreateBaseUrl, region: config.region, externalId: config.external_id, previousExternalId: previous })
      : null,
    trust_policy: trustPolicy(relayAccountId, config.external_id, previous),
    permissions_policy: permissionsPolicy(),
    cloudformation_template: customerStackTemplate({ relayAccountId, registrationTopicArn: settings.registrationTopicArn }),
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
