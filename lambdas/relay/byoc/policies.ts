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

export function trustPolicy(relayAccountId: string, externalId: string) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${relayAccountId}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    }],
  };
}

export function permissionsPolicy() {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'SendFleetByoc', Effect: 'Allow', Action: [...BYOC_PERMISSIONS], Resource: '*' }],
  };
}

/** A CloudFormation template the customer can deploy instead of clicking through the IAM console. */
export function roleTemplate(relayAccountId: string, externalId: string) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'SendFleet BYOC: lets the SendFleet relay send through this account\'s Amazon SES',
    Resources: {
      SendFleetByocRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: BYOC_ROLE_NAME,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy(relayAccountId, externalId),
          Policies: [{ PolicyName: 'SendFleetByocSes', PolicyDocument: permissionsPolicy() }],
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['SendFleetByocRole', 'Arn'] } } },
  };
}

/** What to check when AssumeRole is refused: said the same way by validation and by send. */
export function assumeRoleFix(relayAccountId: string): string {
  return `Check that your role is named exactly ${BYOC_ROLE_NAME}, that its trust policy's Principal.AWS is arn:aws:iam::${relayAccountId}:root and that its sts:ExternalId condition equals the external_id from GET /api/byoc/config (IAM changes can take about 15 s to propagate).`;
}
