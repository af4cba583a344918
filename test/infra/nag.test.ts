import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp, synthesized, validationReport, type Synth } from './helpers';

/** `{ ruleId: reason }` of every acknowledgement, per construct path. */
function acknowledgements(s: Synth): Array<{ path: string; id: string; reason: unknown }> {
  // aws-cdk-lib records ids as `Annotation::<rule>`; cdk-nag strips the prefix the same way.
  return s.facts.acknowledgements.map((a) => ({ ...a, id: a.id.replace(/^annotation::/i, '') }));
}

/** The rule ids cdk-nag would report if nothing were acknowledged (nag reads the construct tree: no synth needed). */
function rawFindings(): Set<string> {
  const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  try {
    const { app } = buildTestApp();
    return new Set(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName));
  } finally {
    spy.mockRestore();
  }
}

const s = synthesized('default');

describe('cdk-nag AwsSolutions', () => {
  test('the synth passes with zero unacknowledged findings (errors and warnings alike)', () => {
    const report = validationReport(s);
    const unacknowledged = (report.pluginReports ?? []).flatMap((r: any) => r.violations ?? r.conclusion?.violations ?? []);
    expect(unacknowledged).toEqual([]);
    // And run directly, so a silently skipped plugin cannot pass this test.
    expect(s.facts.nagViolations).toEqual([]);
  });

  test('a new finding fails the synth', () => {
    const { app, relay } = buildTestApp();
    new sqs.Queue(relay, 'UnencryptedQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  test('every acknowledgement carries a real reason', () => {
    const acks = acknowledgements(s);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ ...ack, ok: typeof ack.reason === 'string' && ack.reason.trim().length >= 40 }).toEqual({ ...ack, ok: true });
    }
  });

  test('acknowledgements are exactly the findings nag raises: none missing, none stale', () => {
    const acknowledged = new Set(acknowledgements(s).map((a) => a.id).filter((id) => id.startsWith('AwsSolutions-')));
    const findings = rawFindings();
    expect([...findings].sort()).toEqual([...acknowledged].sort());
    // The accepted deviations, reviewed: adding one means editing this list.
    expect([...acknowledged].sort()).toEqual([
      'AwsSolutions-APIG2',
      'AwsSolutions-APIG3',
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/SendFleet-BYOC-Role]',
      'AwsSolutions-S1',
      'AwsSolutions-S2',
      'AwsSolutions-SQS3',
    ]);
  });

  test('the customer API is the only one acknowledged for having no authoriser (APIG4)', () => {
    const apig4 = acknowledgements(s).filter((a) => a.id === 'AwsSolutions-APIG4').map((a) => a.path);
    expect(apig4).toEqual(['RelayStack/CustomerApi/Rest/Api']);
  });
});
