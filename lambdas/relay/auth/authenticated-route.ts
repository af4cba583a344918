/**
 * The customer API adapters' one way into a use case: authenticate the key for the matched route
 * (its scope included), log with the tenant from there on, and say a use case's refusal as HTTP.
 * `translate` lets an adapter turn an error of its own port into a refusal first.
 */
import type { HttpRequest, HttpResult, RouteHandler } from '../../shared/http';
import { RefusedError, refusalAsApiError, type Refusal } from '../../shared/refusal';
import type { Authenticator, Principal } from './authenticator';

export type AuthenticatedWork = (principal: Principal, request: HttpRequest) => Promise<HttpResult>;

export function authenticatedRoutes(
  authenticator: Pick<Authenticator, 'authenticate'>,
  translate: (error: unknown, request: HttpRequest) => Refusal | undefined = () => undefined,
): (work: AuthenticatedWork) => RouteHandler {
  return (work) => async (request) => {
    const principal = await authenticator.authenticate(request.headers, request.route);
    const tenantRequest = { ...request, log: request.log.child({ tenant_id: principal.tenantId }) };
    try {
      return await work(principal, tenantRequest);
    } catch (error) {
      // The use cases refuse in our words; HTTP is the adapter's business.
      if (error instanceof RefusedError) throw refusalAsApiError(error.refusal);
      const refused = translate(error, tenantRequest);
      if (refused) throw refusalAsApiError(refused);
      throw error;
    }
  };
}
