import { mergePatch } from '../lib/merge-patch.js';

/**
 * FusionAuth's request conventions at the edge. A body wraps its object (`{"tenant": {...}}`;
 * the route schemas require the wrapper, so a body without it is `[missing]tenant`); PATCH is an
 * RFC 7396 merge of the request into the object as it is, and the service then receives the
 * merged whole exactly as a PUT would send it.
 */
export async function patched<T extends object>(current: Promise<object>, patch: object): Promise<T> {
  // The stored object has the input's shape (services return what they take) plus read-only
  // fields (instants, ids) that the services ignore on update.
  return mergePatch((await current) as Record<string, unknown>, patch as Record<string, unknown>) as T;
}

/** Lambda PATCH in FusionAuth is a shallow merge: top-level fields replace, nothing is removed. */
export async function shallowPatched<T extends object>(current: Promise<object>, patch: object): Promise<T> {
  return { ...(await current), ...patch } as T;
}
