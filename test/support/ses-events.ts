/**
 * SES events as EventBridge delivers them, built after AWS's own examples ("Examples of event data
 * that Amazon SES publishes", and the EventBridge envelope): every field SES sends, addresses,
 * headers, subject, diagnostic codes and SMTP responses included, so the privacy canaries have
 * something to find if the relay ever kept it.
 */
import { randomUUID } from 'node:crypto';
import { SENDFLEET_CONFIGURATION_SET, SES_DETAIL_TYPES, type SesEventEnvelope, type SesEventType } from '../../lambdas/shared/ses-events';

export interface EnvelopeOptions {
  account: string;
  messageId: string;
  region?: string;
  /** Default: the fixed SendFleet set. */
  configurationSet?: string | null;
  eventId?: string;
  /** When the event happened (default: `sentAt` + 1 s). */
  at?: string;
  sentAt?: string;
  from?: string;
  to?: string[];
  subject?: string;
  bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  bounceSubType?: string;
  feedbackType?: string;
  delayType?: string;
}

export function sesEnvelope(eventType: SesEventType, o: EnvelopeOptions): SesEventEnvelope {
  const sentAt = o.sentAt ?? '2026-12-04T10:00:00.000Z';
  const at = o.at ?? new Date(Date.parse(sentAt) + 1_000).toISOString();
  const from = o.from ?? 'Sender Name <sender@example.com>';
  const to = o.to ?? ['recipient@example.com'];
  const subject = o.subject ?? 'Message sent from Amazon SES';
  const set = o.configurationSet === undefined ? SENDFLEET_CONFIGURATION_SET : o.configurationSet;
  const mail = {
    timestamp: sentAt,
    source: from,
    sourceArn: `arn:aws:ses:${o.region ?? 'eu-west-1'}:${o.account}:identity/example.com`,
    sendingAccountId: o.account,
    messageId: o.messageId,
    destination: to,
    headersTruncated: false,
    headers: [{ name: 'From', value: from }, { name: 'To', value: to.join(', ') }, { name: 'Subject', value: subject }, { name: 'MIME-Version', value: '1.0' }],
    commonHeaders: { from: [from], to, messageId: o.messageId, subject },
    tags: {
      'ses:operation': ['SendEmail'],
      ...(set === null ? {} : { 'ses:configuration-set': [set] }),
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': ['example.com'],
      'ses:caller-identity': ['SendFleet-BYOC-Role'],
    },
  };
  const detail: Record<string, unknown> = { eventType, mail };
  switch (eventType) {
    case 'Send': detail.send = {}; break;
    case 'Delivery': detail.delivery = { timestamp: at, processingTimeMillis: 546, recipients: to, smtpResponse: `250 2.6.0 Message received for ${to[0]}`, reportingMTA: 'a8-70.smtp-out.amazonses.com' }; break;
    case 'Bounce': detail.bounce = {
      bounceType: o.bounceType ?? 'Permanent', bounceSubType: o.bounceSubType ?? 'General',
      bouncedRecipients: to.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 user unknown ${emailAddress}` })),
      timestamp: at, feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000', reportingMTA: 'dsn; mta.example.com',
    }; break;
    case 'Complaint': detail.complaint = {
      complainedRecipients: to.map((emailAddress) => ({ emailAddress })), timestamp: at, feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      userAgent: 'Mozilla/5.0', complaintFeedbackType: o.feedbackType ?? 'abuse', arrivalDate: at,
    }; break;
    case 'Reject': detail.reject = { reason: `Bad content: ${subject}` }; break;
    case 'DeliveryDelay': detail.deliveryDelay = {
      timestamp: at, delayType: o.delayType ?? 'TransientCommunicationFailure', expirationTime: at,
      delayedRecipients: to.map((emailAddress) => ({ emailAddress, status: '4.4.1', diagnosticCode: `smtp; 421 4.4.1 Unable to connect for ${emailAddress}` })),
    }; break;
    case 'Rendering Failure': detail.failure = { errorMessage: `Attribute '${subject}' is not present in the rendering data.`, templateName: 'MyTemplate' }; break;
  }
  return {
    version: '0', id: o.eventId ?? randomUUID(), 'detail-type': SES_DETAIL_TYPES[eventType], source: 'aws.ses',
    account: o.account, time: at, region: o.region ?? 'eu-west-1', resources: [`arn:aws:ses:${o.region ?? 'eu-west-1'}:${o.account}:configuration-set/${set ?? 'none'}`],
    detail: detail as unknown as SesEventEnvelope['detail'],
  };
}
