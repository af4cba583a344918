/**
 * The API reference page at `/docs`, rendered at build time from the OpenAPI document by this small
 * renderer: static HTML and one stylesheet, no script, nothing from another origin (the dashboard's
 * strict Content-Security-Policy applies as is). Every string from the document is escaped.
 */
import { createHash } from 'node:crypto';
import type { StaticAsset } from '../lambdas/relay/dashboard/static-site';
import type { OpenApiDocument } from './document';

type Json = Record<string, unknown>;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Escaped text with `code` spans, the only markup the document's descriptions use. */
const prose = (text: unknown) => typeof text === 'string' ? escape(text).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\n\n/g, '</p><p>') : '';
const anchor = (operationId: string) => `op-${operationId}`;

function resolve(schema: Json, document: OpenApiDocument): Json {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.split('/').pop()!;
  return ((document.components as { schemas: Record<string, Json> }).schemas[name]) ?? {};
}

/** One line saying what a schema accepts: type, enum, bounds, format. */
function describeType(schema: Json): string {
  if (schema.const !== undefined) return `always ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const variants = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (variants) return variants.map(describeType).join(' or ');
  const parts: string[] = [];
  if (schema.type === 'array') {
    parts.push(`array of ${describeType((schema.items as Json | undefined) ?? {})}`);
    if (schema.minItems !== undefined || schema.maxItems !== undefined) parts.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '∞'} items`);
  } else {
    parts.push(typeof schema.type === 'string' ? schema.type : 'any JSON');
    if (schema.format) parts.push(String(schema.format));
    if (schema.minLength !== undefined || schema.maxLength !== undefined) parts.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} characters`);
    if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
    if (schema.pattern) parts.push(`matching ${schema.pattern}`);
  }
  return parts.join(', ');
}

function fieldsTable(schema: Json, document: OpenApiDocument): string {
  const resolved = resolve(schema, document);
  const properties = resolved.properties as Record<string, Json> | undefined;
  if (!properties) return `<p class="type">${escape(describeType(resolved))}</p>`;
  const required = new Set((resolved.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, field]) =>
    `<tr><td><code>${escape(name)}</code>${required.has(name) ? '' : ' <span class="optional">optional</span>'}</td><td>${escape(describeType(field))}</td></tr>`);
  const closed = resolved.additionalProperties === false ? '<p class="note">No other fields are accepted.</p>' : '';
  return `<table><thead><tr><th>field</th><th>type</th></tr></thead><tbody>${rows.join('')}</tbody></table>${closed}`;
}

const json = (value: unknown) => `<pre><code>${escape(JSON.stringify(value, null, 2))}</code></pre>`;

function responseSection(status: string, response: Json, document: OpenApiDocument): string {
  const headers = Object.keys((response.headers as Json | undefined) ?? {});
  const content = (response.content as Record<string, { schema?: Json; examples?: Record<string, { value: unknown }> }> | undefined) ?? {};
  const body = Object.entries(content).map(([type, media]) => {
    if (type !== 'application/json') return `<p class="type">${escape(type)}</p>`;
    if (media.examples) {
      return Object.entries(media.examples).map(([code, example]) => `<h5><code>${escape(code)}</code></h5>${json(example.value)}`).join('');
    }
    return media.schema ? fieldsTable(media.schema, document) : '';
  }).join('');
  const headerLine = headers.length ? `<p class="note">Headers: ${headers.map((h) => `<code>${escape(h)}</code>`).join(', ')}</p>` : '';
  const kind = Number(status) >= 400 ? 'error' : 'ok';
  return `<details${kind === 'ok' ? ' open' : ''}><summary><span class="status ${kind}">${escape(status)}</span> ${prose(response.description)}</summary>${headerLine}${body}</details>`;
}

function operationSection(method: string, path: string, operation: Json, document: OpenApiDocument): string {
  const security = (operation.security as Array<Record<string, unknown>> | undefined) ?? [];
  const auth = security.length === 0 ? 'No API key.' : `Authentication: ${security.flatMap((s) => Object.keys(s)).map((name) => `<code>${escape(name === 'ApiKey' ? 'X-API-Key' : name === 'Bearer' ? 'Authorization: Bearer' : name)}</code>`).join(' or ')}.`;
  const parameters = ((operation.parameters as Json[] | undefined) ?? []).map((p) => {
    const parameter = typeof p.$ref === 'string' ? ((document.components as { parameters: Record<string, Json> }).parameters[p.$ref.split('/').pop()!] ?? {}) : p;
    return `<tr><td><code>${escape(String(parameter.name))}</code></td><td>${escape(String(parameter.in))}${parameter.required ? '' : ', optional'}</td><td>${prose(parameter.description)}</td></tr>`;
  });
  const request = operation.requestBody as { required?: boolean; content: Record<string, { schema: Json; example?: unknown }> } | undefined;
  const requestMedia = request?.content['application/json'];
  const responses = Object.entries(operation.responses as Record<string, Json>).map(([status, response]) => responseSection(status, response, document));
  return `<section id="${anchor(String(operation.operationId))}">
<h3><span class="method">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${prose(operation.summary)}</p>${operation.description ? `<p>${prose(operation.description)}</p>` : ''}
<p class="note">${auth}</p>
${parameters.length ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>meaning</th></tr></thead><tbody>${parameters.join('')}</tbody></table>` : ''}
${requestMedia ? `<h4>Request body${request?.required ? '' : ' (optional)'}</h4>${fieldsTable(requestMedia.schema, document)}${requestMedia.example !== undefined ? json(requestMedia.example) : ''}` : ''}
<h4>Responses</h4>${responses.join('\n')}
</section>`;
}

export function renderReferencePage(document: OpenApiDocument): StaticAsset[] {
  const info = document.info as Json;
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = ((operation.tags as string[] | undefined) ?? ['Other'])[0]!;
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(operationSection(method, path, operation, document));
      (toc.get(tag) ?? toc.set(tag, []).get(tag)!).push(`<li><a href="#${anchor(String(operation.operationId))}"><span class="method">${escape(method.toUpperCase())}</span> ${escape(path)}</a></li>`);
    }
  }
  const tags = (document.tags as Array<{ name: string; description?: string }>).filter((tag) => byTag.has(tag.name));
  const css = STYLE;
  const cssPath = `assets/docs-${createHash('sha256').update(css).digest('hex').slice(0, 8)}.css`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(String(info.title))}: API reference</title>
<link rel="stylesheet" href="${cssPath}">
</head>
<body>
<nav aria-label="Operations"><p><a href="./">Dashboard</a> · <a href="api/openapi.json">openapi.json</a></p>
${tags.map((tag) => `<h2>${escape(tag.name)}</h2><ul>${toc.get(tag.name)!.join('')}</ul>`).join('\n')}</nav>
<main>
<h1>${escape(String(info.title))} <small>${escape(String(info.version))}</small></h1>
<p>${prose(info.description)}</p>
<p>The machine-readable contract is <a href="api/openapi.json"><code>GET /api/openapi.json</code></a> (OpenAPI 3.1): import it into any OpenAPI tool. This page is rendered from it.</p>
${tags.map((tag) => `<h2>${escape(tag.name)}</h2><p>${prose(tag.description)}</p>${byTag.get(tag.name)!.join('\n')}`).join('\n')}
</main>
</body>
</html>
`;
  return [{ path: 'docs.html', body: html }, { path: cssPath, body: css }];
}

const STYLE = `:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6474;--line:#d9dee7;--bg:#fff;--code:#f3f5f8;--ok:#1b7f3b;--err:#b42318}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa3b2;--line:#333a47;--bg:#15181e;--code:#1f242d;--ok:#5bd08a;--err:#ff8a80}}
*{box-sizing:border-box}body{margin:0;display:grid;grid-template-columns:18rem 1fr;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
nav{position:sticky;top:0;height:100vh;overflow:auto;padding:1rem;border-right:1px solid var(--line);font-size:13px}
nav ul{list-style:none;padding:0;margin:0 0 1rem}nav a{color:inherit;text-decoration:none;display:block;padding:.1rem 0}nav h2{font-size:13px;margin:.8rem 0 .2rem;color:var(--muted)}
main{padding:1rem 2rem 4rem;max-width:60rem}section{border-top:1px solid var(--line);padding:1rem 0}
code,pre{font-family:ui-monospace,monospace;font-size:13px}code{background:var(--code);padding:0 .2rem;border-radius:3px}pre{background:var(--code);padding:.6rem;overflow:auto;border-radius:4px}pre code{padding:0}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;border-bottom:1px solid var(--line);padding:.25rem .4rem;vertical-align:top}
.method{font-weight:700;font-family:ui-monospace,monospace;font-size:12px}.optional,.note,small{color:var(--muted)}
.status{font-weight:700;font-family:ui-monospace,monospace}.status.ok{color:var(--ok)}.status.error{color:var(--err)}
summary{cursor:pointer;padding:.2rem 0}h5{margin:.4rem 0 .1rem}
@media (max-width:50rem){body{display:block}nav{position:static;height:auto;border-right:0;border-bottom:1px solid var(--line)}}
`;
