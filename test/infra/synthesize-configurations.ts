/**
 * A child process of global-setup.ts (loaded through tsx): synthesizes each configuration the
 * parent sends, into its cloud assembly, and writes the facts file beside it. Answers every
 * name with `{ name }`, or `{ name, error }` when the synth failed (a new nag or Control Tower
 * finding fails it, as `cdk synth` would).
 */
import { Validations } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'fs';
import type { FunctionName } from '../../lib/function-catalog';
import { ServiceFunction } from '../../lib/constructs/service-function';
import { assemblyDir, CONFIGURATIONS, factsPath, type ConfigurationFacts, type ConfigurationName } from './configurations';
import { buildTestApp } from './helpers';

export interface SynthesisAnswer {
  readonly name: ConfigurationName;
  readonly error?: string;
}

function synthesizeConfiguration(name: ConfigurationName): void {
  const { context, likeCdkSynth } = CONFIGURATIONS[name];
  const { app, platform, relay } = buildTestApp(context, { likeCdkSynth, outdir: assemblyDir(name) });
  app.synth();
  const facts: ConfigurationFacts = {
    functions: [platform, relay].flatMap((stack) => ServiceFunction.catalogued(stack).map((fn) => ({
      name: fn.catalogName as FunctionName,
      stackId: stack.node.id,
      logicalId: stack.getLogicalId(fn.node.defaultChild as CfnFunction),
      roleLogicalId: stack.getLogicalId(fn.serviceRole.node.defaultChild as CfnRole),
    }))),
    acknowledgements: app.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ path: c.node.path, id, reason })))),
    nagViolations: new AwsSolutionsChecks().validateScope(app).violations,
  };
  fs.writeFileSync(factsPath(name), JSON.stringify(facts, null, 1));
}

process.on('message', (name: ConfigurationName) => {
  let answer: SynthesisAnswer;
  try {
    synthesizeConfiguration(name);
    answer = { name };
  } catch (error) {
    answer = { name, error: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  process.send!(answer);
});
