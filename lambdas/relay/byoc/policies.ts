/**
 * What the customer creates in their own account: the role name, its trust policy (the relay
 * account, conditioned on the tenant's ExternalId) and exactly the 11 SES actions the relay uses.
 */
export const BYOC_ROLE_NAME = 'SendFleet-BYOC-Role';

export const BYOC_PERMISSIONS = [
  'ses:SendEmail',
  'ses:SendRawEmail',
  'ses:VerifyDomainIdentity',
  'ses:VerifyDomainDkim',
  'ses:GetIdentityVerificationAttributes',
  'ses:GetIdentityDkimAttributes',
  'ses:GetIdentityMailFromDomainAttributes',
  'ses:SetIdentityMailFromDomain',
  'ses:DeleteIdentity',
  'ses:GetAccountSendingEnabled',
  'ses:GetSendQuota',
] as const;

/** During a rotation (`previousExternalId` set) the condition accepts both: sends go on with either. */
export function trustPolicy(relayAccountId: string, externalId: string, previousExternalId?: string | null) {
  return trustPolicyAccepting(relayAccountId, previousExternalId ? [externalId, previousExternalId] : externalId);
}

/**
 * The trust policy for the ExternalId value(s) given: strings for the policy shown to the customer,
 * or a CloudFormation expression for the customer template's parameters.
 */
export function trustPolicyAccepting(relayAccountId: string, externalIds: unknown) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${relayAccountId}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalIds } },
    }],
  };
}

export function permissionsPolicy() {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'SendFleetByoc', Effect: 'Allow', Action: [...BYOC_PERMISSIONS], Resource: '*' }],
  };
}

/** What to check when AssumeRole is refused: said the same way by validation and by send. */
export function assumeRoleFix(relayAccountId: string): string {
  return `Check that your role is named exactly ${BYOC_ROLE_NAME}, that its trust policy's Principal.AWS is arn:aws:iam::${relayAccountId}:root and that its sts:ExternalId condition equals the external_id from GET /api/byoc/config (IAM changes can take about 15 s to propagate).`;
}
