/**
 * Serves the customer dashboard's static files at `GET /` and `GET /assets/{file}` of the customer
 * API's origin, and the API's description (built by openapi/site.ts) at `GET /api/openapi.json` and
 * `GET /docs`, with the page's security headers on every answer. Only the files built into the
 * bundle exist: a request names a key in a fixed map, never a filesystem path.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError } from '../../shared/errors';
import { errorResponse } from '../../shared/http';

export interface StaticAsset {
  /** Relative to the site root: `index.html`, `assets/app-<hash>.js`, `openapi.json`, `docs.html`. */
  path: string;
  body: string;
}

/** No inline script or style, nothing from another origin, never framed. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Files served at a route of their own (not under /assets/), always revalidated: a deployment changes them under the same URL. */
const PAGES: Readonly<Record<string, string>> = {
  'index.html': '/',
  'openapi.json': '/api/openapi.json',
  'docs.html': '/docs',
};

interface StaticFile { body: string; contentType: string; cacheControl: string }

/** Keys are request paths: `/` and `/assets/<file>`. */
export function indexAssets(assets: readonly StaticAsset[]): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const asset of assets) {
    const extension = asset.path.slice(asset.path.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) continue;
    const page = PAGES[asset.path];
    if (page) {
      // Always revalidated, so a deployment's new asset names are picked up at once.
      files.set(page, { body: asset.body, contentType, cacheControl: 'no-cache' });
    } else if (asset.path.startsWith('assets/')) {
      // Content-hashed names: a changed file is a new name.
      files.set(`/${asset.path}`, { body: asset.body, contentType, cacheControl: 'public, max-age=31536000, immutable' });
    }
  }
  return files;
}

export type DashboardHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

/**
 * The address this request reached the API at — scheme, host and, on an execute-api URL, the stage
 * (`/v1`) — so that the served OpenAPI document's `servers` is the API the caller is using (local
 * mode, a stage, a custom domain). `undefined` for a Host header that is not a host name.
 */
export function requestOrigin(event: APIGatewayProxyEvent): string | undefined {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const host = headers.host;
  if (!host || !HOST.test(host)) return undefined;
  const forwarded = headers['x-forwarded-proto'];
  const scheme = forwarded === 'http' || forwarded === 'https' ? forwarded : event.requestContext?.stage === 'local' ? 'http' : 'https';
  // requestContext.path is what the client asked for (/v1/api/openapi.json); path is the resource's part.
  const asked = event.requestContext?.path;
  const prefix = asked && asked.endsWith(event.path) ? asked.slice(0, asked.length - event.path.length) : '';
  return `${scheme}://${host}${prefix}`;
}

/** The OpenAPI document with this request's own origin as its server (the built one names every deployment in general). */
function documentFor(built: { body: string; parsed: Record<string, unknown> }, event: APIGatewayProxyEvent): string {
  const origin = requestOrigin(event);
  if (!origin) return built.body;
  return JSON.stringify({ ...built.parsed, servers: [{ url: origin, description: 'This API, at the address this document was fetched from' }] });
}

/** `load` runs once, at the first request. */
export function createDashboardHandler(load: () => Promise<readonly StaticAsset[]>): DashboardHandler {
  let files: Promise<ReadonlyMap<string, StaticFile>> | undefined;
  /** The built OpenAPI document, parsed once (its servers are set per request). */
  let openApi: { body: string; parsed: Record<string, unknown> } | undefined;
  return async (event) => {
    files ??= load().then(indexAssets);
    const requestId = event.requestContext?.requestId;
    const stagePath = event.requestContext?.path;
    if (event.resource === '/' && stagePath && !stagePath.endsWith('/')) {
      // …/v1 → …/v1/: the page finds its assets and the API relative to its own directory.
      return { statusCode: 301, headers: { ...SECURITY_HEADERS, location: `${stagePath}/` }, body: '' };
    }
    const key = event.resource === '/assets/{file}' ? `/assets/${event.pathParameters?.file ?? ''}` : event.resource;
    const file = (await files).get(key);
    if (!file) {
      const missing = errorResponse(new ApiError('not_found', 'No such dashboard file. Open the dashboard at / (or the API reference at /docs) and reload it.'), requestId);
      return { ...missing, headers: { ...missing.headers, ...SECURITY_HEADERS } };
    }
    return {
      statusCode: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': file.contentType, 'cache-control': file.cacheControl },
      body: key === '/api/openapi.json' ? documentFor(openApi ??= { body: file.body, parsed: JSON.parse(file.body) as Record<string, unknown> }, event) : file.body,
    };
  };
}
