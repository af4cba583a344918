/**
 * What Amazon SES publishes to EventBridge for a configuration set with an EventBridge event
 * destination (source `aws.ses`, on the sending account's default bus), as AWS documents it
 * ("Monitor email sending using Amazon SES event publishing" → EventBridge examples). The
 * simulator produces exactly these; the relay's delivery-events function reads exactly these.
 * Only the fields either side uses are typed; SES sends more (headers, commonHeaders, …).
 */

/** The configuration set the SendFleet-BYOC stack creates: one stack (one role) per account, so one fixed name. */
export const SENDFLEET_CONFIGURATION_SET = 'SendFleet-BYOC-Events';
/** The event destination's name inside that set. */
export const SENDFLEET_EVENT_DESTINATION = 'SendFleet-Relay';
export const SES_EVENT_SOURCE = 'aws.ses';

/** detail-type by SES eventType, for the event types the relay records (AWS's EventBridge examples). */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  'Rendering Failure': 'Email Rendering Failed',
} as const;
export type SesEventType = keyof typeof SES_DETAIL_TYPES;
/** MatchingEventTypes of the event destination (CloudFormation / SESv2 spelling). */
export const SES_MATCHING_EVENT_TYPES = ['send', 'reject', 'bounce', 'complaint', 'delivery', 'deliveryDelay', 'renderingFailure'] as const;

export interface SesMailObject {
  timestamp: string;
  messageId: string;
  source: string;
  sendingAccountId: string;
  destination: string[];
  /** Includes `ses:configuration-set`, `ses:source-ip`, `ses:from-domain`, `ses:caller-identity` and the message's own tags. */
  tags: Record<string, string[]>;
  headersTruncated?: boolean;
  headers?: Array<{ name: string; value: string }>;
  commonHeaders?: { from?: string[]; to?: string[]; messageId?: string; subject?: string };
}

export interface SesEventDetail {
  eventType: SesEventType;
  mail: SesMailObject;
  send?: Record<string, never>;
  delivery?: { timestamp: string; processingTimeMillis: number; recipients: string[]; smtpResponse: string; reportingMTA: string };
  bounce?: {
    bounceType: 'Undetermined' | 'Permanent' | 'Transient';
    bounceSubType: string;
    bouncedRecipients: Array<{ emailAddress: string; action?: string; status?: string; diagnosticCode?: string }>;
    timestamp: string;
    feedbackId: string;
    reportingMTA?: string;
  };
  complaint?: {
    complainedRecipients: Array<{ emailAddress: string }>;
    timestamp: string;
    feedbackId: string;
    complaintSubType?: string | null;
    complaintFeedbackType?: string;
    userAgent?: string;
    arrivalDate?: string;
  };
  reject?: { reason: string };
  deliveryDelay?: { timestamp: string; delayType: string; expirationTime: string; delayedRecipients: Array<{ emailAddress: string; status?: string; diagnosticCode?: string }> };
  failure?: { errorMessage: string; templateName: string };
}

/** The envelope EventBridge delivers to a target (here: after the customer's rule forwards it). */
export interface SesEventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: typeof SES_EVENT_SOURCE;
  /** The customer's account: EventBridge keeps the original account when a rule forwards an event cross-account. */
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: SesEventDetail;
}
