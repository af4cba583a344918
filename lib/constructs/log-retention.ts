/**
 * Why our log groups keep 90 days, not the 365 Control Tower's CT.CLOUDWATCH.PR.2 asks for: the one
 * acknowledgement, written once for every log group of both stacks.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const LOG_RETENTION_REASON = 'Operational logs (request ids, tenant ids, outcomes; never content) are kept 90 days: ' +
  'enough to investigate any incident or dispute within a billing cycle and its follow-up, and no longer than needed ' +
  '(data minimisation). A landing zone enforcing CT.CLOUDWATCH.PR.2 as a hook refuses them (docs/deploying.md).';

export function acknowledgeLogRetention(logGroup: IConstruct): void {
  Validations.of(logGroup).acknowledge({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check', reason: LOG_RETENTION_REASON });
}
