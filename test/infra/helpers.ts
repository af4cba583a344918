/**
 * Shared by the infra tests: builds the app exactly as bin/app.ts does, with cdk.json's context
 * (feature flags included) plus overrides, and reads the configurations global-setup.ts
 * synthesized once per run (templates, stacks, and the facts only the construct tree knows).
 * A cheap build skips bundling and aws-cdk-lib's CloudFormation validation; cdk-nag and the
 * Control Tower checks still run (buildApp registers them).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import * as fs from 'fs';
import * as path from 'path';
import { buildApp, type SendFleetApp } from '../../bin/app';
import { FUNCTIONS, type FunctionName, type FunctionSpec } from '../../lib/function-catalog';
import { assemblyDir, factsPath, type ConfigurationFacts, type ConfigurationName } from './configurations';

// cdk-nag's EventBusOpenAccess rule reads a deprecated CfnEventBusPolicy property; keep test output readable.
process.env.JSII_DEPRECATED = 'quiet';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

export const PLATFORM_ACCOUNT = '222222222222';
export const RELAY_ACCOUNT = '111111111111';
export const RELAY_BUS_ARN = 'arn:aws:events:eu-west-1:111111111111:event-bus/sendfleet-dev-tenant-events';

/**
 * Builds the app (not synthesized). Cheap unless `likeCdkSynth`: no esbuild, no CloudFormation
 * validation, for the tests that synthesize a deliberately broken app.
 */
export function buildTestApp(context: Record<string, unknown> = {}, options: { likeCdkSynth?: boolean; outdir?: string } = {}): SendFleetApp {
  if (options.likeCdkSynth) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = 'false';
  return buildApp(new App({
    outdir: options.outdir,
    context: { ...CDK_JSON_CONTEXT, ...(options.likeCdkSynth ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  }));
}

/** A synthesized stack, as the cloud assembly describes it. */
export interface StackInAssembly {
  /** Construct id: RelayStack or PlatformStack. */
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** Ids of the stacks it depends on (asset manifests left out). */
  readonly dependencies: string[];
}

export interface Synth {
  readonly name: ConfigurationName;
  /** The cloud assembly: templates, validation-report.json and, when bundled, the assets. */
  readonly assemblyDir: string;
  readonly platform: StackInAssembly;
  readonly relay: StackInAssembly;
  readonly platformTemplate: Template;
  readonly relayTemplate: Template;
  readonly facts: ConfigurationFacts;
}

const loaded = new Map<ConfigurationName, Synth>();

/** A configuration global-setup.ts synthesized, read from its cloud assembly. */
export function synthesized(name: ConfigurationName): Synth {
  const cached = loaded.get(name);
  if (cached) return cached;
  const dir = assemblyDir(name);
  const assembly = new CloudAssembly(dir);
  const stack = (id: string): [StackInAssembly, Template] => {
    const artifact = assembly.getStackArtifact(id);
    const dependencies = artifact.dependencies.filter((d) => d instanceof CloudFormationStackArtifact).map((d) => d.id);
    const { account, region } = artifact.environment;
    return [{ id, stackName: artifact.stackName, account, region, dependencies }, Template.fromJSON(artifact.template)];
  };
  const [platform, platformTemplate] = stack('PlatformStack');
  const [relay, relayTemplate] = stack('RelayStack');
  const facts = JSON.parse(fs.readFileSync(factsPath(name), 'utf8')) as ConfigurationFacts;
  const synth: Synth = { name, assemblyDir: dir, platform, relay, platformTemplate, relayTemplate, facts };
  loaded.set(name, synth);
  return synth;
}

/** The validation report of the configuration's synth (cdk-nag and the Control Tower checks). */
export function validationReport(s: Synth): { pluginReports: any[] } {
  return JSON.parse(fs.readFileSync(path.join(s.assemblyDir, 'validation-report.json'), 'utf8'));
}

export interface FunctionInTemplate {
  readonly name: FunctionName;
  readonly spec: FunctionSpec;
  readonly stack: StackInAssembly;
  readonly template: Template;
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly properties: Record<string, any>;
}

/** Every catalogued function of both stacks, with its template properties and role. */
export function functionsIn(s: Synth): FunctionInTemplate[] {
  return s.facts.functions.map(({ name, stackId, logicalId, roleLogicalId }) => {
    const [stack, template] = stackId === s.platform.id ? [s.platform, s.platformTemplate] : [s.relay, s.relayTemplate];
    const properties = (template.toJSON().Resources as Record<string, any>)[logicalId].Properties;
    return { name, spec: FUNCTIONS[name], stack, template, logicalId, roleLogicalId, properties };
  });
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Sid?: string;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Identity-policy statements (AWS::IAM::Policy, ManagedPolicy, Role inline policies), with the roles they apply to. */
export function identityStatements(template: Template): Array<{ statement: Statement; roles: string[]; policy: string }> {
  const out: Array<{ statement: Statement; roles: string[]; policy: string }> = [];
  const resources = template.toJSON().Resources as Record<string, any>;
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = asArray<any>(r.Properties.Roles).map((ref) => ref.Ref as string);
      for (const statement of asArray<Statement>(r.Properties.PolicyDocument.Statement)) out.push({ statement, roles, policy: id });
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const inline of asArray<any>(r.Properties.Policies)) {
        for (const statement of asArray<Statement>(inline.PolicyDocument.Statement)) out.push({ statement, roles: [id], policy: `${id}/${inline.PolicyName}` });
      }
    }
  }
  return out;
}

/** `METHOD /full/path` of every API Gateway method in a template, with the method's properties. */
export function apiMethods(template: Template): Map<string, Record<string, any>> {
  const resources = template.toJSON().Resources as Record<string, any>;
  const pathOf = (resourceRef: any): string => {
    if (resourceRef && typeof resourceRef === 'object' && 'Fn::GetAtt' in resourceRef) return ''; // RootResourceId
    const resource = resources[resourceRef.Ref];
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  const out = new Map<string, Record<string, any>>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    out.set(`${r.Properties.HttpMethod} ${pathOf(r.Properties.ResourceId) || '/'}`, r.Properties);
  }
  return out;
}

export function resourcesOfType(template: Template, type: string): Array<[string, Record<string, any>]> {
  return Object.entries(template.toJSON().Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}
