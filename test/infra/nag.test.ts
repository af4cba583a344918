import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { buildApp } from '../../bin/app';
import { CDK_JSON_CONTEXT, synth, type Synth } from './helpers';

/** `{ ruleId: reason }` of every acknowledgement, per construct path. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>)
      // aws-cdk-lib records ids as `Annotation::<rule>`; cdk-nag strips the prefix the same way.
      .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))));
}

/** The rule ids cdk-nag would report if nothing were acknowledged. */
function rawFindings(): Set<string> {
  const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  try {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    buildApp(app);
    return new Set(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName));
  } finally {
    spy.mockRestore();
  }
}

let s: Synth;
beforeAll(() => { s = synth(); });

describe('cdk-nag AwsSolutions', () => {
  test('the synth passes with zero unacknowledged findings (errors and warnings alike)', () => {
    const assembly = s.app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const unacknowledged = (report.pluginReports ?? []).flatMap((r: any) => r.violations ?? r.conclusion?.violations ?? []);
    expect(unacknowledged).toEqual([]);
    // And run directly, so a silently skipped plugin cannot pass this test.
    expect(new AwsSolutionsChecks().validateScope(s.app).violations).toEqual([]);
  });

  test('a new finding fails the synth', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const { relay } = buildApp(app);
    new sqs.Queue(relay, 'UnencryptedQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  test('every acknowledgement carries a real reason', () => {
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ ...ack, ok: typeof ack.reason === 'string' && ack.reason.trim().length >= 40 }).toEqual({ ...ack, ok: true });
    }
  });

  test('acknowledgements are exactly the findings nag raises: none missing, none stale', () => {
    const acknowledged = new Set(acknowledgements(s.app).map((a) => a.id).filter((id) => id.startsWith('AwsSolutions-')));
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
      'AwsSolutions-SQS3',
    ]);
  });

  test('the customer API is the only one acknowledged for having no authoriser (APIG4)', () => {
    const apig4 = acknowledgements(s.app).filter((a) => a.id === 'AwsSolutions-APIG4').map((a) => a.path);
    expect(apig4).toEqual(['RelayStack/CustomerApi/Rest/Api']);
  });
});
