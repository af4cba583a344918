/**
 * Where the registration function may send its answer. Anyone can publish to the registration
 * topic, so a forged request must not make the relay call an address of the attacker's choosing:
 * only CloudFormation's own pre-signed S3 URL is answered, in the stack's region.
 *
 * CloudFormation's response bucket is `cloudformation-custom-resource-response-<region without
 * dashes>`, addressed virtual-hosted (`<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
 * `<bucket>.s3-<region>.amazonaws.com`) or path-style on the regional S3 host. `https` only, the
 * default port, no user info. Local mode and tests allow one configured prefix instead (the
 * simulator's loopback URL); that setting is never made in AWS.
 */
export interface ResponseUrlRule {
  /** Local mode and tests only (relay-config.ts `registrationResponseUrlPrefix`). */
  localPrefix?: string;
}

export const responseBucket = (region: string) => `cloudformation-custom-resource-response-${region.replaceAll('-', '')}`;

export function isAllowedResponseUrl(responseUrl: string, stackRegion: string, rule: ResponseUrlRule = {}): boolean {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return false;
  }
  if (rule.localPrefix !== undefined) return responseUrl.startsWith(rule.localPrefix) && !responseUrl.slice(rule.localPrefix.length).includes('..');
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') return false;
  const bucket = responseBucket(stackRegion);
  const regionalHosts = [`s3.${stackRegion}.amazonaws.com`, `s3-${stackRegion}.amazonaws.com`];
  const host = url.hostname;
  if ([`${bucket}.s3.amazonaws.com`, ...regionalHosts.map((h) => `${bucket}.${h}`)].includes(host)) return true;
  return regionalHosts.includes(host) && url.pathname.startsWith(`/${bucket}/`);
}

/** Only the host goes to a log line: the query is CloudFormation's pre-signature. */
export const responseHost = (responseUrl: string): string => {
  try {
    return new URL(responseUrl).host;
  } catch {
    return 'unparseable';
  }
};
