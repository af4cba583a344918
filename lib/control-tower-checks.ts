/**
 * AWS Control Tower's proactive controls at synth: the cfn-guard rules that
 * `@cdklabs/cdk-validator-cfnguard` ships, with one correction. The plugin reports its violations
 * without a severity; once any of its findings is acknowledged, aws-cdk-lib recomputes the
 * report's success from severities and a new, unacknowledged finding would pass the synth.
 * Every violation is an error here (test/infra/edge-and-alarms.test.ts: "a new finding fails").
 */
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

export class ControlTowerChecks implements IPolicyValidationPluginBeta1 {
  private readonly guard = new CfnGuardValidator();
  /** Keeps the plugin's name: acknowledgements are `cdk-validator-cfnguard::<rule>`. */
  readonly name = this.guard.name;
  readonly version = this.guard.version;
  readonly ruleIds = this.guard.ruleIds;

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    return { ...report, violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity ?? 'error' })) };
  }
}
