import { isPlainObject } from '../lib/base64url.js';
import type { FieldErrors } from '../lib/api-error.js';
import type { JsonObject } from '../store/records.js';

/**
 * Defensive reads of an input's optional fields. The `/api` edge has checked types against the
 * route schemas already; kickstart documents arrive unchecked, so the services still read each
 * field for what it is and treat anything else as absent.
 */
export const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const optionalObject = (value: unknown): JsonObject => (isPlainObject(value) ? value : {});
/** An input interface seen as its fields, for the defensive reads above. */
export const fieldsOf = (input: object): JsonObject => input as JsonObject;

/**
 * `startRow` and `numberOfResults` of a listing (digits from the query string or integers), each
 * checked into its range; an out-of-range or non-integer value is a field error under its name.
 */
export function pageOf(
  criteria: { startRow?: number | string; numberOfResults?: number | string },
  errors: FieldErrors,
  limits: { defaultResults: number; maxResults: number },
): { startRow: number; numberOfResults: number } {
  const integer = (name: 'startRow' | 'numberOfResults', fallback: number, min: number, max: number): number => {
    const raw = criteria[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) errors.add(name, 'invalid', `An integer from ${min} to ${max}.`);
    return value;
  };
  return { startRow: integer('startRow', 0, 0, 1_000_000), numberOfResults: integer('numberOfResults', limits.defaultResults, 1, limits.maxResults) };
}
