/**
 * The message status routes: `GET /api/messages/{id}` (X-API-Key, our shape) and Resend's
 * `GET /emails/{id}` (Bearer, Resend's shape, errors included), plus Resend's `PATCH /emails/{id}`,
 * not offered. Thin adapters: authenticate, read the timeline, present.
 */
import { ApiError } from '../../shared/errors';
import { httpApi, type HttpRequest, type HttpResult } from '../../shared/http';
import { messageRoutes, RESEND_RESOURCES } from '../api-routes';
import type { Authenticator } from '../auth/authenticator';
import { bearerHeaders, notOfferedAnswer, resendFailure } from '../send/http/resend-routes';
import type { DeliveryStore } from '../store/delivery-store';
import { findTimeline, presentMessage, presentResendEmail } from './message-status';

export interface MessageRoutesDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  deliveries: Pick<DeliveryStore, 'timeline'>;
}

export function createMessageApi(deps: MessageRoutesDeps) {
  const idOf = (http: HttpRequest) => http.pathParameters.id ?? '';

  const getMessage = async (http: HttpRequest): Promise<HttpResult> => {
    const principal = await deps.authenticator.authenticate(http.headers, http.route);
    http.annotate({ tenant_id: principal.tenantId });
    return { status: 200, body: presentMessage(await findTimeline(deps.deliveries, principal.tenantId, idOf(http))) };
  };

  const resendGetEmail = async (http: HttpRequest): Promise<HttpResult> => {
    const principal = await deps.authenticator.authenticate(bearerHeaders(http.headers), http.route);
    http.annotate({ tenant_id: principal.tenantId, api: 'resend' });
    return { status: 200, body: presentResendEmail(await findTimeline(deps.deliveries, principal.tenantId, idOf(http))) };
  };

  return httpApi({
    routes: [
      { ...messageRoutes.getMessage, handle: getMessage },
      { ...messageRoutes.resendGetEmail, handle: resendGetEmail },
      { ...messageRoutes.resendUpdateEmail, handle: notOfferedAnswer(deps.authenticator, 'emails') },
    ],
    presentError: (resource: string, error: ApiError) => (RESEND_RESOURCES.has(resource) ? resendFailure(error) : undefined),
    maxBodyBytes: 16 * 1024,
    configurationErrorCode: 'byoc_not_configured',
  });
}
