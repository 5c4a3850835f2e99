import { isPlainObject } from '../lib/base64url.js';
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
