/**
 * The only path from SendFleet into customer accounts: `sts:AssumeRole` on roles named exactly
 * `SendFleet-BYOC-Role`, in any account. Relay functions only; nothing else in either stack may
 * hold it (test/infra/least-privilege.test.ts).
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BYOC_ROLE_NAME } from '../../lambdas/relay/byoc/policies';

/** Customer accounts are unknown at deploy time, hence the account wildcard. */
export const BYOC_ROLE_ARN_PATTERN = `arn:aws:iam::*:role/${BYOC_ROLE_NAME}`;

export const ASSUME_BYOC_ROLE_SID = 'AssumeCustomerByocRole';

/** Lets a function's execution role assume any customer's BYOC role (ServiceFunction.fromCatalog calls it). */
export function grantAssumeByocRole(role: iam.Role): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: ASSUME_BYOC_ROLE_SID,
    actions: ['sts:AssumeRole'],
    resources: [BYOC_ROLE_ARN_PATTERN],
  }));
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${BYOC_ROLE_ARN_PATTERN}]`,
    reason: 'Customer accounts are unknown at deploy time, so the account is a wildcard; the role name is fixed. ' +
      'Trust is enforced on the customer side: the role\'s trust policy admits only the relay account and only with ' +
      'the tenant\'s own ExternalId (192-bit, per tenant), and the relay assumes it only with that ExternalId.',
  });
}
