/** The host's side of the JSON contract with the sandbox worker: what is posted, what comes back. */
import { isPlainObject } from '../lib/base64url.js';
import type { FreezeShape, ReconcileRequest, ReconcileResult, WorkerRequest, WorkerResult } from './lambda-types.js';

/** The nested objects and arrays of a JSON value, as the worker's deep freeze walks them. */
function freezeShape(value: unknown): FreezeShape {
  const shape: FreezeShape = {};
  for (const [key, child] of Object.entries(value as object)) {
    if (child !== null && typeof child === 'object') shape[key] = freezeShape(child);
  }
  return shape;
}

/** A completed call's JSON texts as objects; anything but two objects is bad output. */
export function decode(result: WorkerResult): ReconcileResult {
  if (result.status !== 'completed') return result;
  const user: unknown = JSON.parse(result.user);
  const registration: unknown = JSON.parse(result.registration);
  if (!isPlainObject(user) || !isPlainObject(registration)) return { status: 'failed', code: 'LAMBDA_BAD_OUTPUT', message: 'user and registration must stay objects.', logs: result.logs };
  return { status: 'completed', user, registration, logs: result.logs };
}

/**
 * One JSON text for the call's data instead of structured-cloned objects: QuickJS needs JSON
 * anyway, so the worker neither deserializes nor stringifies it again (measured on the login path).
 */
export function toWorkerRequest(request: ReconcileRequest): WorkerRequest {
  const input = request.input ?? null;
  return {
    body: request.body,
    data: JSON.stringify({ user: request.user, registration: request.registration, jwt: request.jwt, input }),
    frozen: { jwt: freezeShape(request.jwt), input: input === null ? null : freezeShape(input) },
    debug: request.debug,
    ...(request.checkOnly ? { checkOnly: true } : {}),
  };
}
