import { MAX_EVENTS_PER_REQUEST, MAX_ID_BYTES } from '../events';

/** JSON schemas of the routes; the OpenAPI document is generated from these same objects. */
const id = { type: 'string', minLength: 1, maxLength: MAX_ID_BYTES, description: `1 to ${MAX_ID_BYTES} UTF-8 bytes` } as const;
const error = { type: 'object', properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } }, required: ['statusCode', 'error', 'message'] } as const;
const scored = { type: 'array', items: { type: 'object', properties: { item: { type: 'string' }, score: { type: 'number' } }, required: ['item', 'score'] } } as const;

export const feedbackEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'user', 'item'],
  properties: {
    eventId: { ...id, description: 'the client\'s id of the event; a repeated id is a duplicate, never applied twice' },
    user: id,
    item: id,
    timestamp: { type: 'number', description: 'any monotone unit; finite' },
    rating: { type: 'number', description: 'explicit rating; finite' },
  },
} as const;

export const feedbackBody = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST, items: feedbackEvent } },
} as const;

export const sessionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'object', additionalProperties: false, required: ['item'], properties: { item: id, timestamp: { type: 'number' } } },
    },
    n: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
    excludeSeen: { type: 'boolean', default: true },
  },
} as const;

export const recommendParams = { type: 'object', required: ['user'], properties: { user: id } } as const;
export const recommendQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    n: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
    excludeSeen: { type: 'boolean', default: true },
    minOffset: { type: 'integer', minimum: 0, description: 'wait (bounded) until the log offset a feedback response gave is applied: read your own writes' },
  },
} as const;
export const readyQuery = { type: 'object', additionalProperties: false, properties: { maxLag: { type: 'integer', minimum: 0, default: 0 } } } as const;

export const responses = {
  feedback: { 202: { type: 'object', properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' }, offset: { type: 'integer' } }, required: ['accepted', 'duplicates', 'offset'] }, 400: error, 401: error, 403: error, 413: error, 503: error },
  recommend: { 200: { type: 'object', properties: { user: { type: 'string' }, items: scored, coldStart: { type: 'boolean' }, offset: { type: 'integer' } }, required: ['user', 'items', 'coldStart', 'offset'] }, 400: error, 401: error, 503: error },
  session: { 200: { type: 'object', properties: { items: scored, offset: { type: 'integer' } }, required: ['items', 'offset'] }, 400: error, 401: error, 413: error },
  stats: {
    200: {
      type: 'object',
      properties: { eventsLogged: { type: 'integer' }, eventsApplied: { type: 'integer' }, offset: { type: 'integer' }, users: { type: 'integer' }, items: { type: 'integer' }, lastCheckpointOffset: { type: 'integer' } },
      required: ['eventsLogged', 'eventsApplied', 'offset', 'users', 'items', 'lastCheckpointOffset'],
    },
    401: error,
  },
  health: { 200: { type: 'object', properties: { status: { type: 'string' }, offset: { type: 'integer' }, applied: { type: 'integer' } }, required: ['status'] }, 503: error },
  text: { 200: { type: 'string' }, 401: error },
} as const;
