/**
 * The AWS resource types simulated CloudFormation creates itself (besides IAM roles), as the
 * customer template uses them: AWS::SES::ConfigurationSet, AWS::SES::ConfigurationSetEventDestination
 * and AWS::Events::Rule on the default bus. Each create, update and delete changes the account's
 * event resources (sim/ses-configuration.ts) as the service would; a property the simulator does
 * not model fails the resource instead of being ignored. Wordings are CloudFormation's where known.
 */
import { createHmac } from 'node:crypto';
import { unsupportedPattern } from './event-publishing';
import {
  EVENT_BUS_ARN,
  MATCHING_EVENT_TYPES,
  defaultBusArn,
  type EventPattern,
  type EventRule,
  type RegionEventResources,
  type RuleTarget,
  type SuppressionReason,
} from './ses-configuration';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Properties = Record<string, Json>;

/** A resource failed: the reason is what the stack's events show. */
export class ResourceFailure extends Error {
  constructor(reason: string, readonly physicalId?: string) {
    super(reason);
  }
}

/** Where a resource lives and how CloudFormation would name it. */
export interface ResourceScope {
  accountId: string;
  region: string;
  stackName: string;
  stackId: string;
  logicalId: string;
  resources: RegionEventResources;
}

export interface Applied {
  physicalId: string;
  attributes: Record<string, string>;
}

interface NativeType {
  create(scope: ResourceScope, properties: Properties): Applied;
  /** in place when the physical id stays; a new physical id is a replacement (the old one is deleted in cleanup) */
  update(scope: ResourceScope, physicalId: string, old: Properties, properties: Properties): Applied;
  delete(scope: ResourceScope, physicalId: string, properties: Properties): void;
}

const isObject = (value: unknown): value is Properties => typeof value === 'object' && value !== null && !Array.isArray(value);

function refuseUnmodelled(type: string, properties: Properties, modelled: readonly string[]): void {
  const other = Object.keys(properties).filter((name) => !modelled.includes(name));
  if (other.length > 0) throw new ResourceFailure(`The simulator does not model ${other.join(', ')} on ${type}.`);
}

/** What CloudFormation names a resource without a name: `<stack>-<logical id>-<random>`, at most `maxLength` characters. */
export function generatedName(scope: Pick<ResourceScope, 'stackName' | 'stackId' | 'logicalId'>, maxLength: number): string {
  const suffix = createHmac('sha256', scope.stackId).update(scope.logicalId).digest('hex').slice(0, 12).toUpperCase();
  return `${scope.stackName}-${scope.logicalId}`.slice(0, maxLength - suffix.length - 1) + `-${suffix}`;
}

const alreadyExists = (type: string, name: string) => new ResourceFailure(`Resource of type '${type}' with identifier '${name}' already exists.`);

// --- AWS::SES::ConfigurationSet ------------------------------------------------------------

const SET_TYPE = 'AWS::SES::ConfigurationSet';

function suppressedReasons(properties: Properties): SuppressionReason[] {
  const options = properties.SuppressionOptions;
  if (options === undefined) return [];
  const reasons = isObject(options) ? options.SuppressedReasons ?? [] : undefined;
  if (!Array.isArray(reasons) || !reasons.every((reason) => reason === 'BOUNCE' || reason === 'COMPLAINT')) {
    throw new ResourceFailure('Properties validation failed for resource with message: #/SuppressionOptions/SuppressedReasons: each must be BOUNCE or COMPLAINT');
  }
  return [...new Set(reasons as SuppressionReason[])];
}

function sendingEnabled(properties: Properties): boolean {
  const options = properties.SendingOptions;
  return !(isObject(options) && options.SendingEnabled === false);
}

function setName(scope: ResourceScope, properties: Properties): string {
  const name = typeof properties.Name === 'string' ? properties.Name : generatedName(scope, 64);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new ResourceFailure(`Properties validation failed for resource with message: #/Name: string [${name}] does not match pattern ^[a-zA-Z0-9_-]{1,64}$`);
  return name;
}

const configurationSet: NativeType = {
  create(scope, properties) {
    refuseUnmodelled(SET_TYPE, properties, ['Name', 'SuppressionOptions', 'SendingOptions']);
    const name = setName(scope, properties);
    if (scope.resources.configurationSets.has(name)) throw alreadyExists(SET_TYPE, name);
    scope.resources.configurationSets.set(name, {
      name,
      suppressedReasons: suppressedReasons(properties),
      sendingEnabled: sendingEnabled(properties),
      destinations: new Map(),
    });
    return { physicalId: name, attributes: {} };
  },
  update(scope, physicalId, _old, properties) {
    const name = setName(scope, properties);
    // Name: "Update requires: Replacement"
    if (name !== physicalId) return configurationSet.create(scope, properties);
    refuseUnmodelled(SET_TYPE, properties, ['Name', 'SuppressionOptions', 'SendingOptions']);
    const set = scope.resources.configurationSets.get(name);
    if (!set) throw new ResourceFailure(`Configuration set <${name}> does not exist.`);
    set.suppressedReasons = suppressedReasons(properties);
    set.sendingEnabled = sendingEnabled(properties);
    return { physicalId, attributes: {} };
  },
  delete(scope, physicalId) {
    scope.resources.configurationSets.delete(physicalId);
  },
};

// --- AWS::SES::ConfigurationSetEventDestination -------------------------------------------

const DESTINATION_TYPE = 'AWS::SES::ConfigurationSetEventDestination';

interface DestinationInput {
  setName: string;
  name: string;
  enabled: boolean;
  matchingEventTypes: string[];
  eventBusArn: string;
}

function destinationInput(scope: ResourceScope, properties: Properties): DestinationInput {
  refuseUnmodelled(DESTINATION_TYPE, properties, ['ConfigurationSetName', 'EventDestination']);
  const set = properties.ConfigurationSetName;
  const destination = properties.EventDestination;
  if (typeof set !== 'string' || !isObject(destination)) {
    throw new ResourceFailure('Properties validation failed for resource with message: #: required key [ConfigurationSetName] or [EventDestination] not found');
  }
  refuseUnmodelled(`${DESTINATION_TYPE} EventDestination (EventBridge destinations only)`, destination, ['Name', 'Enabled', 'MatchingEventTypes', 'EventBridgeDestination']);
  const types = destination.MatchingEventTypes;
  if (!Array.isArray(types) || types.length === 0 || !types.every((type) => typeof type === 'string' && (MATCHING_EVENT_TYPES as readonly string[]).includes(type))) {
    throw new ResourceFailure(`Properties validation failed for resource with message: #/EventDestination/MatchingEventTypes: each must be one of ${MATCHING_EVENT_TYPES.join(', ')}`);
  }
  const bus = isObject(destination.EventBridgeDestination) ? destination.EventBridgeDestination.EventBusArn : undefined;
  if (typeof bus !== 'string' || !EVENT_BUS_ARN.test(bus)) {
    throw new ResourceFailure('Properties validation failed for resource with message: #/EventDestination/EventBridgeDestination/EventBusArn: an event bus ARN is required');
  }
  // SES: "Only the default bus is supported."
  if (bus !== defaultBusArn(scope.region, scope.accountId)) {
    throw new ResourceFailure(`Resource handler returned message: "Invalid EventBridge destination ${bus}: only the default event bus of this account and region is supported." (Service: SesV2, Status Code: 400)`);
  }
  return {
    setName: set,
    name: typeof destination.Name === 'string' ? destination.Name : generatedName(scope, 64),
    enabled: destination.Enabled === true,
    matchingEventTypes: types as string[],
    eventBusArn: bus,
  };
}

const destinationId = (input: DestinationInput) => `${input.setName}|${input.name}`;

const eventDestination: NativeType = {
  create(scope, properties) {
    const input = destinationInput(scope, properties);
    const set = scope.resources.configurationSets.get(input.setName);
    if (!set) throw new ResourceFailure(`Resource handler returned message: "Configuration set <${input.setName}> does not exist." (Service: SesV2, Status Code: 404)`);
    if (set.destinations.has(input.name)) throw alreadyExists(DESTINATION_TYPE, destinationId(input));
    set.destinations.set(input.name, { name: input.name, enabled: input.enabled, matchingEventTypes: input.matchingEventTypes, eventBusArn: input.eventBusArn });
    return { physicalId: destinationId(input), attributes: { Id: destinationId(input) } };
  },
  update(scope, physicalId, _old, properties) {
    const input = destinationInput(scope, properties);
    // ConfigurationSetName: "Update requires: Replacement" (a new destination name is a new destination too)
    if (destinationId(input) !== physicalId) return eventDestination.create(scope, properties);
    const destination = scope.resources.configurationSets.get(input.setName)?.destinations.get(input.name);
    if (!destination) throw new ResourceFailure(`Resource handler returned message: "Event destination <${input.name}> does not exist." (Service: SesV2, Status Code: 404)`);
    Object.assign(destination, { enabled: input.enabled, matchingEventTypes: input.matchingEventTypes, eventBusArn: input.eventBusArn });
    return { physicalId, attributes: { Id: physicalId } };
  },
  delete(scope, physicalId) {
    const [set = '', name = ''] = physicalId.split('|');
    // a set deleted already took its destinations with it
    scope.resources.configurationSets.get(set)?.destinations.delete(name);
  },
};

// --- AWS::Events::Rule ---------------------------------------------------------------------

const RULE_TYPE = 'AWS::Events::Rule';

interface RuleInput {
  name: string;
  state: EventRule['state'];
  pattern: EventPattern;
  targets: RuleTarget[];
}

function ruleInput(scope: ResourceScope, properties: Properties): RuleInput {
  refuseUnmodelled(RULE_TYPE, properties, ['Name', 'Description', 'EventBusName', 'State', 'EventPattern', 'Targets']);
  const bus = properties.EventBusName ?? 'default';
  if (bus !== 'default' && bus !== defaultBusArn(scope.region, scope.accountId)) {
    throw new ResourceFailure(`The simulator models rules on the default event bus only (got EventBusName ${JSON.stringify(bus)}).`);
  }
  const state = properties.State ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw new ResourceFailure(`Properties validation failed for resource with message: #/State: ${JSON.stringify(state)} is not a valid enum value`);
  let pattern: unknown = properties.EventPattern;
  if (typeof pattern === 'string') {
    try {
      pattern = JSON.parse(pattern);
    } catch {
      throw new ResourceFailure('Resource handler returned message: "Event pattern is not valid. Reason: the pattern is not valid JSON" (Service: EventBridge, Status Code: 400)');
    }
  }
  if (pattern === undefined) throw new ResourceFailure('The simulator models event-pattern rules only (no ScheduleExpression).');
  const unsupported = unsupportedPattern(pattern);
  if (unsupported) throw new ResourceFailure(`Event pattern not supported by the simulator: ${unsupported}.`);
  const targets = Array.isArray(properties.Targets) ? properties.Targets : [];
  if (targets.length > 5) throw new ResourceFailure('Resource handler returned message: "The requested resource exceeds the maximum number allowed." (a rule has at most 5 targets)');
  return {
    name: typeof properties.Name === 'string' ? properties.Name : generatedName(scope, 64),
    state,
    pattern: pattern as EventPattern,
    targets: targets.map((target) => {
      if (!isObject(target) || typeof target.Id !== 'string' || typeof target.Arn !== 'string') {
        throw new ResourceFailure('Properties validation failed for resource with message: #/Targets: each target needs Id and Arn');
      }
      refuseUnmodelled(`${RULE_TYPE} Target`, target, ['Id', 'Arn', 'RoleArn']);
      if (!EVENT_BUS_ARN.test(target.Arn)) throw new ResourceFailure(`The simulator forwards to event bus targets only (got ${target.Arn}).`);
      return { id: target.Id, arn: target.Arn, ...(typeof target.RoleArn === 'string' ? { roleArn: target.RoleArn } : {}) };
    }),
  };
}

const ruleArn = (scope: ResourceScope, name: string) => `arn:aws:events:${scope.region}:${scope.accountId}:rule/${name}`;

const eventRule: NativeType = {
  create(scope, properties) {
    const input = ruleInput(scope, properties);
    if (scope.resources.rules.has(input.name)) throw alreadyExists(RULE_TYPE, input.name);
    const arn = ruleArn(scope, input.name);
    scope.resources.rules.set(input.name, { ...input, arn });
    return { physicalId: input.name, attributes: { Arn: arn } };
  },
  update(scope, physicalId, _old, properties) {
    const input = ruleInput(scope, properties);
    // Name: "Update requires: Replacement"
    if (input.name !== physicalId) return eventRule.create(scope, properties);
    const arn = ruleArn(scope, input.name);
    scope.resources.rules.set(input.name, { ...input, arn });
    return { physicalId, attributes: { Arn: arn } };
  },
  delete(scope, physicalId) {
    scope.resources.rules.delete(physicalId);
  },
};

export const NATIVE_TYPES: Record<string, NativeType> = {
  [SET_TYPE]: configurationSet,
  [DESTINATION_TYPE]: eventDestination,
  [RULE_TYPE]: eventRule,
};

export const isNativeType = (type: string): boolean => Object.hasOwn(NATIVE_TYPES, type);
