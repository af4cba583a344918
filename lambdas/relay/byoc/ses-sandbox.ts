/**
 * The SES sandbox as SendFleet reads it: the quota that marks it, and AWS's guide to leaving it.
 * No imports: the dashboard links to the guide too.
 */
export const SANDBOX_MAX_24_HOUR_SEND = 200;
/** SES reports an unlimited 24-hour quota as -1. */
export const UNLIMITED_24_HOUR_SEND = -1;
export const PRODUCTION_ACCESS_URL = 'https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html';
