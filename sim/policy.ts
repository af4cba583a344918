/**
 * The part of IAM policy evaluation the relay depends on: a role's trust policy (who may call
 * sts:AssumeRole, with which ExternalId) and its permissions policy (which ses:* actions, on which
 * resources, under which conditions). An explicit Deny wins over any Allow.
 *
 * Conditions: the String operators (StringEquals, StringNotEquals, StringLike, StringNotLike, their
 * IgnoreCase forms and IfExists) on the keys in CONDITION_KEYS. A condition the simulator cannot
 * judge (another operator or key) fails closed both ways: an Allow carrying it grants nothing, a
 * Deny carrying it denies.
 */
import { z } from 'zod';

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);
const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

const statementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList,
  Principal: z.union([z.literal('*'), z.looseObject({ AWS: stringOrList.optional(), Service: stringOrList.optional() })]).optional(),
  Resource: stringOrList.optional(),
  Condition: z
    .record(z.string(), z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1)])))
    .optional(),
});

export const policyDocumentSchema = z.strictObject({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
});

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
type Statement = z.infer<typeof statementSchema>;

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** IAM action patterns: case-insensitive, `*` and `?` wildcards. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** Condition keys the simulator knows, lower-cased; a known key may still be absent from a request. */
export const CONDITION_KEYS = ['sts:externalid', 'ses:fromaddress', 'ses:fromdisplayname', 'ses:apiversion', 'aws:requestedregion'] as const;
export type ConditionKey = (typeof CONDITION_KEYS)[number];

export interface RequestContext {
  action: string;
  /** the resource ARN the action is authorized against; undefined for a trust policy (the role is the resource) */
  resource?: string;
  /** account id of the caller, for the trust policy's Principal */
  callerAccountId?: string;
  /** a service assuming the role (e.g. `events.amazonaws.com`), for the trust policy's Principal */
  callerService?: string;
  /** values of the condition keys present in this request */
  keys?: Partial<Record<ConditionKey, string>>;
}

function principalMatches(statement: Statement, callerAccountId: string | undefined, callerService: string | undefined): boolean {
  const principal = statement.Principal;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  if (callerService !== undefined) return principal.Service !== undefined && asList(principal.Service).includes(callerService);
  if (principal.AWS === undefined || callerAccountId === undefined) return false;
  return asList(principal.AWS).some(
    (entry) => entry === '*' || entry === callerAccountId || entry === `arn:aws:iam::${callerAccountId}:root`,
  );
}

/** IAM wildcards: `*` any run, `?` one character. */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'is' : 's').test(value);
}

/** IAM resource ARNs: case-sensitive, with wildcards. */
const resourceMatches = (statement: Statement, resource: string): boolean =>
  statement.Resource !== undefined && asList(statement.Resource).some((pattern) => wildcardMatches(pattern, resource, false));

const STRING_OPERATOR = /^String(Not)?(Equals|Like)(IgnoreCase)?(IfExists)?$/;

/** true, false, or undefined when the simulator cannot judge the condition. */
function conditionHolds(operator: string, key: string, expected: unknown[], context: RequestContext): boolean | undefined {
  const parsed = STRING_OPERATOR.exec(operator);
  const knownKey = (CONDITION_KEYS as readonly string[]).includes(key.toLowerCase());
  if (!parsed || !knownKey) return undefined;
  const [, negated, kind, ignoreCase, ifExists] = parsed;
  if (kind === 'Like' && ignoreCase) return undefined; // no such IAM operator
  const actual = context.keys?.[key.toLowerCase() as ConditionKey];
  if (actual === undefined) return ifExists !== undefined || negated !== undefined;
  const matches = expected.some((value) =>
    kind === 'Like'
      ? wildcardMatches(String(value), actual, false)
      : ignoreCase
        ? String(value).toLowerCase() === actual.toLowerCase()
        : String(value) === actual,
  );
  return negated ? !matches : matches;
}

/** All conditions of a statement together: true, false, or undefined if any cannot be judged. */
function conditionsHold(statement: Statement, context: RequestContext): boolean | undefined {
  let result: boolean | undefined = true;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const holds = conditionHolds(operator, key, asList(expected), context);
      if (holds === false) return false;
      if (holds === undefined) result = undefined;
    }
  }
  return result;
}

function allows(policy: PolicyDocument, context: RequestContext): boolean {
  let allowed = false;
  for (const statement of asList(policy.Statement)) {
    if (!asList(statement.Action).some((pattern) => actionMatches(pattern, context.action))) continue;
    const isTrust = context.callerAccountId !== undefined || context.callerService !== undefined;
    if (isTrust && !principalMatches(statement, context.callerAccountId, context.callerService)) continue;
    if (context.resource !== undefined && !resourceMatches(statement, context.resource)) continue;
    const holds = conditionsHold(statement, context);
    if (statement.Effect === 'Deny' && holds !== false) return false;
    if (statement.Effect === 'Allow' && holds === true) allowed = true;
  }
  return allowed;
}

/** May `callerAccountId` assume the role, presenting `externalId`? */
export function trustPolicyAllows(policy: PolicyDocument, callerAccountId: string, externalId: string | undefined): boolean {
  return allows(policy, { action: 'sts:AssumeRole', callerAccountId, keys: externalId === undefined ? {} : { 'sts:externalid': externalId } });
}

/** May the AWS service (e.g. `events.amazonaws.com`) assume the role? */
export function trustPolicyAllowsService(policy: PolicyDocument, service: string): boolean {
  return allows(policy, { action: 'sts:AssumeRole', callerService: service });
}

/** Does the role's permissions policy grant `action` (e.g. `ses:SendEmail`) on `resource` in this context? */
export function permissionsPolicyAllows(policy: PolicyDocument, context: Required<Pick<RequestContext, 'action' | 'resource'>> & RequestContext): boolean {
  return allows(policy, context);
}
