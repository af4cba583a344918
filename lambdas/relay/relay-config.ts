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
  };
}
