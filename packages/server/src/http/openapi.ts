/** A route as the OpenAPI document needs it: method, URL, summary and its schemas. */
export interface RouteDoc {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  public?: boolean;
  schema: { body?: object; params?: object; querystring?: object; response?: Record<number, object> };
}

function parameters(schema: RouteDoc['schema']): object[] {
  const out: object[] = [];
  for (const [where, s] of [['path', schema.params], ['query', schema.querystring]] as const) {
    const props = (s as { properties?: Record<string, object>; required?: string[] } | undefined)?.properties ?? {};
    const required = (s as { required?: string[] } | undefined)?.required ?? [];
    for (const [name, p] of Object.entries(props)) out.push({ name, in: where, required: where === 'path' || required.includes(name), schema: p });
  }
  return out;
}

/**
 * The OpenAPI 3.0 document of the routes, generated from the same JSON schemas Fastify
 * validates with.
 *
 * @example
 * ```ts
 * openApiDocument([{ method: 'GET', url: '/v1/stats', summary: 'counters', schema: {} }], '0.1.0').paths['/v1/stats'];
 * ```
 */
export function openApiDocument(routes: RouteDoc[], version: string): { openapi: string; paths: Record<string, Record<string, object>>; [k: string]: unknown } {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, object> = {};
    for (const [code, s] of Object.entries(r.schema.response ?? {})) {
      const text = (s as { type?: string }).type === 'string';
      responses[code] = { description: code, content: { [text ? 'text/plain' : 'application/json']: { schema: s } } };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.public ? { security: [] } : {}),
      parameters: parameters(r.schema),
      ...(r.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.schema.body } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'memrec server', version, description: 'An online recommender that learns from every feedback event.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
