/**
 * The customer API, same origin. The API key lives in sessionStorage only (this tab, until sign-out
 * or the tab closes): never in a URL, a cookie or localStorage.
 */
const KEY_STORAGE = 'sendfleet.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  remember: (apiKey: string): void => sessionStorage.setItem(KEY_STORAGE, apiKey),
  forget: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/** An error answer of the API: its code and the detail that says how to fix it. */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly body: Record<string, unknown>,
    /** The answer's Retry-After in seconds, when it gave one. */
    readonly retryAfterSeconds: number | null = null) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

/** The API's base: the directory of the page (`/` locally, `/v1/` on an API Gateway stage URL). */
function apiUrl(path: string): string {
  const dir = location.pathname.endsWith('/') ? location.pathname : `${location.pathname}/`;
  return new URL(dir + path.replace(/^\//, ''), location.origin).toString();
}

export async function api<T>(method: string, path: string, options: { body?: unknown; apiKey?: string } = {}): Promise<T> {
  const apiKey = options.apiKey ?? session.key() ?? '';
  const headers: Record<string, string> = { 'x-api-key': apiKey };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'network_error', 'The SendFleet API could not be reached. Check your connection and try again.', {});
  }
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // An answer that is not JSON (a proxy's error page): never shown raw.
  }
  if (!response.ok || body.success !== true) {
    const detail = typeof body.detail === 'string' ? body.detail : `The API answered HTTP ${response.status}. Try again in a moment.`;
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    throw new ApiProblem(response.status, typeof body.error === 'string' ? body.error : 'http_error', detail, body, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
  return body as T;
}
