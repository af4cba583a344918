/**
 * Answering a CloudFormation custom resource: an HTTP PUT of the JSON answer to the request's
 * pre-signed ResponseURL, with an empty content type (what the URL is signed for). Node's own
 * client follows no redirect: the answer goes to that URL or nowhere.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** PUTs `body`; resolves with the HTTP status. */
export type PutResponse = (url: string, body: string, signal: AbortSignal) => Promise<number>;

export const putOverHttp: PutResponse = (url, body, signal) => new Promise((resolve, reject) => {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  const request = send(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, signal }, (response) => {
    response.resume();
    response.on('end', () => resolve(response.statusCode ?? 0));
    response.on('error', reject);
  });
  request.on('error', reject);
  request.end(body);
});
