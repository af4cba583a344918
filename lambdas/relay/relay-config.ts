/**
 * The relay functions' settings, parsed once from the environment at cold start (a missing value
 * is a deployment bug, reported then). Local mode and the test bed build the same object directly.
 */
import { optionalEnv, optionalNumberEnv, requireEnv } from '../shared/env';

export interface RelayConfig {
  relayTable: string;
  relayAccountId: string;
  /** Named in the trust policy the config returns (onboarding only). */
  platformAccountId?: string;
  /** API key → tenant cache (default 5 s; 0 turns it off). */
  authCacheTtlMs?: number;
  /** BYOC config + domains cache of the send function (default 5 s; 0 turns it off). */
  sendContextTtlMs?: number;
  /** Identity and account requests per second per customer account and region (default 1, as SES allows). */
  controlPlaneRate?: number;
  /** How long validate retries IAM refusals (default 12 s). */
  propagationWindowMs?: number;
  /** The stack registration's own (longer) window; default register-stack.ts REGISTRATION_PROPAGATION_WINDOW_MS. */
  registrationPropagationWindowMs?: number;
  /** The SNS topic the customer template's registration resource publishes to (ServiceToken). */
  registrationTopicArn?: string;
  /** Where CloudFormation reads the customer template (the hosted S3 object; locally the simulator's S3). */
  customerTemplateUrl?: string;
  /** Regions with a registration topic; launch_stack_url is null for a tenant in any other (unset: every region). */
  registrationRegions?: string[];
  /** The console's quick-create page; `<region>` is replaced by the tenant's region (default: AWS's console). */
  quickCreateBaseUrl?: string;
  /**
   * Local mode and tests only: registration answers go to ResponseURLs starting with this (the
   * simulator's loopback URL) instead of CloudFormation's own S3 hosts. Never set in AWS.
   */
  registrationResponseUrlPrefix?: string;
  /** The account health check's queue (SQS URL): the manual check and failing sends put their requests there. */
  healthQueueUrl?: string;
  /** Local mode and tests only: webhook URLs may also be `http://127.0.0.1:<port>` (webhooks/url-guard.ts). Never set in AWS. */
  webhookLoopbackHttp?: boolean;
  /** The relay's delivery-events bus: the customer template forwards the configuration set's SES events there. */
  deliveryEventsBusArn?: string;
  /** The platform account's customer-keys function the keys function invokes (its ARN, from configuration). */
  customerKeysFunctionArn?: string;
}

export function relayConfigFromEnv(): RelayConfig {
  return {
    relayTable: requireEnv('RELAY_TABLE'),
    relayAccountId: requireEnv('RELAY_ACCOUNT_ID'),
    platformAccountId: optionalEnv('PLATFORM_ACCOUNT_ID'),
    authCacheTtlMs: optionalNumberEnv('AUTH_CACHE_TTL_MS'),
    sendContextTtlMs: optionalNumberEnv('SEND_CONTEXT_TTL_MS'),
    controlPlaneRate: optionalNumberEnv('SES_CONTROL_PLANE_RATE'),
    propagationWindowMs: optionalNumberEnv('IAM_PROPAGATION_WINDOW_MS'),
    registrationPropagationWindowMs: optionalNumberEnv('REGISTRATION_PROPAGATION_WINDOW_MS'),
    registrationTopicArn: optionalEnv('REGISTRATION_TOPIC_ARN'),
    customerTemplateUrl: optionalEnv('CUSTOMER_TEMPLATE_URL'),
    registrationRegions: optionalEnv('REGISTRATION_REGIONS')?.split(','),
    healthQueueUrl: optionalEnv('HEALTH_QUEUE_URL'),
    deliveryEventsBusArn: optionalEnv('DELIVERY_EVENTS_BUS_ARN'),
    customerKeysFunctionArn: optionalEnv('CUSTOMER_KEYS_FUNCTION_ARN'),
  };
}
