/**
 * The stack registration use case: what the SendFleet-BYOC stack's custom resource asks, and the
 * answer CloudFormation shows the customer. Nothing here knows SNS or HTTP.
 *
 * The proof is the tenant's registration token, not the ExternalId (which is in the customer's trust
 * policy, CloudTrail and the link: not a secret): every request must carry the token that goes with
 * its ExternalId (compared as SHA-256 digests in constant time), else it is refused in the same
 * words as an unknown ExternalId. The topic is public: everything else in a request is what its
 * sender wrote.
 *
 * - Create/Update: the tenant is found by the ExternalId (its hash index), the role must be in the
 *   stack's own account and region, and the same validation as POST /api/byoc/validate runs on the
 *   candidate role and region (it waits out IAM propagation, with a longer window than the API's:
 *   the role was created seconds earlier). Role, region and result are saved together; a failing
 *   candidate leaves a validated config as it was. SUCCESS, or FAILED with the validation's own words.
 *   An Update that changes none of the registration's properties answers SUCCESS without
 *   validating (a failed stack update must be able to roll back; the config's own checks report health).
 *   A template with delivery events also sends `ConfigurationSetName`, which must be the fixed
 *   `SendFleet-BYOC-Events`: a registration that passes saves it on the config (sends then name it)
 *   with the account → tenant mapping the delivery-events function reads; without it, both go.
 * - Delete: the config is marked `disconnected` if it still holds this stack's role, and the
 *   account's delivery events no longer map to the tenant; always SUCCESS
 *   (a registration never blocks a stack deletion).
 * - Anything else is FAILED with a reason that never tells whether an ExternalId exists, nor which
 *   part was wrong: every check that does not need the tenant runs before the lookup, and an
 *   unknown, malformed or replaced ExternalId or a wrong token all read the same.
 */
import { dateOf, type Clock } from '../../shared/clock';
import { constantTimeEqual, sha256Hex } from '../../shared/crypto';
import { ApiError } from '../../shared/errors';
import { RefusedError } from '../../shared/refusal';
import { SENDFLEET_CONFIGURATION_SET } from '../../shared/ses-events';
import { EXTERNAL_ID_PATTERN } from '../byoc/customer-template';
import { checkRegion, parseRoleArn } from '../byoc/role-arn';
import type { CustomerAccounts } from '../customer-account/customer-account';
import type { CustomerSessions } from '../customer-account/sessions';
import { validateByoc } from '../onboarding/validate-byoc';
import type { ByocConfig, ByocConfigStore } from '../store/config-store';
import { stackArnParts, type Answerable, type RegistrationProperties } from './custom-resource';

/**
 * IAM propagation window of a registration: the role was created seconds before the request, and
 * AWS documents propagation as taking seconds to minutes. Longer than the API's (no 29 s gateway
 * limit here); the registration function's timeout exceeds it with margin (stack-registration.ts).
 */
export const REGISTRATION_PROPAGATION_WINDOW_MS = 40_000;

export interface RegistrationDeps {
  configs: Pick<ByocConfigStore, 'findByExternalId' | 'markDisconnected' | 'get' | 'saveValidation' | 'saveConfigurationSet' | 'removeEventSource'>;
  accounts: CustomerAccounts;
  /** Cached sessions of a tenant whose role changed are forgotten. */
  sessions: Pick<CustomerSessions, 'forgetTenant'>;
  relayAccountId: string;
  platformAccountId?: string;
  clock: Clock;
  /** Default `REGISTRATION_PROPAGATION_WINDOW_MS`. */
  propagationWindowMs?: number;
}

export interface RegistrationAnswer {
  status: 'SUCCESS' | 'FAILED';
  reason: string;
  physicalResourceId: string;
  /** For the log line only. */
  tenantId?: string;
  outcome: 'registered' | 'validation_failed' | 'not_accepted' | 'malformed' | 'other_account' | 'disconnected' | 'delete_ignored' | 'rotation_rollback' | 'unchanged';
}

/** A failed Create's id: its Delete (CloudFormation's rollback) then changes nothing. */
export const FAILED_RESOURCE_PREFIX = 'sendfleet-registration-failed-';

export const NOT_ACCEPTED_REASON = 'SendFleet did not accept this registration: the ExternalId or the registration token is not one SendFleet issued to you, or has been replaced since. Launch the stack from launch_stack_url in your SendFleet dashboard (Settings → Launch stack in AWS), which fills in your current ExternalId.';
const MALFORMED_REASON = 'SendFleet did not accept this registration: the request is not the one the SendFleet-BYOC template makes (ExternalId, RoleArn, Region and AccountId). Deploy the template from launch_stack_url in your SendFleet dashboard without changing its resources.';

/** Whether the request carries the token issued with its ExternalId (current, previous during a rotation, or retired). */
function carriesToken(config: ByocConfig, properties: RegistrationProperties): boolean {
  const holds = (value: string | null | undefined) => typeof value === 'string' && constantTimeEqual(value, properties.ExternalId);
  const expected = holds(config.external_id) ? config.registration_token
    : holds(config.previous_external_id) ? config.previous_registration_token
      : holds(config.retired_external_id) ? config.retired_registration_token : undefined;
  if (!expected || !properties.RegistrationToken) return false;
  return constantTimeEqual(sha256Hex(properties.RegistrationToken), sha256Hex(expected));
}

/** The registration's own properties are the same as before the update (nothing to register again). */
const unchanged = (now: RegistrationProperties, old: RegistrationProperties | undefined) => old !== undefined
  && now.ExternalId === old.ExternalId && now.RoleArn === old.RoleArn && now.Region === old.Region && now.RegistrationToken === old.RegistrationToken
  && now.ConfigurationSetName === old.ConfigurationSetName;

export async function registerStack(deps: RegistrationDeps, { request, properties, oldProperties }: Answerable): Promise<RegistrationAnswer> {
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
    if (properties.ConfigurationSetName !== undefined && properties.ConfigurationSetName !== SENDFLEET_CONFIGURATION_SET) {
      return failed('malformed', `SendFleet did not accept this registration: the ConfigurationSetName property must be the configuration set the SendFleet-BYOC template creates (${SENDFLEET_CONFIGURATION_SET}). Deploy the template from launch_stack_url without changing its resources.`);
    }
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
  if (!config || !carriesToken(config, properties)) return failed('not_accepted', NOT_ACCEPTED_REASON);
  const tenantId = config.tenant_id;
  if (config.external_id !== properties.ExternalId) {
    // The previous ExternalId of a rotation under way: an update rolling back to it restores the trust sends still use.
    if (request.RequestType === 'Update' && keptId) return { status: 'SUCCESS', reason: 'Rolled back to your previous ExternalId; SendFleet keeps using it until the new one validates.', physicalResourceId: keptId, outcome: 'rotation_rollback', tenantId };
    return failed('not_accepted', NOT_ACCEPTED_REASON, tenantId);
  }

  if (request.RequestType === 'Update' && keptId && unchanged(properties, oldProperties)) {
    return { status: 'SUCCESS', reason: 'Nothing SendFleet registers changed in this update.', physicalResourceId: keptId, outcome: 'unchanged', tenantId };
  }

  const roleChanges = config.role_arn !== properties.RoleArn || config.region !== properties.Region;
  try {
    const result = await validateByoc({
      configs: deps.configs, accounts: deps.accounts, relayAccountId: deps.relayAccountId, clock: deps.clock,
      propagationWindowMs: deps.propagationWindowMs ?? REGISTRATION_PROPAGATION_WINDOW_MS,
    }, tenantId, { roleArn: properties.RoleArn, region: properties.Region });
    if (roleChanges && result.config.role_arn === properties.RoleArn) deps.sessions.forgetTenant(tenantId);
    if (result.failure) return failed('validation_failed', result.failure.detail, tenantId);
    await deps.configs.saveConfigurationSet(tenantId, { accountId: stack.accountId, region: stack.region, configurationSet: properties.ConfigurationSetName ?? null }, dateOf(deps.clock));
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
  // A stack still carrying the ExternalId a finished rotation retired may be deleted too.
  const config = await deps.configs.findByExternalId(properties.ExternalId, { retired: true });
  if (!config || !carriesToken(config, properties)) return ignored;
  // Only the stack whose role the config holds disconnects it (an old stack in another account does not).
  if (!(await deps.configs.markDisconnected(config.tenant_id, properties.RoleArn, dateOf(deps.clock)))) return { ...ignored, tenantId: config.tenant_id };
  deps.sessions.forgetTenant(config.tenant_id);
  const stackAccount = stackArnParts(request.StackId)?.accountId;
  if (stackAccount) await deps.configs.removeEventSource(config.tenant_id, stackAccount);
  return { status: 'SUCCESS', reason: 'SendFleet no longer uses this role: your SendFleet config is disconnected until you launch the stack again.', physicalResourceId, outcome: 'disconnected', tenantId: config.tenant_id };
}
