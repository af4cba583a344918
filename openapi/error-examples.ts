/**
 * An example `detail` for every error code of lambdas/shared/errors.ts, for the OpenAPI document.
 * A Record over ErrorCode: a code added to the error table does not compile until it has one.
 */
import { EDGE_DETAILS, type ErrorCode } from '../lambdas/shared/errors';

export const errorExamples: Record<ErrorCode, string> = {
  invalid_request: 'The request body is invalid: from_email must be a bare address like name@example.com.',
  invalid_api_key: 'Missing API key. Send it in the X-API-Key header.',
  forbidden: 'This key may not do this.',
  tenant_suspended: 'This account is suspended. Contact SendFleet support to reactivate it.',
  byoc_not_validated: 'Your BYOC setup is not validated: run POST /api/byoc/validate.',
  byoc_disconnected: 'Your BYOC setup is disconnected: your SendFleet-BYOC stack was deleted in your AWS account. Launch the stack again from launch_stack_url in GET /api/byoc/config.',
  domain_not_registered: 'The sender\'s domain is not one of your sending domains: add it with POST /api/byoc/domains.',
  domain_not_verified: 'SES has not verified ownership of acme.com yet: publish the TXT record, then POST /api/byoc/domains/acme.com/verify.',
  dkim_not_verified: 'SES has not verified DKIM for acme.com yet: publish the three CNAME records, then verify.',
  could_not_assume_role: 'SendFleet could not assume your role. Check the trust policy\'s Principal.AWS and its sts:ExternalId condition, then run POST /api/byoc/validate.',
  not_found: 'acme.com is not one of your sending domains. GET /api/byoc/domains lists them.',
  message_not_found: 'No delivery event of yours has message id 0100018c…-000000 in the last 30 days. Give the id a send returned; events arrive seconds after the send.',
  method_not_allowed: 'PATCH is not supported on /api/byoc/config; use GET or PUT.',
  request_too_large: 'The request body is 300000 bytes; the limit is 262144 bytes. Send a smaller body.',
  conflict: 'Your BYOC config changed while validation ran, so this result was not stored. Run POST /api/byoc/validate again.',
  idempotency_in_progress: 'A request with this Idempotency-Key is still being processed. Retry in a few seconds to get its result.',
  idempotency_key_reused: 'This Idempotency-Key was used for a different request. Use a new key for a new request.',
  ses_rejected: 'Amazon SES in eu-west-1 refused the message (MessageRejected). Common causes: your SES account is in the sandbox and a recipient is not verified.',
  configuration_set_missing: 'Amazon SES in eu-west-1 refused the message because the SendFleet-BYOC-Events configuration set SendFleet sends through does not exist there. Nothing was sent. Update the SendFleet-BYOC stack in eu-west-1 from launch_stack_url, then retry.',
  sending_disabled: 'Sending is paused for your SES account in eu-west-1. Fix the cause, re-enable it, then run validate again.',
  ses_sandbox: 'Your SES account in eu-west-1 is in the SES sandbox. Request production access in the SES console, then run validate again.',
  missing_permission: 'Your SendFleet-BYOC-Role may not call ses:GetSendQuota. Replace the role\'s permissions policy with permissions_policy from GET /api/byoc/config.',
  invalid_domain: 'The domain is not a domain name. Give a registrable domain such as acme.com.',
  subdomain_not_allowed: 'mail.acme.com is a subdomain: add acme.com instead.',
  rate_limited: 'More than 60 send requests this minute for this API key. Retry after 12 s.',
  usage_limit_exceeded: 'Your plan allows 50 sends per calendar month (UTC) and they are used.',
  edge_rate_limited: EDGE_DETAILS.edge_rate_limited,
  edge_blocked: EDGE_DETAILS.edge_blocked,
  ses_throttled: 'Your SES account in eu-west-1 kept throttling SendEmail. Nothing was done; retry after the Retry-After delay.',
  internal_error: 'Unexpected error; retry later or contact support quoting request id 3f1c….',
  ses_unavailable: 'Amazon SES in eu-west-1 did not answer SendEmail successfully after retries. Nothing was done; retry in a few seconds.',
  ses_outcome_unknown: 'Amazon SES in eu-west-1 did not answer in time: the message may or may not have been sent, and SendFleet will not send it again on its own.',
  time_budget_exhausted: 'Not sent: the request\'s 20 s time budget ended before this message\'s turn. Retry the same request with the same Idempotency-Key to send only the messages not sent yet.',
  upstream_unavailable: 'AWS STS did not answer successfully while SendFleet assumed your role. Nothing was done in your account; retry in a few seconds.',
  byoc_not_configured: 'The service is misconfigured; contact support and quote request id 3f1c….',
};
