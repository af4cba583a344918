/** HTTP adapter of the send function: POST /api/send (and /api/send/). */
import { httpApi } from '../../shared/http';
import { sendRoutes } from '../api-routes';
import { createSendEmail, type SendDeps } from './send-email';
import { MAX_BODY_BYTES } from './send-request';

export function createSendApi(deps: SendDeps) {
  const sendEmail = createSendEmail(deps);
  return httpApi({
    routes: [{ ...sendRoutes.send, handle: (request) => sendEmail({ body: request.body, headers: request.headers, log: request.log }) }],
    maxBodyBytes: MAX_BODY_BYTES,
    configurationErrorCode: 'byoc_not_configured',
  });
}
