import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `/events/0/user` under `body` -> `body.events[0].user`. */
function fieldName(part: string, instancePath: string): string {
  return part + instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('');
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v = root;
  for (const s of instancePath.split('/').slice(1)) v = v == null ? undefined : (v as Record<string, unknown>)[s];
  return v;
}

/** A short rendering of a value for an error message. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return v.length > 60 ? `a string of ${Buffer.byteLength(v)} bytes (${JSON.stringify(v.slice(0, 20))}...)` : JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'number') return String(v);
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The first schema violation as `field must ..., got value`, and whether it is a size limit (413). */
export function describeValidation(part: string, issue: AjvIssue, data: unknown): { message: string; tooLarge: boolean } {
  const field = fieldName(part, issue.instancePath);
  const value = valueAt(data, issue.instancePath);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return { message: `${field}.${String(p.missingProperty)} is required, got nothing`, tooLarge: false };
    case 'additionalProperties':
      return { message: `${field} must not have the field ${JSON.stringify(p.additionalProperty)}, got one`, tooLarge: false };
    case 'type':
      return { message: `${field} must be ${String(p.type) === 'integer' ? 'an integer' : `a ${String(p.type)}`}, got ${showValue(value)}`, tooLarge: false };
    case 'minLength':
      return { message: `${field} must be a non-empty string, got ${showValue(value)}`, tooLarge: false };
    case 'maxLength':
      return { message: `${field} must be at most ${String(p.limit)} UTF-8 bytes, got ${showValue(value)}`, tooLarge: false };
    case 'minItems':
      return { message: `${field} must hold at least ${String(p.limit)} item(s), got ${showValue(value)}`, tooLarge: false };
    case 'maxItems':
      return { message: `${field} must hold at most ${String(p.limit)} items, got ${showValue(value)}`, tooLarge: true };
    case 'minimum':
    case 'maximum':
      return { message: `${field} must be ${issue.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}, got ${showValue(value)}`, tooLarge: false };
    default:
      return { message: `${field} ${issue.message ?? 'is invalid'}, got ${showValue(value)}`, tooLarge: false };
  }
}

/** Fastify's error handler: 400/413 bodies that name the route, the field and the value. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const send = (statusCode: number, message: string) => {
    const names: Record<number, string> = { 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable' };
    void reply.code(statusCode).send({ statusCode, error: names[statusCode] ?? 'Error', message: `${route}: ${message}` });
  };
  if (error.validation && error.validation.length > 0) {
    const part = error.validationContext ?? 'body';
    const data = part === 'body' ? request.body : part === 'querystring' ? request.query : part === 'params' ? request.params : request.headers;
    const d = describeValidation(part === 'querystring' ? 'query' : part, error.validation[0] as AjvIssue, data);
    return send(d.tooLarge ? 413 : 400, d.message);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(413, `body must be at most ${request.routeOptions.bodyLimit ?? '?'} bytes, got more`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(400, `body must be valid JSON, got ${error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'an empty body' : `invalid JSON (${error.message})`}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(415, `Content-Type must be application/json, got ${showValue(request.headers['content-type'])}`);
  }
  if (error instanceof SyntaxError) return send(400, `body must be valid JSON, got invalid JSON (${error.message})`);
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) request.log.error(error);
  send(status, status === 500 ? `failed: ${error.message}` : error.message);
}
