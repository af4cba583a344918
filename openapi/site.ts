/**
 * The API's description as static files for the dashboard function: `openapi.json` (served at
 * `GET /api/openapi.json`), `docs.html` (served at `GET /docs`) and its stylesheet under `assets/`.
 * Built at synth by the CDK stack and at first request by local mode, like the dashboard itself.
 */
import type { StaticAsset } from '../lambdas/relay/dashboard/static-site';
import { buildOpenApiDocument } from './document';
import { renderReferencePage } from './reference-page';

export function buildApiReference(): StaticAsset[] {
  const document = buildOpenApiDocument();
  return [{ path: 'openapi.json', body: `${JSON.stringify(document, null, 2)}\n` }, ...renderReferencePage(document)];
}
