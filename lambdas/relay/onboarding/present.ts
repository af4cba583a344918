/** The config as the customer sees it, with everything needed to create the role. */
import { BYOC_ROLE_NAME, permissionsPolicy, roleTemplate, trustPolicy } from '../byoc/policies';
import type { ByocConfig } from '../byoc/config-store';

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
