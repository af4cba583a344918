/**
 * The control API under /_sim: JSON in and out, for tests, local mode and people to set up customer
 * accounts, flip DNS-dependent statuses, inject faults and read the mailbox.
 */
import { renderMailboxPage } from './mailbox-page';
import { ControlError, type SimState } from './state';

export type ControlResponse = { status: number; json: unknown } | { status: number; html: string };

interface Route {
  method: string;
  pattern: RegExp;
  run(state: SimState, params: string[], body: () => unknown, hooks: ControlHooks): ControlResponse;
}

/** What the control API resets beyond SimState: stack operations and scheduled SES events. */
export interface ControlHooks {
  reset?: () => void;
}

const ok = (json: unknown, status = 200): ControlResponse => ({ status, json });
const noContent = (): ControlResponse => ({ status: 204, json: undefined });

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/_sim\/?$/, run: (state) => ({ status: 200, html: renderMailboxPage(state.mailbox) }) },
  {
    method: 'POST',
    pattern: /^\/_sim\/accounts$/,
    run: (state, _params, body) => {
      const { created, view } = state.upsertAccount(body());
      return ok(view, created ? 201 : 200);
    },
  },
  {
    method: 'GET',
    pattern: /^\/_sim\/accounts\/([^/]+)$/,
    run: (state, [accountId = '']) => ok(state.accountView(state.account(accountId))),
  },
  {
    method: 'PUT',
    pattern: /^\/_sim\/accounts\/([^/]+)\/roles\/([^/]+)$/,
    run: (state, [accountId = '', roleName = ''], body) => {
      const { created, view } = state.putRole(accountId, roleName, body());
      return ok(view, created ? 201 : 200);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/accounts\/([^/]+)\/roles\/([^/]+)$/,
    run: (state, [accountId = '', roleName = '']) => {
      state.deleteRole(accountId, roleName);
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sim\/accounts\/([^/]+)\/identities\/([^/]+)\/status$/,
    run: (state, [accountId = '', identity = ''], body) => {
      state.setIdentityStatus(accountId, identity, body());
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sim\/accounts\/([^/]+)\/verified-emails$/,
    run: (state, [accountId = ''], body) => {
      state.verifyEmail(accountId, body());
      return noContent();
    },
  },
  { method: 'GET', pattern: /^\/_sim\/faults$/, run: (state) => ok({ faults: state.faults }) },
  { method: 'POST', pattern: /^\/_sim\/faults$/, run: (state, _params, body) => ok(state.addFault(body()), 201) },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/faults$/,
    run: (state) => {
      state.faults = [];
      return noContent();
    },
  },
  {
    method: 'PUT',
    pattern: /^\/_sim\/latency$/,
    run: (state, _params, body) => {
      state.setLatency(body());
      return ok({ ms: state.latencyMs });
    },
  },
  { method: 'GET', pattern: /^\/_sim\/mailbox$/, run: (state) => ok({ messages: state.mailbox }) },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/mailbox$/,
    run: (state) => {
      state.mailbox.length = 0;
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: /^\/_sim\/calls$/,
    // throttled: the Throttling answers among those calls, whatever the cause (rate, quota, fault)
    run: (state) => ok({ calls: Object.fromEntries(state.calls), throttled: Object.fromEntries(state.throttled) }),
  },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/calls$/,
    run: (state) => {
      state.calls.clear();
      state.throttled.clear();
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: /^\/_sim\/accounts\/([^/]+)\/regions\/([^/]+)\/configuration-sets\/([^/]+)$/,
    run: (state, [accountId = '', region = '', name = '']) => ok(state.configurationSetView(accountId, region, name)),
  },
  {
    method: 'PUT',
    pattern: /^\/_sim\/accounts\/([^/]+)\/regions\/([^/]+)\/configuration-sets\/([^/]+)\/sending$/,
    run: (state, [accountId = '', region = '', name = ''], body) => {
      state.setConfigurationSetSending(accountId, region, name, body());
      return ok(state.configurationSetView(accountId, region, name));
    },
  },
  {
    method: 'GET',
    pattern: /^\/_sim\/accounts\/([^/]+)\/regions\/([^/]+)\/suppressed-destinations$/,
    run: (state, [accountId = '', region = '']) => ok({ suppressed_destinations: state.suppressedDestinations(accountId, region) }),
  },
  {
    method: 'PUT',
    pattern: /^\/_sim\/accounts\/([^/]+)\/regions\/([^/]+)\/suppressed-destinations\/([^/]+)$/,
    run: (state, [accountId = '', region = '', address = ''], body) => {
      state.putSuppressedDestination(accountId, region, address, body());
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/accounts\/([^/]+)\/regions\/([^/]+)\/suppressed-destinations\/([^/]+)$/,
    run: (state, [accountId = '', region = '', address = '']) => {
      state.deleteSuppressedDestination(accountId, region, address);
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: /^\/_sim\/events$/,
    run: (state) =>
      ok({
        events: state.publishedEvents,
        forwardings: state.forwardings,
        forwarding_failures: state.forwardings.filter((forwarding) => forwarding.outcome === 'failed'),
      }),
  },
  {
    method: 'DELETE',
    pattern: /^\/_sim\/events$/,
    run: (state) => {
      state.publishedEvents.length = 0;
      state.forwardings.length = 0;
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sim\/reset$/,
    run: (state, _params, _body, hooks) => {
      hooks.reset?.();
      state.reset();
      return noContent();
    },
  },
];

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'InvalidJson', 'the request body is not valid JSON');
  }
}

function decodeSegments(params: string[]): string[] {
  try {
    return params.map((param) => decodeURIComponent(param));
  } catch {
    throw new ControlError(400, 'InvalidPath', 'a path segment is not valid percent-encoding');
  }
}

export function handleControl(state: SimState, method: string, pathname: string, body: Buffer, hooks: ControlHooks = {}): ControlResponse {
  try {
    const matching = ROUTES.filter((route) => route.pattern.test(pathname));
    if (matching.length === 0) throw new ControlError(404, 'NotFound', `no control route ${pathname}`);
    const route = matching.find((candidate) => candidate.method === method);
    if (!route) {
      const allowed = matching.map((candidate) => candidate.method).join(', ');
      throw new ControlError(405, 'MethodNotAllowed', `${method} ${pathname}; allowed: ${allowed}`);
    }
    const params = decodeSegments((route.pattern.exec(pathname) ?? []).slice(1));
    return route.run(state, params, () => parseJson(body), hooks);
  } catch (error) {
    if (error instanceof ControlError) return ok({ error: error.error, detail: error.detail }, error.status);
    throw error;
  }
}
