// The API description: valid OpenAPI 3 structure, every registered route documented with its
// method, request schemas present, every $ref resolvable; /docs lists the routes.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, buildApp, type RoutePlugin } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { registerCampaignRoutes } from '../../src/server/routes/campaigns.js';
import { registerDeliveryRoutes } from '../../src/server/routes/deliveries.js';
import { registerScoringRoutes } from '../../src/server/routes/scoring.js';
import { registerSyncRoutes } from '../../src/server/routes/sync.js';
import { registerUserRoutes } from '../../src/server/routes/users.js';
import { KEY, realContext } from './helpers.js';

type Spec = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
type Operation = {
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
};

const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

describe('OpenAPI description', () => {
  let app: FastifyInstance;
  let context: Awaited<ReturnType<typeof realContext>>;
  let spec: Spec;
  /** Every route registered from the first API route group on (later plugins included). */
  const registered: RouteOptions[] = [];
  /** Routes of the core route groups (users, campaigns, deliveries), held to full schemas. */
  const apiRoutes: RouteOptions[] = [];
  let inApiGroups = false;

  beforeAll(async () => {
    context = await realContext();
    const startCapture: RoutePlugin = (a) => {
      inApiGroups = true;
      a.addHook('onRoute', (route) => {
        registered.push(route);
        // HEAD twins of GET routes are added by fastify itself.
        if (inApiGroups && route.method !== 'HEAD') apiRoutes.push(route);
      });
    };
    const stopCapture: RoutePlugin = () => {
      inApiGroups = false;
    };
    const core = [registerUserRoutes, registerCampaignRoutes, registerDeliveryRoutes, registerScoringRoutes, registerSyncRoutes];
    const others = API_ROUTES.filter((group) => !core.includes(group));
    app = await buildApp({ context, apiKey: resolveApiKey(KEY, ':memory:'), routes: [startCapture, ...core, stopCapture, ...others] });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    spec = res.json() as Spec;
  });
  afterAll(async () => {
    await app?.close();
    await context?.close();
  });

  it('is OpenAPI 3 with info, bearer security and operations that each describe a response', () => {
    expect(spec.openapi).toMatch(/^3\.0\.\d+$/);
    expect(spec.info.title).toBe('liquidhook');
    expect(spec.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(spec.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    for (const [path, operations] of Object.entries(spec.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries(operations)) {
        expect(METHODS).toContain(method);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const response of Object.values(op.responses)) expect(typeof response.description).toBe('string');
        // Path templates and path parameters match one to one.
        const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), `${method} ${path}`).toEqual(names.sort());
        for (const p of pathParams) expect(p.required).toBe(true);
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(spec.components.schemas, ref).toHaveProperty(ref.slice('#/components/schemas/'.length));
    }
  });

  it('documents every registered route with its method, and nothing that is not registered', () => {
    const visible = registered.filter((r) => !(r.schema as { hide?: boolean } | undefined)?.hide);
    const expected = new Set(
      visible.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD').map((m) => `${m.toLowerCase()} ${openApiPath(r.url)}`)),
    );
    for (const path of ['/health', '/metrics']) expected.add(`get ${path}`);
    const documented = new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    for (const route of expected) expect(documented, route).toContain(route);
    expect(apiRoutes.length).toBeGreaterThanOrEqual(11);
    for (const op of documented) {
      if (op === 'get /health' || op === 'get /metrics') continue;
      expect(expected, `${op} is documented but not registered`).toContain(op);
    }
  });

  it('gives every core API route request and response schemas, and documents them', () => {
    for (const route of apiRoutes) {
      const name = `${String(route.method)} ${route.url}`;
      const schema = route.schema as { body?: unknown; params?: unknown; querystring?: unknown; response?: Record<string, unknown> } | undefined;
      expect(schema?.response, name).toBeDefined();
      const op = spec.paths[openApiPath(route.url)]![String(route.method).toLowerCase()]!;
      const success = Object.entries(op.responses).find(([code]) => /^2\d\d$/.test(code));
      expect(success, name).toBeDefined();
      if (success![0] !== '204') expect(success![1].content?.['application/json']?.schema, name).toBeDefined();
      if (schema?.body) expect(op.requestBody?.content['application/json']?.schema, name).toBeDefined();
      if (schema?.querystring) expect(op.parameters?.some((p) => p.in === 'query'), name).toBe(true);
      if (route.url.includes(':')) expect(schema?.params, name).toBeDefined();
      // Running a sync takes no body.
      if (['POST', 'PUT'].includes(String(route.method)) && !/\/run$/.test(route.url)) {
        expect(schema?.body, `${name} has a body schema`).toBeDefined();
      }
    }
  });

  it('documents replay with an optional body whose force resends a delivered delivery', () => {
    const op = spec.paths['/deliveries/{id}/replay']!.post!;
    expect(op.requestBody?.required).toBe(false);
    expect(JSON.stringify(op.requestBody?.content['application/json']?.schema)).toContain('"force"');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['202', '404', '409']));
  });

  it('names every request and response field in snake_case', () => {
    const names = new Set<string>();
    const visit = (schema: unknown): void => {
      if (Array.isArray(schema)) return schema.forEach(visit);
      if (schema === null || typeof schema !== 'object') return;
      const node = schema as Record<string, unknown>;
      if (node.properties && typeof node.properties === 'object') {
        for (const [name, child] of Object.entries(node.properties)) {
          names.add(name);
          visit(child);
        }
      }
      for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'content', 'schema', 'responses', 'requestBody', 'parameters']) visit(node[key]);
      if (key200(node)) for (const media of Object.values(node)) visit(media);
    };
    const key200 = (node: Record<string, unknown>) => Object.keys(node).some((k) => /^(\d{3}|application\/json)$/.test(k));
    for (const operations of Object.values(spec.paths)) for (const op of Object.values(operations)) visit(op);
    expect(names.size).toBeGreaterThan(50);
    expect([...names].filter((n) => /[a-z][A-Z]/.test(n))).toEqual([]);
  });

  it('documents the snake_case delivery shape', () => {
    const op = spec.paths['/deliveries/{id}']!.get!;
    const schema = op.responses['200']!.content!['application/json']!.schema as { properties: Record<string, { items?: { properties: object } }> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['campaign_id', 'external_id', 'idempotency_key', 'next_attempt_at', 'first_attempt_at', 'last_error', 'failure_code', 'abort_reason', 'message_extras', 'attempts_log']),
    );
    expect(Object.keys(schema.properties.attempts_log!.items!.properties)).toEqual(['attempt', 'at', 'status_code', 'latency_ms', 'response_body', 'error', 'request', 'message_extras']);
    expect(JSON.stringify(spec.paths)).not.toMatch(/"(campaignId|externalId|idempotencyKey|latencyMs|connectedContent|messageExtras)"/);
  });

  it('serves the description and the docs page without the API key, and marks public routes', async () => {
    expect(spec.paths['/health']!.get!.security).toEqual([]);
    expect(spec.paths['/users/track']!.post!.security).toBeUndefined();
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const path of Object.keys(spec.paths)) expect(page.body).toContain(`<code>${path.replace(/&/g, '&amp;')}</code>`);
  });
});
