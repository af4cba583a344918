/**
 * Lambda entry of the customer dashboard: serves the static files the CDK stack built into this
 * function's bundle (`dashboard/` beside index.js, see lib/constructs/customer-dashboard.ts): the
 * dashboard, the OpenAPI document and the API reference page. No
 * table, no AWS call, no environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createDashboardHandler, type StaticAsset } from './static-site';

const SITE_DIR = path.join(__dirname, 'dashboard');

function readSite(): StaticAsset[] {
  const read = (relative: string): StaticAsset => ({ path: relative, body: readFileSync(path.join(SITE_DIR, relative), 'utf8') });
  return [read('index.html'), read('openapi.json'), read('docs.html'), ...readdirSync(path.join(SITE_DIR, 'assets')).map((file) => read(`assets/${file}`))];
}

export const handler = createDashboardHandler(async () => readSite());
