// OpenAPI 3 generation from the routes' zod schemas (@fastify/swagger + the zod type
// provider's transforms). Recursive schemas are JSON values (z.json(), lazy JSON types); the
// converter refers to them by generated names it does not emit, so they are pointed at one
// `JsonValue` component instead, and every $ref in the document resolves.
import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const GENERATED_REF = /^#\/components\/schemas\/schema\d+$/;
export const JSON_VALUE_REF = '#/components/schemas/JsonValue';

/** Any JSON value; OpenAPI 3.0 reads a schema without `type` as "anything". */
const JSON_VALUE_SCHEMA = { description: 'Any JSON value: string, number, boolean, null, array or object' };

function pointGeneratedRefsAtJsonValue(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(pointGeneratedRefsAtJsonValue);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && GENERATED_REF.test(value) ? JSON_VALUE_REF : pointGeneratedRefsAtJsonValue(value);
  }
  return out;
}

type Transform = NonNullable<Extract<SwaggerOptions, { mode?: 'dynamic' }>['transform']>;
type TransformObject = NonNullable<Extract<SwaggerOptions, { mode?: 'dynamic' }>['transformObject']>;

const transform: Transform = (document) => {
  const result = (jsonSchemaTransform as unknown as Transform)(document);
  return { ...result, schema: pointGeneratedRefsAtJsonValue(result.schema) as typeof result.schema };
};

interface RequestBody {
  required?: boolean;
  content?: Record<string, { schema?: { nullable?: boolean } }>;
}

/**
 * @fastify/swagger marks every request body required; a body schema that accepts null (Fastify's
 * value for "no body", as in `POST /deliveries/:id/replay`) is optional.
 */
function markOptionalBodies(paths: Record<string, Record<string, { requestBody?: RequestBody }>> | undefined): void {
  for (const operations of Object.values(paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody;
      if (body && Object.values(body.content ?? {}).some((media) => media.schema?.nullable === true)) body.required = false;
    }
  }
}

const transformObject: TransformObject = (document) => {
  const spec = (jsonSchemaTransformObject as unknown as TransformObject)(document) as {
    paths?: Record<string, Record<string, { requestBody?: RequestBody }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  markOptionalBodies(spec.paths);
  return {
    ...spec,
    components: { ...spec.components, schemas: { ...spec.components?.schemas, JsonValue: JSON_VALUE_SCHEMA } },
  } as ReturnType<TransformObject>;
};

export function swaggerOptions(version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'liquidhook',
        version,
        description: 'Braze-dialect Liquid webhooks, lead scoring and sales hand-off, self-hosted.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    transform,
    transformObject,
  };
}
