/**
 * The app configurations the infra tests read. global-setup.ts synthesizes each one once per run,
 * with cdk-nag and the Control Tower checks, into ASSEMBLIES_DIR; the tests only read the
 * templates and the facts file written beside each cloud assembly.
 */
import * as path from 'path';
import type { FunctionName } from '../../lib/function-catalog';

export interface Configuration {
  /** Context on top of cdk.json's. */
  readonly context: Readonly<Record<string, unknown>>;
  /** Real esbuild bundling and aws-cdk-lib's CloudFormation validation, as `cdk synth` does. */
  readonly likeCdkSynth: boolean;
}

export const CONFIGURATIONS = {
  /** cdk.json as it stands, synthesized exactly as `cdk synth` would: the bundles are in its assembly. */
  default: { context: {}, likeCdkSynth: true },
  alarmEmail: { context: { alarmEmail: 'oncall@sendfleet.example' }, likeCdkSynth: false },
  /** A second stage beside dev, in the same accounts. */
  alice: { context: { stage: 'alice' }, likeCdkSynth: false },
  /** The relay in another region than the platform. */
  qaInFrankfurt: { context: { relayRegion: 'eu-central-1', stage: 'qa' }, likeCdkSynth: false },
  dev: { context: { dev: true }, likeCdkSynth: false },
} as const satisfies Record<string, Configuration>;

export type ConfigurationName = keyof typeof CONFIGURATIONS;

/** Ignored by git; wiped at the start of every run. */
export const ASSEMBLIES_DIR = path.resolve(__dirname, '..', '..', 'cdk.out.test');

export const assemblyDir = (name: ConfigurationName): string => path.join(ASSEMBLIES_DIR, name);
export const factsPath = (name: ConfigurationName): string => path.join(ASSEMBLIES_DIR, `${name}.facts.json`);

/** What the tests need from the construct tree, which a template does not say. */
export interface ConfigurationFacts {
  /** Every catalogued function, as `ServiceFunction.catalogued` finds it, with the logical ids the stack gave it. */
  readonly functions: ReadonlyArray<{ name: FunctionName; stackId: string; logicalId: string; roleLogicalId: string }>;
  /** Every acknowledgement in the app, with the rule id exactly as recorded (`<plugin>::<rule>`). */
  readonly acknowledgements: ReadonlyArray<{ path: string; id: string; reason: unknown }>;
  /** cdk-nag run directly on the app, so a silently skipped plugin cannot pass the tests. */
  readonly nagViolations: readonly unknown[];
}
