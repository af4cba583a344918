/**
 * The one CloudFormation template a customer deploys in their own account (quick-create link or
 * by hand): `SendFleet-BYOC-Role` trusting only the relay account under the tenant's ExternalId,
 * with exactly the 11 SES actions, and the `Custom::SendFleetRegistration` resource that tells the
 * relay the role exists (an SNS-backed custom resource: nothing runs in the customer's account).
 * With the relay's delivery-events bus it also creates the `SendFleet-BYOC-Events` configuration set
 * (bounces and complaints go to SES's account-level suppression list), its EventBridge destination
 * (SES publishes to the default bus only) and a rule forwarding that set's events to the relay's bus;
 * the registration then tells the relay the set's name. No SES permission is added to the role.
 *
 * `PreviousExternalId` is set only during a rotation: the trust policy then accepts both, so sends
 * keep working with the old one until the relay has validated the new one.
 * Only `Ref`, `Fn::GetAtt`, `Fn::If`, `Fn::Equals`, `Fn::Not`, `Fn::Sub` and the pseudo parameters
 * `AWS::Region` / `AWS::AccountId` are used: what the simulator evaluates, too.
 *
 * CloudFormation requires a custom resource's ServiceToken in the stack's own region, and the
 * stack is launched in the tenant's SES region: the token is the registration topic's name in
 * `${AWS::Region}` (the relay must have a topic of that name in each region it offers).
 */
import { SENDFLEET_CONFIGURATION_SET, SENDFLEET_EVENT_DESTINATION, SES_DETAIL_TYPES, SES_EVENT_SOURCE, SES_MATCHING_EVENT_TYPES } from '../../shared/ses-events';
import { BYOC_ROLE_NAME, permissionsPolicy, trustPolicyAccepting } from './policies';

/** The stack name the quick-create link fills in. */
export const CUSTOMER_STACK_NAME = 'SendFleet-BYOC';
export const REGISTRATION_RESOURCE_TYPE = 'Custom::SendFleetRegistration';
/** The ExternalId format (shared/crypto.ts newExternalId: 48 lowercase hex characters). */
export const EXTERNAL_ID_PATTERN = '^[0-9a-f]{48}$';
/** How long CloudFormation waits for the registration's answer (the custom resource's ServiceTimeout). */
export const REGISTRATION_SERVICE_TIMEOUT_SECONDS = 300;
/** The registration token format (shared/crypto.ts newRegistrationToken: 32 bytes, base64url). */
export const REGISTRATION_TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';

/**
 * The role EventBridge assumes in the customer's account to forward SES events to the relay's bus.
 * A fixed name (one stack per account, like the BYOC role) so the relay's bus policy can admit
 * exactly this role in any account (`aws:PrincipalArn` arn:aws:iam::*:role/<this name>).
 */
export const EVENT_FORWARDING_ROLE_NAME = 'SendFleet-BYOC-EventForwarding';

export interface CustomerTemplateOptions {
  relayAccountId: string;
  /** The relay's registration topic; without it (a relay that has none) the template has no registration resource. */
  registrationTopicArn?: string;
  /**
   * The relay's delivery-events bus (`arn:aws:events:<region>:<relay account>:event-bus/sendfleet-<stage>-delivery-events`):
   * with it the template also creates the configuration set, its EventBridge destination and the
   * rule (with its role) that forwards the set's events to this bus.
   */
  deliveryEventsBusArn?: string;
}

/** The configuration set (suppression by SES), its EventBridge destination, and the forwarding rule with its role. */
export function deliveryEventResources(busArn: string): Record<string, unknown> {
  return {
    SendFleetEventsConfigurationSet: {
      Type: 'AWS::SES::ConfigurationSet',
      Properties: { Name: SENDFLEET_CONFIGURATION_SET, SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] } },
    },
    SendFleetEventsDestination: {
      Type: 'AWS::SES::ConfigurationSetEventDestination',
      Properties: {
        ConfigurationSetName: { Ref: 'SendFleetEventsConfigurationSet' },
        EventDestination: {
          Name: SENDFLEET_EVENT_DESTINATION,
          Enabled: true,
          MatchingEventTypes: [...SES_MATCHING_EVENT_TYPES],
          // SES publishes only to the account's default bus.
          EventBridgeDestination: { EventBusArn: { 'Fn::Sub': 'arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' } },
        },
      },
    },
    SendFleetEventsForwardingRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: EVENT_FORWARDING_ROLE_NAME,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{
          PolicyName: 'SendFleetForwardDeliveryEvents',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }] },
        }],
      },
    },
    SendFleetEventsRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: 'Forwards the SES events of the SendFleet configuration set to the SendFleet relay',
        EventBusName: 'default',
        State: 'ENABLED',
        EventPattern: {
          source: [SES_EVENT_SOURCE],
          'detail-type': Object.values(SES_DETAIL_TYPES),
          detail: { mail: { tags: { 'ses:configuration-set': [SENDFLEET_CONFIGURATION_SET] } } },
        },
        Targets: [{ Id: 'SendFleetRelay', Arn: busArn, RoleArn: { 'Fn::GetAtt': ['SendFleetEventsForwardingRole', 'Arn'] } }],
      },
    },
  };
}

/** `arn:aws:sns:<region>:<account>:<name>` → the same topic name and account in the stack's region. */
function serviceTokenInStackRegion(topicArn: string): { 'Fn::Sub': string } {
  const [, , , , account, name] = topicArn.split(':');
  if (!account || !name) throw new Error(`registrationTopicArn is not an SNS topic ARN: ${topicArn}`);
  return { 'Fn::Sub': `arn:aws:sns:\${AWS::Region}:${account}:${name}` };
}

export function customerStackTemplate({ relayAccountId, registrationTopicArn, deliveryEventsBusArn }: CustomerTemplateOptions): Record<string, unknown> {
  const externalIds = { 'Fn::If': ['HasPreviousExternalId', [{ Ref: 'ExternalId' }, { Ref: 'PreviousExternalId' }], { Ref: 'ExternalId' }] };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'SendFleet BYOC: lets the SendFleet relay send through this account\'s Amazon SES, and registers the role with SendFleet',
    Parameters: {
      ExternalId: {
        Type: 'String',
        Description: 'Your SendFleet ExternalId (external_id in GET /api/byoc/config)',
        AllowedPattern: EXTERNAL_ID_PATTERN,
        ConstraintDescription: 'the 48 lowercase hex characters of external_id from your SendFleet dashboard (Settings)',
      },
      PreviousExternalId: {
        Type: 'String',
        Default: '',
        Description: 'During an ExternalId rotation only: the ExternalId being replaced (previous_external_id); empty otherwise',
        AllowedPattern: '^([0-9a-f]{48})?$',
        ConstraintDescription: 'empty, or the 48 lowercase hex characters of previous_external_id',
      },
      ...(registrationTopicArn ? {
        RegistrationToken: {
          Type: 'String',
          NoEcho: true,
          Description: 'Your SendFleet registration token: filled in by the Launch stack link (it proves to SendFleet that this stack is yours)',
          AllowedPattern: REGISTRATION_TOKEN_PATTERN,
          ConstraintDescription: 'the registration token the SendFleet Launch stack link fills in (43 characters)',
        },
      } : {}),
    },
    Conditions: {
      HasPreviousExternalId: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PreviousExternalId' }, ''] }] },
    },
    Resources: {
      SendFleetByocRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: BYOC_ROLE_NAME,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicyAccepting(relayAccountId, externalIds),
          Policies: [{ PolicyName: 'SendFleetByocSes', PolicyDocument: permissionsPolicy() }],
        },
      },
      ...(registrationTopicArn ? {
        SendFleetRegistration: {
          Type: REGISTRATION_RESOURCE_TYPE,
          Properties: {
            ServiceToken: serviceTokenInStackRegion(registrationTopicArn),
            // Seconds (1–3600, default 3600): a lost answer fails the stack in 5 minutes, not an hour.
            // The registration answers within its function's 90 s timeout (and Lambda's async retries).
            ServiceTimeout: REGISTRATION_SERVICE_TIMEOUT_SECONDS,
            ExternalId: { Ref: 'ExternalId' },
            RoleArn: { 'Fn::GetAtt': ['SendFleetByocRole', 'Arn'] },
            Region: { Ref: 'AWS::Region' },
            AccountId: { Ref: 'AWS::AccountId' },
            RegistrationToken: { Ref: 'RegistrationToken' },
            ...(deliveryEventsBusArn ? { ConfigurationSetName: { Ref: 'SendFleetEventsConfigurationSet' } } : {}),
          },
        },
      } : {}),
      ...(deliveryEventsBusArn ? deliveryEventResources(deliveryEventsBusArn) : {}),
    },
    Outputs: { RoleArn: { Description: 'The role to give SendFleet (done for you by the registration)', Value: { 'Fn::GetAtt': ['SendFleetByocRole', 'Arn'] } } },
  };
}
