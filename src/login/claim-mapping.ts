import type { ExternalJwtIdentityProvider, JsonObject } from '../store/records.js';

/** User fields a claim map may target directly (FusionAuth `claimMap` values). */
const USER_FIELDS = new Set(['birthDate', 'firstName', 'lastName', 'fullName', 'middleName', 'mobilePhone', 'imageUrl', 'timezone']);

/**
 * FusionAuth `claimMap`: each incoming claim goes to a user field, or under its own claim name
 * into `user.data` (`UserData`) or `registration.data` (`RegistrationData`). Absent claims are
 * skipped; profile fields take only non-empty strings.
 */
export function applyClaimMap(provider: ExternalJwtIdentityProvider, claims: JsonObject, user: JsonObject, registration: JsonObject | undefined): void {
  for (const [claim, target] of Object.entries(provider.claimMap)) {
    const value = claims[claim];
    if (value === undefined || value === null) continue;
    if (target === 'UserData') user.data = { ...(user.data as JsonObject), [claim]: value };
    else if (target === 'RegistrationData') {
      if (registration) registration.data = { ...(registration.data as JsonObject), [claim]: value };
    } else if (USER_FIELDS.has(target) && typeof value === 'string' && value !== '') user[target] = value;
  }
}

/**
 * FusionAuth `attributeMappings` (1.65): target `user.<path>` or `registration.<path>` (dots
 * separate levels), source a JSON Pointer (RFC 6901) into the claims, or a dot path that is read
 * as one. Unresolvable sources are ignored; `user.password` and identifiers are never set.
 * Unlike FusionAuth, they may be combined with a reconcile lambda, which then sees their result.
 */
export function applyAttributeMappings(provider: ExternalJwtIdentityProvider, claims: JsonObject, user: JsonObject, registration: JsonObject | undefined): void {
  for (const [target, source] of Object.entries(provider.attributeMappings)) {
    const value = resolveSource(claims, source);
    if (value === undefined || value === null || value === '') continue;
    const [root, ...path] = target.split('.');
    const object = root === 'user' ? user : root === 'registration' ? registration : undefined;
    if (!object || path.length === 0 || FORBIDDEN_TARGETS.has(path[0]) || path.some((s) => PROTOTYPE_KEYS.has(s))) continue;
    let cursor = object;
    for (const segment of path.slice(0, -1)) {
      const next = cursor[segment];
      cursor[segment] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as JsonObject) } : {};
      cursor = cursor[segment] as JsonObject;
    }
    cursor[path[path.length - 1]] = value;
  }
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const FORBIDDEN_TARGETS = new Set(['password', 'id', 'tenantId', 'userId', 'applicationId', 'insertInstant', 'lastUpdateInstant', 'lastLoginInstant', 'registrations']);

/** RFC 6901 §4: `~1` is `/`, `~0` is `~`; a source without a leading `/` is a dot path. */
export function resolveSource(claims: JsonObject, source: string): unknown {
  const segments = source.startsWith('/') ? source.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : source.split('.');
  let cursor: unknown = claims;
  for (const segment of segments) {
    if (cursor === null || typeof cursor !== 'object' || !Object.prototype.hasOwnProperty.call(cursor, segment)) return undefined;
    cursor = (cursor as JsonObject)[segment];
  }
  return cursor;
}
