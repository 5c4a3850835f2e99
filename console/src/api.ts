/**
 * The one way the console talks to Gatehouse: the public `/api`, with the API key as the
 * `Authorization` header (FusionAuth style, no scheme) and the chosen tenant as
 * `X-FusionAuth-TenantId`. Errors keep FusionAuth's `{fieldErrors, generalErrors}` so forms can
 * show each message beside the field it names.
 */
import { session } from './session.js';

export interface ApiMessage {
  code: string;
  message: string;
}

export interface ApiErrors {
  fieldErrors: Record<string, ApiMessage[]>;
  generalErrors: ApiMessage[];
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrors,
  ) {
    super(errors.generalErrors[0]?.message ?? Object.values(errors.fieldErrors)[0]?.[0]?.message ?? `The server answered ${status}.`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

function failure(status: number, body: Json): ApiFailure {
  const errors: ApiErrors = {
    fieldErrors: body && typeof body === 'object' && body.fieldErrors ? body.fieldErrors : {},
    generalErrors: body && typeof body === 'object' && Array.isArray(body.generalErrors) ? body.generalErrors : [],
  };
  if (status === 401 && errors.generalErrors.length === 0) errors.generalErrors.push({ code: 'unauthorized', message: 'The API key was refused (401): unknown, or not allowed to do this.' });
  if (status === 404 && errors.generalErrors.length === 0) errors.generalErrors.push({ code: 'notFound', message: 'Not found (404).' });
  return new ApiFailure(status, errors);
}

/** Calls `/api`; resolves with the JSON body (or null), rejects with an ApiFailure on any non-2xx. */
export async function api(method: string, path: string, body?: unknown, apiKey = session.apiKey()): Promise<Json> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers.authorization = apiKey;
  const tenantId = session.tenantId();
  if (tenantId) headers['x-fusionauth-tenantid'] = tenantId;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
  const text = await response.text();
  let parsed: Json = null;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  if (!response.ok) throw failure(response.status, parsed);
  return parsed;
}

/** An error of any kind as ApiErrors (network errors and bugs become a general error). */
export function asApiErrors(error: unknown): ApiErrors {
  if (error instanceof ApiFailure) return error.errors;
  return { fieldErrors: {}, generalErrors: [{ code: 'error', message: error instanceof Error ? error.message : String(error) }] };
}
