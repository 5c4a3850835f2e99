import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../lib/base64url.js';

/** FusionAuth search endpoints: criteria in the POST body's `search` object, or in the query string. */
export function searchCriteria(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return isPlainObject(body) && isPlainObject(body.search) ? body.search : (request.query as Record<string, unknown>);
}
