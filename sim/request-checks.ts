/**
 * What STS and SES refuse about a SigV4 request before checking the signature itself: a credential
 * scope for another service or region than the endpoint's, and a signing time more than 15 minutes
 * from the service's clock. Both answer SignatureDoesNotMatch (403) in AWS's wording.
 */
import type { Authorization } from './sigv4';
import { AwsError, type Service } from './wire';

/** How far the signing time may be from the service's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const signatureError = (message: string) => new AwsError('SignatureDoesNotMatch', message, 403);

/** The scope's service must be the endpoint's; its region a real one, and the endpoint's if it has one. */
export function scopeError(auth: Authorization, service: Service, endpointRegion: string | undefined): AwsError | undefined {
  if (auth.service !== service) return signatureError(`Credential should be scoped to correct service: '${service}'. `);
  const regionOk = REGION.test(auth.region) && (endpointRegion === undefined || auth.region === endpointRegion);
  if (!regionOk) return signatureError(`Credential should be scoped to a valid region, not '${auth.region}'. `);
  return undefined;
}

/** `20261121T193702Z` ↔ ms */
function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}
const formatAmzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** A signing time too far from `now`; an absent or unreadable date is left to the signature check. */
export function skewError(amzDate: string | string[] | undefined, now: number): AwsError | undefined {
  if (typeof amzDate !== 'string') return undefined;
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return undefined;
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    return signatureError(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    return signatureError(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
  return undefined;
}
