/**
 * The stack registration use case: what the SendFleet-BYOC stack's custom resource asks, and the
 * answer CloudFormation shows the customer. Nothing here knows SNS or HTTP.
 *
 * - Create/Update: the tenant is found by the ExternalId (its hash index), the role must be in the
 *   stack's own account and region, role and region are saved (only if they changed, so a stack
 *   update never pauses sends), and the same validation as POST /api/byoc/validate runs (it waits
 *   out IAM propagation: the role was created seconds earlier). SUCCESS, or FAILED with the
 *   validation's own words.
 * - Delete: the config is marked `disconnected` if it still holds this stack's role; always SUCCESS
 *   (a registration never blocks a stack deletion).
 * - Anything else is FAILED with a reason that never tells whether an ExternalId exists: every
 *   check that does not need the tenant runs before the lookup, and an unknown, malformed or
 *   replaced ExternalId all read the same.
 */
import { dateOf, type Clock } from '../../shared/clock';
import { ApiError } from '../../shared/errors';
import { RefusedError } from '../../shared/refusal';
import { EXTERNAL_ID_PATTERN } from '../byoc/customer-template';
import { checkRegion, parseRoleArn } from '../byoc/role-arn';
import type { CustomerAccounts } from '../customer-account/customer-account';
import type { CustomerSessions } from '../customer-account/sessions';
import { validateByoc } from '../onboarding/validate-byoc';
import type { ByocConfigStore } from '../store/config-store';
import { stackArnParts, type Answerable } from './custom-resource';

export interface RegistrationDeps {
  configs: Pick<ByocConfigStore, 'findByExternalId' | 'saveRole' | 'markDisconnected' | 'get' | 'saveValidation'>;
  accounts: CustomerAccounts;
  /** Cached sessions of a tenant whose role changed are forgotten. */
  sessions: Pick<CustomerSessions, 'forgetTenant'>;
  relayAccountId: string;
  platformAccountId?: string;
  clock: Clock;
  propagationWindowMs?: number;
}

export interface RegistrationAnswer {
  status: 'SUCCESS' | 'FAILED';
  reason: string;
  physicalResourceId: string;
  /** For the log line only. */
  tenantId?: string;
  outcome: 'registered' | 'validation_failed' | 'not_accepted' | 'malformed' | 'other_account' | 'disconnected' | 'delete_ignored' | 'rotation_rollback';
}

/** A failed Create's id: its Delete (CloudFormation's rollback) then changes nothing. */
export const FAILED_RESOURCE_PREFIX = 'sendfleet-registration-failed-';

export const NOT_ACCEPTED_REASON = 'SendFleet did not accept this registration: the ExternalId is not one SendFleet issued to you or has been replaced since. Launch the stack from launch_stack_url in your SendFleet dashboard (Settings → Launch stack in AWS), which fills in your current ExternalId.';
const MALFORMED_REASON = 'SendFleet did not accept this registration: the request is not the one the SendFleet-BYOC template makes (ExternalId, RoleArn, Region and AccountId). Deploy the template from launch_stack_url in your SendFleet dashboard without changing its resources.';

export async function registerStack(deps: RegistrationDeps, { request, properties }: Answerable): Promise<RegistrationAnswer> {
  const stack = stackArnParts(request.StackId);
  const keptId = request.PhysicalResourceId;
  const failedId = keptId ?? `${FAILED_RESOURCE_PREFIX}${request.RequestId}`;
  const failed = (outcome: RegistrationAnswer['outcome'], reason: string, tenantId?: string): RegistrationAnswer => ({ status: 'FAILED', reason, physicalResourceId: failedId, outcome, tenantId });

  if (request.RequestType === 'Delete') return deregister(deps, { request, properties });
  if (!properties || !stack) return failed('malformed', MALFORMED_REASON);

  // Checks that need no tenant first: their answers cannot tell whether an ExternalId exists.
  let roleAccount: string;
  try {
    roleAccount = parseRoleArn(properties.RoleArn, { relay: deps.relayAccountId, platform: deps.platformAccountId }).accountId;
    checkRegion(properties.Region);
  } catch (error) {
    if (error instanceof ApiError) return failed('malformed', `SendFleet did not accept this registration: ${error.detail}`);
    throw error;
  }
  if (roleAccount !== stack.accountId || properties.AccountId !== stack.accountId) {
    return failed('other_account', `SendFleet did not accept this registration: the role ${properties.RoleArn} is not in the stack's own account ${stack.accountId}. Deploy the template in the account whose SES SendFleet should use; it creates the role there.`);
  }
  if (properties.Region !== stack.region) {
    return failed('malformed', `SendFleet did not accept this registration: the Region property (${properties.Region}) is not the stack's region (${stack.region}). Deploy the template unchanged in the region whose SES SendFleet should use.`);
  }

  const config = new RegExp(EXTERNAL_ID_PATTERN).test(properties.ExternalId) ? await deps.configs.findByExternalId(properties.ExternalId) : undefined;
  if (!config) return failed('not_accepted', NOT_ACCEPTED_REASON);
  const tenantId = config.tenant_id;
  if (config.external_id !== properties.ExternalId) {
    // The previous ExternalId of a rotation under way: an update rolling back to it restores the trust sends still use.
    if (request.RequestType === 'Update' && keptId) return { status: 'SUCCESS', reason: 'Rolled back to your previous ExternalId; SendFleet keeps using it until the new one validates.', physicalResourceId: keptId, outcome: 'rotation_rollback', tenantId };
    return failed('not_accepted', NOT_ACCEPTED_REASON, tenantId);
  }

  const now = dateOf(deps.clock);
  if (config.role_arn !== properties.RoleArn || config.region !== properties.Region) {
    await deps.configs.saveRole(tenantId, properties.RoleArn, properties.Region, now);
    deps.sessions.forgetTenant(tenantId);
  }
  try {
    const result = await validateByoc({ configs: deps.configs, accounts: deps.accounts, relayAccountId: deps.relayAccountId, clock: deps.clock, propagationWindowMs: deps.propagationWindowMs }, tenantId);
    if (result.failure) return failed('validation_failed', result.failure.detail, tenantId);
  } catch (error) {
    if (error instanceof RefusedError) return failed('validation_failed', error.refusal.detail, tenantId);
    throw error;
  }
  return {
    status: 'SUCCESS',
    reason: 'SendFleet validated your role: your SendFleet config is validated.',
    physicalResourceId: keptId ?? `sendfleet-registration-${stack.accountId}-${stack.region}`,
    outcome: 'registered',
    tenantId,
  };
}

async function deregister(deps: RegistrationDeps, { request, properties }: Answerable): Promise<RegistrationAnswer> {
  const physicalResourceId = request.PhysicalResourceId ?? `${FAILED_RESOURCE_PREFIX}${request.RequestId}`;
  const ignored: RegistrationAnswer = { status: 'SUCCESS', reason: 'Nothing registered with SendFleet to remove.', physicalResourceId, outcome: 'delete_ignored' };
  if (!properties || physicalResourceId.startsWith(FAILED_RESOURCE_PREFIX) || !new RegExp(EXTERNAL_ID_PATTERN).test(properties.ExternalId)) return ignored;
  const config = await deps.configs.findByExternalId(properties.ExternalId);
  if (!config) return ignored;
  // Only the stack whose role the config holds disconnects it (an old stack in another account does not).
  if (!(await deps.configs.markDisconnected(config.tenant_id, properties.RoleArn, dateOf(deps.clock)))) return { ...ignored, tenantId: config.tenant_id };
  deps.sessions.forgetTenant(config.tenant_id);
  return { status: 'SUCCESS', reason: 'SendFleet no longer uses this role: your SendFleet config is disconnected until you launch the stack again.', physicalResourceId, outcome: 'disconnected', tenantId: config.tenant_id };
}
