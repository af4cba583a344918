/**
 * STS AssumeRole into a customer account's role: the role's trust policy enforced (as IAM has
 * propagated it), role chaining capped at one hour, and regions whose STS endpoint the account
 * deactivated refused.
 */
import * as ids from './ids';
import { trustPolicyAllows } from './policy';
import type { Session, SimState } from './state';
import { AwsError, accessDenied, missingMember, validationError, type QueryParams, type XmlObject } from './wire';

/** Who signed a request: the relay's own principal or a session STS issued; either may be an assumed role. */
export type Caller =
  | { kind: 'relay'; accountId: string; arn: string; isRoleSession: boolean }
  | { kind: 'session'; accountId: string; session: Session; arn: string; isRoleSession: true };

/** Role chaining (a role session assuming a role) caps the new session at one hour. */
const ROLE_CHAINING_MAX_DURATION = 3600;

export const sessionArn = (session: Session): string =>
  `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(.+)$/;
const MIN_DURATION = 900;
const MAX_DURATION = 43200;

function constraintViolation(member: string, value: string, constraint: string): AwsError {
  return validationError(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

interface Constraint {
  min: number;
  max: number;
  /** AWS's pattern for the member, written as AWS prints it in the error */
  pattern?: string;
}

function requireValid(params: QueryParams, name: string, member: string, { min, max, pattern }: Constraint): string {
  const value = params.get(name);
  if (value === undefined) throw missingMember(member);
  if (value.length < min) throw constraintViolation(member, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintViolation(member, value, `Member must have length less than or equal to ${max}`);
  if (pattern !== undefined && !new RegExp(`^${pattern}$`).test(value)) {
    throw constraintViolation(member, value, `Member must satisfy regular expression pattern: ${pattern}`);
  }
  return value;
}

function durationSeconds(params: QueryParams): number {
  const raw = params.get('DurationSeconds');
  if (raw === undefined) return 3600;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw constraintViolation('durationSeconds', raw, 'Member must be an integer');
  if (value < MIN_DURATION) throw constraintViolation('durationSeconds', raw, `Member must have value greater than or equal to ${MIN_DURATION}`);
  if (value > MAX_DURATION) throw constraintViolation('durationSeconds', raw, `Member must have value less than or equal to ${MAX_DURATION}`);
  return value;
}

/** STS writes timestamps without milliseconds. */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function assumeRole(state: SimState, caller: Caller, region: string, params: QueryParams): XmlObject {
  const roleArn = requireValid(params, 'RoleArn', 'roleArn', { min: 20, max: 2048 });
  const sessionName = requireValid(params, 'RoleSessionName', 'roleSessionName', { min: 2, max: 64, pattern: '[\\w+=,.@-]*' });
  const externalId =
    params.get('ExternalId') === undefined
      ? undefined
      : requireValid(params, 'ExternalId', 'externalId', { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' });
  const duration = durationSeconds(params);

  const denied = accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  const arnParts = ROLE_ARN.exec(roleArn);
  if (!arnParts) throw validationError(`${roleArn} is invalid`);
  const [, accountId = '', roleName = ''] = arnParts;
  const account = state.accounts.get(accountId);
  if (account && !state.settings(account, region).stsEnabled) {
    throw new AwsError(
      'RegionDisabledException',
      `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console.`,
      403,
    );
  }
  const role = account === undefined ? undefined : state.effectiveRole(account, roleName);
  if (!role || !trustPolicyAllows(role.trustPolicy, caller.accountId, externalId)) throw denied;
  if (caller.isRoleSession && duration > ROLE_CHAINING_MAX_DURATION) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const session: Session = {
    accessKeyId: ids.temporaryAccessKeyId(),
    secretAccessKey: ids.secretAccessKey(),
    sessionToken: ids.sessionToken(),
    accountId,
    roleName,
    roleId: role.id,
    sessionName,
    expiresAt: state.now() + duration * 1000,
  };
  state.sessions.set(session.accessKeyId, session);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expiresAt),
    },
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: sessionArn(session) },
  };
}
