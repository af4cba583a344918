/**
 * The part of CloudFormation's template language the simulator evaluates: the sections, parameter
 * constraints, conditions and intrinsic functions that SendFleet's customer template uses. Anything
 * else is refused when the stack is created (a ValidationError naming it), never guessed at.
 */
import { NATIVE_TYPES, isNativeType } from './cloudformation-resources';

/** A CreateStack/UpdateStack refusal: AWS answers these synchronously, and no stack operation starts. */
export class TemplateError extends Error {
  constructor(readonly code: 'ValidationError' | 'AlreadyExistsException' | 'InsufficientCapabilitiesException', message: string) {
    super(message);
  }
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ParameterDeclaration {
  Type: 'String';
  Default?: string;
  AllowedPattern?: string;
  AllowedValues?: string[];
  MinLength?: number;
  MaxLength?: number;
  NoEcho?: boolean;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDeclaration {
  Type: string;
  Properties: JsonObject;
  Condition?: string;
  DependsOn: string[];
}

export interface Template {
  description?: string;
  parameters: Record<string, ParameterDeclaration>;
  conditions: Record<string, Json>;
  resources: Record<string, ResourceDeclaration>;
  outputs: Record<string, { Value: Json; Condition?: string; Description?: string }>;
}

/** Resource types the simulator can create. */
export const SUPPORTED_RESOURCE_TYPES = ['AWS::IAM::Role', ...Object.keys(NATIVE_TYPES), 'AWS::CloudFormation::CustomResource', 'Custom::*'] as const;
const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Conditions', 'Resources', 'Outputs']);
const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Fn::Sub', 'Condition']);
const PSEUDO_PARAMETERS = new Set(['AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::StackId', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::NoValue']);

export const isCustomResourceType = (type: string): boolean => type === 'AWS::CloudFormation::CustomResource' || /^Custom::[\w@-]{1,52}$/.test(type);

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const formatError = (message: string) => new TemplateError('ValidationError', `Template format error: ${message}`);

/** Parses the template body (JSON only) and checks everything the simulator would otherwise meet half way through a stack. */
export function parseTemplate(body: string): Template {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw formatError('the simulator reads JSON templates only, and this body is not valid JSON');
  }
  if (!isObject(raw)) throw formatError('a template is a JSON object');
  const unknownSections = Object.keys(raw).filter((name) => !SECTIONS.has(name));
  if (unknownSections.length > 0) throw formatError(`the simulator does not evaluate the section(s) ${unknownSections.join(', ')}`);
  const resources = raw.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) throw formatError('At least one Resources member must be defined.');

  const parameters: Record<string, ParameterDeclaration> = {};
  for (const [name, declaration] of Object.entries(isObject(raw.Parameters) ? raw.Parameters : {})) {
    if (!isObject(declaration) || declaration.Type !== 'String') {
      throw formatError(`parameter ${name}: the simulator supports Type String only`);
    }
    parameters[name] = declaration as unknown as ParameterDeclaration;
  }

  const declared: Record<string, ResourceDeclaration> = {};
  const unrecognized: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string') throw formatError(`[/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    if (resource.Type !== 'AWS::IAM::Role' && !isNativeType(resource.Type) && !isCustomResourceType(resource.Type)) unrecognized.push(resource.Type);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    declared[logicalId] = {
      Type: resource.Type,
      Properties: isObject(resource.Properties) ? resource.Properties : {},
      ...(typeof resource.Condition === 'string' ? { Condition: resource.Condition } : {}),
      DependsOn: dependsOn.map(String),
    };
  }
  if (unrecognized.length > 0) {
    throw formatError(`Unrecognized resource types: [${unrecognized.join(', ')}] (the simulator creates ${SUPPORTED_RESOURCE_TYPES.join(', ')})`);
  }

  const template: Template = {
    ...(typeof raw.Description === 'string' ? { description: raw.Description } : {}),
    parameters,
    conditions: isObject(raw.Conditions) ? raw.Conditions : {},
    resources: declared,
    outputs: isObject(raw.Outputs) ? (raw.Outputs as Template['outputs']) : {},
  };
  checkReferences(template);
  return template;
}

/** Every intrinsic function is one the simulator evaluates, and every Ref/GetAtt/Condition names something declared. */
function checkReferences(template: Template): void {
  const names = new Set([...Object.keys(template.parameters), ...Object.keys(template.resources), ...PSEUDO_PARAMETERS]);
  const walk = (node: Json, where: string): void => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, where));
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined && (key.startsWith('Fn::') || key === 'Ref')) {
      if (!INTRINSICS.has(key)) throw formatError(`${where}: the simulator does not evaluate ${key} (it evaluates ${[...INTRINSICS].join(', ')})`);
      const argument = node[key] as Json;
      if (key === 'Ref' && (typeof argument !== 'string' || !names.has(argument))) {
        throw formatError(`Unresolved resource dependencies [${String(argument)}] in the Resources block of the template`);
      }
      if (key === 'Fn::GetAtt') {
        const [resource] = Array.isArray(argument) ? argument : typeof argument === 'string' ? argument.split('.') : [];
        if (typeof resource !== 'string' || !(resource in template.resources)) {
          throw formatError(`Template error: instance of Fn::GetAtt references undefined resource ${String(resource)}`);
        }
      }
    }
    for (const [name, value] of Object.entries(node)) walk(value, `${where}/${name}`);
  };
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    walk(resource.Properties, `[/Resources/${logicalId}/Properties]`);
    for (const dependency of resource.DependsOn) {
      if (!(dependency in template.resources)) throw formatError(`Unresolved resource dependencies [${dependency}] in the Resources block of the template`);
    }
    if (resource.Condition !== undefined && !(resource.Condition in template.conditions)) {
      throw formatError(`Template error: unresolved condition dependency ${resource.Condition} in Fn::If`);
    }
  }
  for (const [name, condition] of Object.entries(template.conditions)) walk(condition, `[/Conditions/${name}]`);
  for (const [name, output] of Object.entries(template.outputs)) walk(output.Value, `[/Outputs/${name}]`);
}

/**
 * The parameter values of a CreateStack/UpdateStack: defaults filled in, every constraint checked
 * with CloudFormation's wording, unknown and missing names refused.
 */
export function resolveParameters(template: Template, given: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(given).filter((name) => !(name in template.parameters));
  if (unknown.length > 0) throw new TemplateError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const missing = Object.entries(template.parameters).filter(([name, declaration]) => given[name] === undefined && declaration.Default === undefined).map(([name]) => name);
  if (missing.length > 0) throw new TemplateError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
  const values: Record<string, string> = {};
  for (const [name, declaration] of Object.entries(template.parameters)) {
    const value = given[name] ?? declaration.Default ?? '';
    const broken = constraintBroken(declaration, value);
    if (broken) {
      const why = declaration.ConstraintDescription ?? broken;
      throw new TemplateError('ValidationError', `Parameter '${name}' ${why}`);
    }
    values[name] = value;
  }
  return values;
}

function constraintBroken(declaration: ParameterDeclaration, value: string): string | undefined {
  // CloudFormation anchors AllowedPattern to the whole value
  if (declaration.AllowedPattern !== undefined && !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(value)) return `must match pattern ${declaration.AllowedPattern}`;
  if (declaration.AllowedValues !== undefined && !declaration.AllowedValues.includes(value)) return `must be one of AllowedValues`;
  if (declaration.MinLength !== undefined && value.length < declaration.MinLength) return `must contain at least ${declaration.MinLength} characters`;
  if (declaration.MaxLength !== undefined && value.length > declaration.MaxLength) return `must contain at most ${declaration.MaxLength} characters`;
  return undefined;
}

/** What a template's expressions can see while a stack operation runs. */
export interface EvaluationContext {
  parameters: Record<string, string>;
  pseudo: { region: string; accountId: string; stackName: string; stackId: string };
  /** logical id → physical id (what Ref of a resource gives) */
  physicalIds: Record<string, string>;
  /** logical id → attribute name → value (what Fn::GetAtt gives) */
  attributes: Record<string, Record<string, string>>;
}

/** Thrown while a resource's properties are evaluated: the resource fails with this reason. */
export class EvaluationError extends Error {}

const NO_VALUE = Symbol('AWS::NoValue');
type Evaluated = Json | typeof NO_VALUE;

export function conditionValues(template: Template, context: EvaluationContext): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const condition = (name: string): boolean => {
    if (name in results) return results[name]!;
    if (evaluating.has(name)) throw new EvaluationError(`Template error: circular condition ${name}`);
    const expression = template.conditions[name];
    if (expression === undefined) throw new EvaluationError(`Template error: unresolved condition dependency ${name}`);
    evaluating.add(name);
    const value = evaluate(expression, context, condition);
    evaluating.delete(name);
    if (typeof value !== 'boolean') throw new EvaluationError(`Template error: condition ${name} is not a boolean`);
    results[name] = value;
    return value;
  };
  for (const name of Object.keys(template.conditions)) condition(name);
  return results;
}

/** Evaluates `node` (properties, an output, a condition) in `context`; AWS::NoValue removes the key or item. */
export function evaluateNode(node: Json, context: EvaluationContext, conditions: Record<string, boolean>): Json {
  const value = evaluate(node, context, (name) => {
    const result = conditions[name];
    if (result === undefined) throw new EvaluationError(`Template error: unresolved condition dependency ${name}`);
    return result;
  });
  return value === NO_VALUE ? null : value;
}

function evaluate(node: Json, context: EvaluationContext, condition: (name: string) => boolean): Evaluated {
  if (Array.isArray(node)) return node.map((item) => evaluate(item, context, condition)).filter((item): item is Json => item !== NO_VALUE);
  if (!isObject(node)) return node;
  const keys = Object.keys(node);
  const key = keys[0];
  if (keys.length === 1 && key !== undefined && (INTRINSICS.has(key) || key.startsWith('Fn::'))) {
    return intrinsic(key, node[key] as Json, context, condition);
  }
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(node)) {
    const result = evaluate(value, context, condition);
    if (result !== NO_VALUE) out[name] = result;
  }
  return out;
}

function ref(name: string, context: EvaluationContext): Evaluated {
  switch (name) {
    case 'AWS::Region': return context.pseudo.region;
    case 'AWS::AccountId': return context.pseudo.accountId;
    case 'AWS::StackName': return context.pseudo.stackName;
    case 'AWS::StackId': return context.pseudo.stackId;
    case 'AWS::Partition': return 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::NoValue': return NO_VALUE;
  }
  if (name in context.parameters) return context.parameters[name]!;
  const physical = context.physicalIds[name];
  if (physical === undefined) throw new EvaluationError(`Template error: ${name} is not created yet or was not created (its Condition is false)`);
  return physical;
}

function getAtt(resource: string, attribute: string, context: EvaluationContext): string {
  const value = context.attributes[resource]?.[attribute];
  if (value === undefined) throw new EvaluationError(`Template error: resource ${resource} does not support attribute type ${attribute} in Fn::GetAtt`);
  return value;
}

function intrinsic(name: string, argument: Json, context: EvaluationContext, condition: (name: string) => boolean): Evaluated {
  const bool = (node: Json): boolean => {
    const value = evaluate(node, context, condition);
    if (typeof value !== 'boolean') throw new EvaluationError(`Template error: ${name} takes conditions`);
    return value;
  };
  switch (name) {
    case 'Ref':
      return ref(String(argument), context);
    case 'Condition':
      return condition(String(argument));
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
      return getAtt(resource ?? '', attribute ?? '', context);
    }
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3) throw new EvaluationError('Template error: Fn::If requires a list argument with three elements');
      return condition(String(argument[0])) ? evaluate(argument[1]!, context, condition) : evaluate(argument[2]!, context, condition);
    }
    case 'Fn::Equals': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new EvaluationError('Template error: Fn::Equals requires a list argument with two elements');
      const [left, right] = argument.map((item) => evaluate(item, context, condition));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case 'Fn::Not': {
      if (!Array.isArray(argument) || argument.length !== 1) throw new EvaluationError('Template error: Fn::Not requires a list argument with one function token');
      return !bool(argument[0]!);
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(argument) || argument.length < 2 || argument.length > 10) throw new EvaluationError(`Template error: ${name} requires a list argument with 2 to 10 conditions`);
      const values = argument.map(bool);
      return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::Sub':
      return substitute(argument, context, condition);
  }
  throw new EvaluationError(`Template error: the simulator does not evaluate ${name}`);
}

/** Fn::Sub: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with or without a variable map. */
function substitute(argument: Json, context: EvaluationContext, condition: (name: string) => boolean): string {
  const [text, variables] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, undefined];
  if (typeof text !== 'string') throw new EvaluationError('Template error: Fn::Sub takes a string or a [string, {variables}] list');
  const local: Record<string, Evaluated> = {};
  for (const [name, value] of Object.entries(isObject(variables) ? variables : {})) local[name] = evaluate(value, context, condition);
  return text.replace(/\$\{([^}]*)\}/g, (whole, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    const value = expression in local ? local[expression] : expression.includes('.') && !expression.startsWith('AWS::')
      ? getAtt(expression.slice(0, expression.indexOf('.')), expression.slice(expression.indexOf('.') + 1), context)
      : ref(expression, context);
    if (typeof value !== 'string' && typeof value !== 'number') throw new EvaluationError(`Template error: ${whole} in Fn::Sub is not a string`);
    return String(value);
  });
}

/** Logical ids in creation order: every resource after the ones it references (Ref, GetAtt, Sub, DependsOn). */
export function creationOrder(template: Template): string[] {
  const dependencies = new Map<string, Set<string>>();
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    const found = new Set(resource.DependsOn);
    collectReferences(resource.Properties, found);
    found.delete(logicalId);
    dependencies.set(logicalId, new Set([...found].filter((name) => name in template.resources)));
  }
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (logicalId: string): void => {
    if (ordered.includes(logicalId)) return;
    if (visiting.has(logicalId)) throw formatError(`Circular dependency between resources: [${[...visiting].join(', ')}]`);
    visiting.add(logicalId);
    for (const dependency of dependencies.get(logicalId) ?? []) visit(dependency);
    visiting.delete(logicalId);
    ordered.push(logicalId);
  };
  for (const logicalId of Object.keys(template.resources)) visit(logicalId);
  return ordered;
}

function collectReferences(node: Json, found: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((item) => collectReferences(item, found));
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Ref' && typeof value === 'string') found.add(value);
    else if (key === 'Fn::GetAtt') found.add(String(Array.isArray(value) ? value[0] : String(value).split('.')[0]));
    else if (key === 'Fn::Sub') {
      const text = Array.isArray(value) ? value[0] : value;
      if (typeof text === 'string') for (const match of text.matchAll(/\$\{([^!}][^}.]*)/g)) found.add(match[1]!);
    }
    collectReferences(value, found);
  }
}
