/**
 * The registration function's composition root: SNS notifications in, CloudFormation answers out.
 *
 * The topic is public (any AWS account's stack must be able to publish), so the function is built
 * to refuse cheaply: a message that is not a custom resource request, or whose ResponseURL is not
 * CloudFormation's own pre-signed S3 URL in the stack's region, is dropped before any table read
 * or AWS call, and nothing is ever sent to such a URL. The answer is PUT with node's own client,
 * which follows no redirect. Neither the ExternalId nor the URL's signature reaches a log line.
 */
import type { Clock } from '../../shared/clock';
import { putOverHttp, type PutResponse } from '../../shared/cloudformation-response';
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { createLogger, emitMetric } from '../../shared/logger';
import { AssumedRoleAccounts } from '../customer-account/customer-account';
import { customerSessionsFor } from '../customer-account/sessions';
import type { RelayConfig } from '../relay-config';
import { ByocConfigStore } from '../store/config-store';
import { parseRequest, responseBody, stackArnParts, type SnsEvent } from './custom-resource';
import { registerStack, type RegistrationAnswer, type RegistrationDeps } from './register-stack';
import { isAllowedResponseUrl, responseHost } from './response-url';

/** Per-attempt timeout of the validation's AWS calls (as the onboarding API's). */
const REGISTRATION_REQUEST_TIMEOUT_MS = 3_000;
/** CloudFormation's S3 answers in well under a second; the function's timeout is 90 s. */
const RESPONSE_TIMEOUT_MS = 10_000;

export interface RegistrationOptions {
  /** How the answer is PUT (default: node's http/https, no redirects). */
  putResponse?: PutResponse;
}

const log = createLogger({ component: 'stack-registration' });

export function createRegistrationHandler(config: RelayConfig, aws: AwsWiring, options: RegistrationOptions = {}) {
  const { clock } = aws;
  const db = dynamoDocumentClient(aws);
  const sessions = customerSessionsFor(aws, REGISTRATION_REQUEST_TIMEOUT_MS);
  return registrationHandler({
    configs: new ByocConfigStore(db, config.relayTable),
    accounts: new AssumedRoleAccounts(sessions, { clock, attemptTimeoutMs: REGISTRATION_REQUEST_TIMEOUT_MS, controlPlaneRate: config.controlPlaneRate }),
    sessions,
    relayAccountId: config.relayAccountId,
    platformAccountId: config.platformAccountId,
    clock,
    propagationWindowMs: config.registrationPropagationWindowMs,
  }, { localPrefix: config.registrationResponseUrlPrefix, putResponse: options.putResponse ?? putOverHttp });
}

export function registrationHandler(deps: RegistrationDeps, settings: { localPrefix?: string; putResponse: PutResponse }) {
  return async (event: SnsEvent): Promise<void> => {
    for (const record of event?.Records ?? []) {
      await handleMessage(deps, settings, record.Sns?.Message);
    }
  };
}

async function handleMessage(deps: RegistrationDeps, settings: { localPrefix?: string; putResponse: PutResponse }, message: string | undefined): Promise<void> {
  const parsed = parseRequest(message);
  if (!parsed) return dropped('not_a_request');
  const { request } = parsed;
  const region = stackArnParts(request.StackId)?.region;
  if (settings.localPrefix === undefined && !region) return dropped('no_stack_region');
  if (!isAllowedResponseUrl(request.ResponseURL, region ?? '', { localPrefix: settings.localPrefix })) {
    return dropped('response_url_refused', { response_host: responseHost(request.ResponseURL) });
  }
  let answer: RegistrationAnswer;
  try {
    answer = await registerStack(deps, parsed);
  } catch (error) {
    log.error('registration failed unexpectedly', { request_type: request.RequestType, error: (error as Error).name });
    answer = request.RequestType === 'Delete'
      ? { status: 'SUCCESS', reason: 'SendFleet could not record the deletion; the stack is deleted anyway.', physicalResourceId: request.PhysicalResourceId ?? `unknown-${request.RequestId}`, outcome: 'delete_ignored' }
      : { status: 'FAILED', reason: 'SendFleet could not complete the registration because of an error on its side. Nothing was saved; try again in a few minutes (create or update the stack again) or contact support.', physicalResourceId: request.PhysicalResourceId ?? `sendfleet-registration-failed-${request.RequestId}`, outcome: 'malformed' };
  }
  log.info('registration answered', { request_type: request.RequestType, status: answer.status, outcome: answer.outcome, tenant_id: answer.tenantId, region });
  emitMetric('StackRegistration', { outcome: answer.outcome });
  await answerCloudFormation(deps.clock, settings.putResponse, request.ResponseURL, responseBody(request, answer));
}

function dropped(reason: string, fields: Record<string, string> = {}): void {
  log.warn('registration request dropped', { reason, ...fields });
  emitMetric('StackRegistrationDropped', { reason });
}

async function answerCloudFormation(clock: Clock, put: PutResponse, url: string, body: string): Promise<void> {
  try {
    const status = await clock.withTimeout(RESPONSE_TIMEOUT_MS, (signal) => put(url, body, signal));
    if (status < 200 || status >= 300) log.error('CloudFormation refused the registration answer', { http_status: status, response_host: responseHost(url) });
  } catch (error) {
    log.error('registration answer not delivered', { error: (error as Error).name, response_host: responseHost(url) });
  }
}
