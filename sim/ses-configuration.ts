/**
 * What a customer account holds for event publishing, per region: SES configuration sets (with
 * their EventBridge destinations and suppression options), the account-level suppression list,
 * and the rules on the account's default EventBridge bus. The simulated CloudFormation creates
 * them; the send path and the event publisher read them.
 */

export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';

/** MatchingEventTypes as CloudFormation and SESv2 spell them. */
export const MATCHING_EVENT_TYPES = ['send', 'reject', 'bounce', 'complaint', 'delivery', 'open', 'click', 'renderingFailure', 'deliveryDelay', 'subscription'] as const;

export interface EventDestination {
  name: string;
  enabled: boolean;
  matchingEventTypes: string[];
  /** EventBridge only (the simulator models no other destination): always the account's default bus */
  eventBusArn: string;
}

export interface ConfigurationSet {
  name: string;
  /** SuppressionOptions.SuppressedReasons: a hard bounce or complaint of a send through this set adds the address to the account's list */
  suppressedReasons: SuppressionReason[];
  /** false: sends naming this set are refused with ConfigurationSetSendingPausedException */
  sendingEnabled: boolean;
  destinations: Map<string, EventDestination>;
}

export interface SuppressedDestination {
  email_address: string;
  reason: SuppressionReason;
  last_update_time: string;
}

/** An EventBridge event pattern as far as the simulator matches it: nested objects ending in arrays of strings. */
export interface EventPattern {
  [field: string]: string[] | EventPattern;
}

export interface RuleTarget {
  id: string;
  /** an event bus ARN: the only kind of target the simulator forwards to */
  arn: string;
  roleArn?: string;
}

export interface EventRule {
  name: string;
  arn: string;
  state: 'ENABLED' | 'DISABLED';
  pattern: EventPattern;
  targets: RuleTarget[];
}

/** One region's event-publishing resources of an account. */
export interface RegionEventResources {
  configurationSets: Map<string, ConfigurationSet>;
  /** lower-cased address → entry */
  suppressionList: Map<string, SuppressedDestination>;
  /** rules on the default bus, by name */
  rules: Map<string, EventRule>;
}

export const emptyRegionEventResources = (): RegionEventResources => ({ configurationSets: new Map(), suppressionList: new Map(), rules: new Map() });

export const defaultBusArn = (region: string, accountId: string): string => `arn:aws:events:${region}:${accountId}:event-bus/default`;

export const EVENT_BUS_ARN = /^arn:aws[a-z0-9-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/([\w.\-/]+)$/;
