/**
 * SES event publishing as a customer account sees it: a send accepted through a configuration set
 * with an enabled EventBridge destination puts SES's events on the account's default bus (source
 * `aws.ses`, the detail-types and detail shapes of AWS's EventBridge examples), a few virtual seconds
 * after the send, with outcomes as SES's mailbox simulator gives them. Each enabled rule on that bus
 * whose pattern matches forwards the event to its event-bus target, after assuming the target's role
 * as EventBridge does; what fails is recorded, as EventBridge's FailedInvocations metric would count it.
 * All waiting happens on the simulator's clock, as tracked work, so a virtual clock's `settled()` and
 * auto-advance cover it; nothing here delays the send's own answer.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../lambdas/shared/clock';
import {
  SES_DETAIL_TYPES,
  SES_EVENT_SOURCE,
  type SesEventDetail,
  type SesEventEnvelope,
  type SesEventType,
  type SesMailObject,
} from '../lambdas/shared/ses-events';
import { trackedOn } from '../local/virtual-clock';
import * as ids from './ids';
import { domainOf } from './mime';
import { permissionsPolicyAllows, trustPolicyAllowsService } from './policy';
import { EVENT_BUS_ARN, type ConfigurationSet, type EventPattern, type EventRule, type SuppressionReason } from './ses-configuration';
import type { Account, Forwarding, SimState } from './state';

/** Where forwarded events go: the local wiring routes the relay's delivery-events bus to its handler. */
export interface EventBridgeOptions {
  deliver?: (targetArn: string, envelope: SesEventEnvelope) => Promise<void>;
}

export const MAILBOX_SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** How long after the send each event goes out, in virtual ms. */
export const EVENT_DELAYS_MS = { send: 0, outcome: 2_000, complaint: 4_000 } as const;

/** A send SES accepted, as the publisher needs it. */
export interface AcceptedSend {
  account: Account;
  region: string;
  messageId: string;
  sentAt: number;
  action: 'SendEmail' | 'SendRawEmail';
  /** the Source as given (display name and all), which SES shows as `mail.source` */
  source: string;
  sourceAddress: string;
  /** the envelope recipients, bare addresses */
  destination: string[];
  to: string[];
  subject: string;
  /** the role the sending session belongs to: SES's `ses:caller-identity` */
  callerIdentity: string;
  configurationSet?: ConfigurationSet;
  tags: Array<{ name: string; value: string }>;
}

type Outcome = 'delivery' | 'bounce' | 'complaint' | 'suppressed';

/**
 * An address on the account's suppression list is suppressed, whatever it is (a bounce@ address that
 * bounced through a set suppressing bounces is on the list from then on); otherwise the mailbox
 * simulator's outcome, and every other address is delivered.
 */
function outcomeOf(address: string, suppressed: boolean): Outcome {
  if (suppressed) return 'suppressed';
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  if (domain === MAILBOX_SIMULATOR_DOMAIN) {
    // SES's mailbox simulator addresses may carry a +label
    const base = local.split('+')[0];
    if (base === 'bounce') return 'bounce';
    if (base === 'complaint') return 'complaint';
    if (base === 'suppressionlist') return 'suppressed';
    return 'delivery'; // success@, ooto@ (an out-of-office reply follows a delivery), anything else
  }
  return 'delivery';
}

/** The destination's MatchingEventTypes name of each SES event type. */
const MATCHING_NAME: Record<SesEventType, string> = {
  Send: 'send',
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  DeliveryDelay: 'deliveryDelay',
  'Rendering Failure': 'renderingFailure',
};

const SUPPRESSION_LIST_DIAGNOSTIC =
  'Amazon SES did not send the message to this address because it is on the suppression list for your account. For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html';

/** SES's feedback ids are shaped like its message ids. */
const feedbackId = (at: number) => ids.messageId(at);
/** EventBridge writes `time` to the second. */
const eventTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Does `value` (a field of the event) match a pattern's array of strings (any element, for an array field)? */
function valueMatches(allowed: string[], value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => valueMatches(allowed, item));
  return typeof value === 'string' && allowed.includes(value);
}

/** EventBridge matching for the patterns the simulator accepts: every field named must match. */
export function patternMatches(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) =>
    Array.isArray(expected) ? valueMatches(expected, fields[field]) : patternMatches(expected, fields[field]),
  );
}

/** Why the simulator cannot match `pattern` (it knows nested objects ending in arrays of strings), or undefined. */
export function unsupportedPattern(pattern: unknown, path = ''): string | undefined {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return `${path || 'the pattern'} must be an object`;
  for (const [field, value] of Object.entries(pattern as Record<string, unknown>)) {
    const where = path ? `${path}.${field}` : field;
    if (Array.isArray(value)) {
      if (value.length === 0 || !value.every((item) => typeof item === 'string')) return `${where}: the simulator matches arrays of strings only (no prefix, numeric, exists or anything-but)`;
    } else {
      const nested = unsupportedPattern(value, where);
      if (nested) return nested;
    }
  }
  return undefined;
}

export class EventPublisher {
  private stop = new AbortController();

  constructor(
    private readonly state: SimState,
    private readonly clock: Clock,
    private readonly options: EventBridgeOptions = {},
  ) {}

  /** Schedules the events of an accepted send; returns at once. */
  accepted(send: AcceptedSend): void {
    // without a set, SES publishes nothing and adds nothing to the list: no timers to move the clock for
    if (!send.configurationSet) return;
    const resources = this.state.eventResources(send.account, send.region);
    const outcomes = send.destination.map((address) => ({ address, outcome: outcomeOf(address, resources.suppressionList.has(address.toLowerCase())) }));
    const recipients = (outcome: Outcome) => outcomes.filter((entry) => entry.outcome === outcome).map((entry) => entry.address);
    const delivered = [...recipients('delivery'), ...recipients('complaint')];
    const bounced = recipients('bounce');
    const suppressed = recipients('suppressed');
    const complained = recipients('complaint');

    this.later(EVENT_DELAYS_MS.send, () => this.publish(send, 'Send', { send: {} }));
    this.later(EVENT_DELAYS_MS.outcome, () => {
      const at = this.clock.now();
      if (delivered.length > 0) {
        this.publish(send, 'Delivery', {
          delivery: {
            timestamp: new Date(at).toISOString(),
            processingTimeMillis: at - send.sentAt,
            recipients: delivered,
            smtpResponse: '250 2.6.0 Message received',
            reportingMTA: `a8-70.smtp-out.${send.region}.amazonses.com`,
          },
        });
      }
      if (bounced.length > 0) {
        this.publish(send, 'Bounce', {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: bounced.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' })),
            timestamp: new Date(at).toISOString(),
            feedbackId: feedbackId(at),
            reportingMTA: 'dns; amazonses.com',
          },
        });
        this.suppressAfter(send, bounced, 'BOUNCE');
      }
      if (suppressed.length > 0) {
        this.publish(send, 'Bounce', {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'OnAccountSuppressionList',
            bouncedRecipients: suppressed.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1', diagnosticCode: SUPPRESSION_LIST_DIAGNOSTIC })),
            timestamp: new Date(at).toISOString(),
            feedbackId: feedbackId(at),
            reportingMTA: 'dns; amazonses.com',
          },
        });
      }
    });
    if (complained.length > 0) {
      this.later(EVENT_DELAYS_MS.complaint, () => {
        const at = this.clock.now();
        this.publish(send, 'Complaint', {
          complaint: {
            complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
            timestamp: new Date(at).toISOString(),
            feedbackId: feedbackId(at),
            complaintSubType: null,
            complaintFeedbackType: 'abuse',
            userAgent: 'Amazon SES Mailbox Simulator',
            arrivalDate: new Date(at).toISOString(),
          },
        });
        this.suppressAfter(send, complained, 'COMPLAINT');
      });
    }
  }

  /** Forgets scheduled events (a reset or close): they are never published. */
  reset(): void {
    this.stop.abort();
    this.stop = new AbortController();
  }

  /** Runs `step` after `ms` on the simulator's clock, as tracked work; cancelled by reset(). */
  private later(ms: number, step: () => void): void {
    const signal = this.stop.signal;
    void trackedOn(this.clock, async () => {
      await this.clock.sleep(ms, signal);
      if (!signal.aborted) step();
    }).catch((error: unknown) => console.error('simulator: publishing an SES event failed', error));
  }

  /** A hard bounce or complaint adds the address when the send's configuration set suppresses for that reason. */
  private suppressAfter(send: AcceptedSend, addresses: string[], reason: SuppressionReason): void {
    if (!send.configurationSet?.suppressedReasons.includes(reason)) return;
    for (const address of addresses) this.state.suppress(send.account, send.region, address, reason);
  }

  private mailObject(send: AcceptedSend): SesMailObject {
    const tags: Record<string, string[]> = {
      'ses:operation': [send.action],
      'ses:configuration-set': [send.configurationSet?.name ?? ''],
      'ses:source-ip': ['192.0.2.1'],
      'ses:from-domain': [domainOf(send.sourceAddress)],
      'ses:caller-identity': [send.callerIdentity],
    };
    for (const tag of send.tags) tags[tag.name] = [tag.value];
    return {
      timestamp: new Date(send.sentAt).toISOString(),
      messageId: send.messageId,
      source: send.source,
      sendingAccountId: send.account.id,
      destination: [...send.destination],
      headersTruncated: false,
      headers: [
        { name: 'From', value: send.source },
        { name: 'To', value: send.to.join(', ') },
        { name: 'Subject', value: send.subject },
      ],
      commonHeaders: { from: [send.source], to: [...send.to], messageId: send.messageId, subject: send.subject },
      tags,
    };
  }

  /** Puts one event on the default bus if the set has an enabled destination for its type, then runs the bus's rules. */
  private publish(send: AcceptedSend, eventType: SesEventType, body: Omit<SesEventDetail, 'eventType' | 'mail'>): void {
    const set = send.configurationSet;
    if (!set) return;
    // the set may have changed since the send (a stack update): SES publishes to what is there now
    const current = this.state.eventResources(send.account, send.region).configurationSets.get(set.name);
    const destinations = current === undefined ? [] : [...current.destinations.values()];
    if (!destinations.some((destination) => destination.enabled && destination.matchingEventTypes.includes(MATCHING_NAME[eventType]))) return;
    const envelope: SesEventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': SES_DETAIL_TYPES[eventType],
      source: SES_EVENT_SOURCE,
      account: send.account.id,
      time: eventTime(this.clock.now()),
      region: send.region,
      resources: [`arn:aws:ses:${send.region}:${send.account.id}:configuration-set/${set.name}`],
      detail: { eventType, mail: this.mailObject(send), ...body },
    };
    this.state.publishedEvents.push({ account_id: send.account.id, region: send.region, envelope });
    for (const rule of this.state.eventResources(send.account, send.region).rules.values()) {
      if (rule.state !== 'ENABLED' || !patternMatches(rule.pattern, envelope)) continue;
      for (const target of rule.targets) this.forward(send.account, send.region, rule, target, envelope);
    }
  }

  /**
   * EventBridge assumes the target's role (trusted by events.amazonaws.com, allowed events:PutEvents
   * on the target bus) and puts the event there, keeping its id and account.
   */
  private forward(account: Account, region: string, rule: EventRule, target: EventRule['targets'][number], envelope: SesEventEnvelope): void {
    const record = (outcome: Forwarding['outcome'], reason?: string): Forwarding => {
      const forwarding: Forwarding = {
        event_id: envelope.id, account_id: account.id, region, rule: rule.name, target_id: target.id, target_arn: target.arn,
        outcome, ...(reason === undefined ? {} : { reason }), at: new Date(this.clock.now()).toISOString(),
      };
      this.state.forwardings.push(forwarding);
      return forwarding;
    };
    const refusal = this.roleRefusal(account, target);
    if (refusal) {
      record('failed', refusal);
      return;
    }
    const deliver = this.options.deliver;
    if (!deliver) {
      record('undelivered', 'no eventBridge.deliver configured for this simulator');
      return;
    }
    const forwarding = record('delivered');
    const copy = structuredClone(envelope);
    void trackedOn(this.clock, () => deliver(target.arn, copy)).catch((error: unknown) => {
      Object.assign(forwarding, { outcome: 'failed', reason: `the target's receiver failed: ${error instanceof Error ? error.message : String(error)}` });
    });
  }

  /** Why EventBridge could not put the event on the target bus with the target's role, or undefined. */
  private roleRefusal(account: Account, target: EventRule['targets'][number]): string | undefined {
    if (!EVENT_BUS_ARN.test(target.arn)) return `target ${target.arn} is not an event bus`;
    if (target.roleArn === undefined) return 'the target has no RoleArn (the simulator forwards to event buses through a role only)';
    const roleMatch = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@-]+)$/.exec(target.roleArn);
    const role = roleMatch && roleMatch[1] === account.id ? this.state.effectiveRole(account, roleMatch[2]!) : undefined;
    if (!role) return `role ${target.roleArn} does not exist`;
    if (!trustPolicyAllowsService(role.trustPolicy, 'events.amazonaws.com')) return `role ${target.roleArn} does not trust events.amazonaws.com`;
    if (!permissionsPolicyAllows(role.permissionsPolicy, { action: 'events:PutEvents', resource: target.arn })) {
      return `role ${target.roleArn} is not allowed events:PutEvents on ${target.arn}`;
    }
    return undefined;
  }
}
