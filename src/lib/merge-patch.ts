import { isPlainObject } from './base64url.js';

type JsonObject = Record<string, unknown>;

/**
 * RFC 7396 JSON Merge Patch, as FusionAuth's PATCH applies it: objects merge recursively, `null`
 * removes a member, everything else (arrays included) replaces.
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isPlainObject(value) && isPlainObject(result[key])) result[key] = mergePatch(result[key] as JsonObject, value);
    else result[key] = value;
  }
  return result;
}
