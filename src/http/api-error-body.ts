import type { ApiError, ErrorMessage } from '../lib/api-error.js';

/** FusionAuth's Errors JSON: field errors grouped by field path, then general errors. */
export interface ApiErrorBody {
  fieldErrors?: Record<string, ErrorMessage[]>;
  generalErrors?: ErrorMessage[];
}

/**
 * The one serializer of `/api` errors: a domain `ApiError` as `{fieldErrors, generalErrors}`
 * (each part only when it has entries), or undefined for an error without a body (401, 404).
 */
export function apiErrorBody(error: ApiError): ApiErrorBody | undefined {
  const fieldErrors: Record<string, ErrorMessage[]> = {};
  for (const { field, code, message } of error.fieldErrors) (fieldErrors[field] ??= []).push({ code, message });
  const hasField = error.fieldErrors.length > 0;
  const hasGeneral = error.generalErrors.length > 0;
  if (!hasField && !hasGeneral) return undefined;
  return { ...(hasField ? { fieldErrors } : {}), ...(hasGeneral ? { generalErrors: [...error.generalErrors] } : {}) };
}
