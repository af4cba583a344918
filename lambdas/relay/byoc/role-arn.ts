/**
 * The rules for a customer's role ARN and region. The ARN is the confused-deputy boundary's
 * first line: only `arn:aws:iam::<12 digits>:role/SendFleet-BYOC-Role`, never in our own accounts.
 * (The second line is the per-tenant ExternalId in the role's trust policy.)
 */
import { ApiError } from '../../shared/errors';
import { BYOC_ROLE_NAME } from './policies';

/** Commercial-partition regions where Amazon SES is offered (the `aws` partition only). */
export const SES_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1',
  'af-south-1', 'me-south-1', 'me-central-1', 'il-central-1',
  'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5',
] as const;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(.+)$/;

export function parseRoleArn(roleArn: string, ownAccounts: { relay: string; platform?: string }): { accountId: string } {
  const fix = `Use arn:aws:iam::<your 12-digit account id>:role/${BYOC_ROLE_NAME}.`;
  const match = ROLE_ARN.exec(roleArn);
  if (!match) {
    const otherPartition = /^arn:aws-[a-z-]+:/.test(roleArn);
    throw invalidArn(otherPartition
      ? `role_arn is in another AWS partition; only the commercial partition (arn:aws:) is supported. ${fix}`
      : `role_arn is not an IAM role ARN. ${fix}`);
  }
  const [, accountId = '', roleName = ''] = match;
  if (roleName.includes('/')) {
    throw invalidArn(`role_arn has a path; the role must be created without a path and named exactly ${BYOC_ROLE_NAME}. ${fix}`);
  }
  if (roleName !== BYOC_ROLE_NAME) {
    throw invalidArn(`The role must be named exactly ${BYOC_ROLE_NAME} (case-sensitive), not the name given. ${fix}`);
  }
  if (accountId === ownAccounts.relay || accountId === ownAccounts.platform) {
    throw invalidArn(`role_arn names a SendFleet account; the role must be in your own AWS account. ${fix}`);
  }
  return { accountId };
}

export function checkRegion(region: string): void {
  if (!(SES_REGIONS as readonly string[]).includes(region)) {
    throw new ApiError('invalid_request', `region must be an AWS region where Amazon SES is available, e.g. eu-west-1 or us-east-1. Supported: ${SES_REGIONS.join(', ')}.`, {
      issues: [{ path: 'region', message: 'must be an Amazon SES region' }],
    });
  }
}

function invalidArn(detail: string): ApiError {
  return new ApiError('invalid_request', detail, { issues: [{ path: 'role_arn', message: detail }] });
}
