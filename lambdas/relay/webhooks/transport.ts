/**
 * One POST to a checked webhook target. The connection goes to the address the URL guard checked
 * (the request's `lookup` answers it, whatever DNS says now), TLS still verifies the certificate
 * against the host name, redirects are not followed (a 3xx is just a status), and the answer's body
 * is discarded unread.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './url-guard';

export interface WebhookTransport {
  /** Resolves with the status of the answer; rejects when no answer came (refused, reset, aborted). */
  post(target: CheckedTarget, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number>;
}

/** Answers every lookup with the checked address: no second resolution, no rebinding. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

export const nodeWebhookTransport: WebhookTransport = {
  post(target, headers, body, signal) {
    return new Promise<number>((resolve, reject) => {
      const options: RequestOptions = {
        method: 'POST',
        hostname: target.host,
        port: target.url.port || undefined,
        path: `${target.url.pathname}${target.url.search}`,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'SendFleet-Webhooks/1' },
        lookup: pinnedLookup(target),
        agent: false,
        signal,
      };
      const request = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  },
};
