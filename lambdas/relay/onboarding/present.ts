/** What the onboarding API answers, built from stored state. */
import { BYOC_ROLE_NAME, permissionsPolicy, roleTemplate, trustPolicy } from '../byoc/policies';
import type { ByocConfig } from '../store/config-store';
import type { HttpResult } from '../../shared/http';
import type { ValidationResult } from './validate-byoc';

/** The config as the customer sees it, with everything needed to create the role. */
export function presentConfig(config: ByocConfig, relayAccountId: string) {
  return {
    success: true,
    external_id: config.external_id,
    role_arn: config.role_arn,
    region: config.region,
    status: config.status,
    validated_at: config.validated_at,
    checks: config.checks ?? [],
    role_name: BYOC_ROLE_NAME,
    relay_account_id: relayAccountId,
    trust_policy: trustPolicy(relayAccountId, config.external_id),
    permissions_policy: permissionsPolicy(),
    cloudformation_template: roleTemplate(relayAccountId, config.external_id),
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
