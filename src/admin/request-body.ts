import { ApiError } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import type { JsonObject } from '../store/records.js';

/** The wrapped object of a FusionAuth request body (`{"tenant": {...}}`), or a 400 naming it. */
export function unwrap(body: unknown, name: string): JsonObject {
  if (!isPlainObject(body) || !isPlainObject(body[name])) {
    throw new ApiError(400, { [name]: [{ code: `[missing]${name}`, message: `The request body must hold a [${name}] object.` }] });
  }
  return body[name];
}

export const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const optionalObject = (value: unknown): JsonObject => (isPlainObject(value) ? value : {});

/** RFC 7396-style merge used by PATCH: objects merge recursively, everything else replaces. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isPlainObject(value) && isPlainObject(result[key])) result[key] = mergePatch(result[key] as JsonObject, value);
    else result[key] = value;
  }
  return result;
}
