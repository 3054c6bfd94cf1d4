// The API description: OpenAPI 3 generated from the routes' zod schemas, and a plain HTML page
// listing the routes. Both are public: they describe the API, they hold no data.
import type { RoutePlugin } from '../context.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface OperationLike {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
}

interface SpecLike {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, OperationLike>>;
}

/** One table row per operation, grouped by tag, from the generated spec. */
export function renderDocsPage(spec: SpecLike): string {
  const rows = Object.entries(spec.paths ?? {})
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, op]) => ({ path, method: method.toUpperCase(), op, tag: op.tags?.[0] ?? 'other' })),
    )
    .sort((a, b) => a.tag.localeCompare(b.tag) || a.path.localeCompare(b.path));
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.tag)}</td><td><code>${r.method}</code></td><td><code>${escapeHtml(r.path)}</code></td>` +
        `<td>${escapeHtml(r.op.summary ?? '')}</td><td>${Array.isArray(r.op.security) && r.op.security.length === 0 ? 'no' : 'yes'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(spec.info.title)} API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left}code{font-size:.95em}</style></head>
<body><h1>${escapeHtml(spec.info.title)} API <small>${escapeHtml(spec.info.version)}</small></h1>
<p>${escapeHtml(spec.info.description ?? '')}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>. Request and response schemas:
<a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</p>
<table><thead><tr><th>Group</th><th>Method</th><th>Path</th><th>What it does</th><th>Key needed</th></tr></thead>
<tbody>
${body}
</tbody></table></body></html>
`;
}

export const registerDocsRoutes: RoutePlugin = (app) => {
  const hidden = { config: { public: true }, schema: { hide: true } };
  app.get('/openapi.json', hidden, async () => app.swagger());
  app.get('/docs', hidden, async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderDocsPage(app.swagger() as SpecLike)));
};
