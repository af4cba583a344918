/**
 * The part of IAM policy evaluation the relay depends on: a role's trust policy (who may call
 * sts:AssumeRole, with which ExternalId) and its permissions policy (which ses:* actions).
 * An explicit Deny wins over any Allow. Conditions other than StringEquals on sts:ExternalId are
 * not modelled, so a statement carrying one never applies: a policy the simulator cannot judge
 * fails closed instead of granting access. Resources in permissions policies are not evaluated.
 */
import { z } from 'zod';

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);
const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

const statementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList,
  Principal: z.union([z.literal('*'), z.looseObject({ AWS: stringOrList.optional() })]).optional(),
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

interface RequestContext {
  action: string;
  /** account id of the caller, for the trust policy's Principal */
  callerAccountId?: string;
  externalId?: string;
}

function principalMatches(statement: Statement, callerAccountId: string): boolean {
  const principal = statement.Principal;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  if (principal.AWS === undefined) return false;
  return asList(principal.AWS).some(
    (entry) => entry === '*' || entry === callerAccountId || entry === `arn:aws:iam::${callerAccountId}:root`,
  );
}

function conditionsHold(statement: Statement, context: RequestContext): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (operator !== 'StringEquals' || key.toLowerCase() !== 'sts:externalid') return false;
      const { externalId } = context;
      if (externalId === undefined || !asList(expected).some((value) => String(value) === externalId)) return false;
    }
  }
  return true;
}

function statementApplies(statement: Statement, context: RequestContext): boolean {
  if (!asList(statement.Action).some((pattern) => actionMatches(pattern, context.action))) return false;
  if (context.callerAccountId !== undefined && !principalMatches(statement, context.callerAccountId)) return false;
  return conditionsHold(statement, context);
}

function allows(policy: PolicyDocument, context: RequestContext): boolean {
  const applicable = asList(policy.Statement).filter((statement) => statementApplies(statement, context));
  return applicable.some((s) => s.Effect === 'Allow') && !applicable.some((s) => s.Effect === 'Deny');
}

/** May `callerAccountId` assume the role, presenting `externalId`? */
export function trustPolicyAllows(policy: PolicyDocument, callerAccountId: string, externalId: string | undefined): boolean {
  return allows(policy, { action: 'sts:AssumeRole', callerAccountId, externalId });
}

/** Does the role's permissions policy grant `action` (e.g. `ses:SendEmail`)? */
export function permissionsPolicyAllows(policy: PolicyDocument, action: string): boolean {
  return allows(policy, { action });
}
