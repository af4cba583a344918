/**
 * Shared by the infra tests: builds the app exactly as bin/app.ts does, with cdk.json's context
 * (feature flags included) plus overrides, and reads what the templates say about functions,
 * roles and routes. Fast mode skips bundling and aws-cdk-lib's CloudFormation validation;
 * cdk-nag still runs (it is registered by buildApp).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import * as fs from 'fs';
import * as path from 'path';
import { buildApp, type SendFleetApp } from '../../bin/app';
import { FUNCTIONS, type FunctionName, type FunctionSpec } from '../../lib/function-catalog';
import { ServiceFunction } from '../../lib/constructs/service-function';

// cdk-nag's EventBusOpenAccess rule reads a deprecated CfnEventBusPolicy property; keep test output readable.
process.env.JSII_DEPRECATED = 'quiet';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

export const PLATFORM_ACCOUNT = '222222222222';
export const RELAY_ACCOUNT = '111111111111';
export const RELAY_BUS_ARN = 'arn:aws:events:eu-west-1:111111111111:event-bus/sendfleet-dev-tenant-events';

export interface Synth extends SendFleetApp {
  readonly platformTemplate: Template;
  readonly relayTemplate: Template;
}

/** Builds and synthesizes the app. `bundling: false` (the default) skips esbuild and CFN validation. */
export function synth(context: Record<string, unknown> = {}, options: { bundling?: boolean } = {}): Synth {
  if (options.bundling) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = 'false';
  const app = new App({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const built = buildApp(app);
  return {
    ...built,
    platformTemplate: Template.fromStack(built.platform),
    relayTemplate: Template.fromStack(built.relay),
  };
}

export interface FunctionInTemplate {
  readonly name: FunctionName;
  readonly spec: FunctionSpec;
  readonly stack: Stack;
  readonly template: Template;
  readonly construct: ServiceFunction;
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly properties: Record<string, any>;
}

/** Every catalogued function of both stacks, with its template properties and role. */
export function functionsIn(s: Synth): FunctionInTemplate[] {
  const out: FunctionInTemplate[] = [];
  for (const [stack, template] of [[s.platform, s.platformTemplate], [s.relay, s.relayTemplate]] as const) {
    const resources = template.toJSON().Resources as Record<string, any>;
    for (const fn of ServiceFunction.catalogued(stack)) {
      const name = fn.catalogName as FunctionName;
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
      const roleLogicalId = stack.getLogicalId(fn.serviceRole.node.defaultChild as CfnRole);
      out.push({ name, spec: FUNCTIONS[name], stack, template, construct: fn, logicalId, roleLogicalId, properties: resources[logicalId].Properties });
    }
  }
  return out;
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
