/**
 * SMART App Launch v2 scopes (`scopes-and-launch-context`): `<patient|user|system>/<Type|*>.<cruds>`
 * with an optional query, plus v1 `.read`/`.write`/`.*`. Koppeltaal restricts by origin with
 * `?resource-origin=Device/<a>,Device/<b>` (a comma-joined OR list, TOP-KT-005c).
 */
export type ScopeLetter = 'c' | 'r' | 'u' | 'd' | 's';
export const LETTER_ORDER: readonly ScopeLetter[] = ['c', 'r', 'u', 'd', 's'];

export interface ResourceScope {
  context: 'patient' | 'user' | 'system';
  /** FHIR resource type, or `*`. */
  resourceType: string;
  letters: Set<ScopeLetter>;
  /** Allowed `resource-origin` references; undefined = any origin. */
  origins: string[] | undefined;
}

const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]+)(?:\?(.*))?$/;
const V1: Record<string, ScopeLetter[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const DEVICE_REFERENCE = /^Device\/[A-Za-z0-9\-.]{1,64}$/;

/** Parses one scope token; undefined when it is not a resource scope Gatehouse can reason about. */
export function parseResourceScope(token: string): ResourceScope | undefined {
  const match = SCOPE.exec(token);
  if (!match) return undefined;
  const [, context, resourceType, permissions, query] = match;
  let letters: ScopeLetter[];
  if (V1[permissions]) {
    letters = V1[permissions];
  } else {
    // v2: an ordered, non-empty subset of c r u d s (out-of-order strings are not understood).
    if (!/^c?r?u?d?s?$/.test(permissions) || permissions === '') return undefined;
    letters = [...permissions] as ScopeLetter[];
  }
  let origins: string[] | undefined;
  if (query !== undefined) {
    const params = query.split('&');
    if (params.length !== 1 || !params[0].startsWith('resource-origin=')) return undefined;
    origins = params[0].slice('resource-origin='.length).split(',');
    if (origins.length === 0 || !origins.every((o) => DEVICE_REFERENCE.test(o))) return undefined;
  }
  return { context: context as ResourceScope['context'], resourceType, letters: new Set(letters), origins };
}

export function formatResourceScope(scope: ResourceScope): string {
  const letters = LETTER_ORDER.filter((l) => scope.letters.has(l)).join('');
  return `${scope.context}/${scope.resourceType}.${letters}${scope.origins ? `?resource-origin=${scope.origins.join(',')}` : ''}`;
}

/**
 * What of `granted` a `requested` scope asks for: same context, resource types that overlap
 * (`*` matches any), the common letters, and the common origins. Undefined when nothing is left.
 */
export function intersectScopes(requested: ResourceScope, granted: ResourceScope): ResourceScope | undefined {
  if (requested.context !== granted.context) return undefined;
  let resourceType: string;
  if (requested.resourceType === '*') resourceType = granted.resourceType;
  else if (granted.resourceType === '*' || granted.resourceType === requested.resourceType) resourceType = requested.resourceType;
  else return undefined;
  const letters = new Set(LETTER_ORDER.filter((l) => requested.letters.has(l) && granted.letters.has(l)));
  if (letters.size === 0) return undefined;
  let origins: string[] | undefined;
  if (!requested.origins) origins = granted.origins;
  else if (!granted.origins) origins = requested.origins;
  else origins = granted.origins.filter((o) => requested.origins!.includes(o));
  if (origins && origins.length === 0) return undefined;
  return { context: granted.context, resourceType, letters, origins };
}
