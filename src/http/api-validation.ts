import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ApiError } from '../lib/api-error.js';
import type { ErrorMessage, FieldError, FieldErrorKind } from '../lib/api-error.js';
import { NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_BUT_LINES } from './schemas/common.js';

/**
 * Fastify's ajv for the route schemas: no silent type coercion (a number where a string is
 * declared is refused, not turned into "1"), nothing removed (an undeclared field is either
 * accepted as FusionAuth clients send it, or refused where a schema says so — never dropped
 * silently), no defaults filled in (defaults are the services' business), and every error of a
 * request reported at once, as FusionAuth's field errors are. Union types (`["integer", "string"]`)
 * are allowed for the FusionAuth fields that take either.
 */
export const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true, allowUnionTypes: true } as const;

/** Where a schema failure is (Fastify's `SchemaErrorDataVar`, not exported by its index). */
type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';

/** `/roles/0/name` → `roles[0].name`. */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function kindOf(error: FastifySchemaValidationError, dataVar: SchemaErrorDataVar): FieldErrorKind {
  switch (error.keyword) {
    case 'required':
      return 'missing';
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return 'tooLong';
    case 'additionalProperties':
      return 'notAllowed';
    // Query values are strings or, when a parameter is given twice, arrays of them.
    case 'type':
      return dataVar === 'querystring' ? 'repeated' : 'invalid';
    default:
      return 'invalid';
  }
}

function messageOf(error: FastifySchemaValidationError, kind: FieldErrorKind): string {
  const params = error.params as Record<string, unknown>;
  if (kind === 'repeated') return 'Give this parameter at most once.';
  if (error.keyword === 'pattern' && (params.pattern === NO_CONTROL_CHARACTERS || params.pattern === NO_CONTROL_CHARACTERS_BUT_LINES)) {
    return 'Control characters (U+0000 to U+001F, U+007F) are not allowed here.';
  }
  if (kind === 'tooLong') return `At most ${String(params.limit)} ${error.keyword === 'maxLength' ? 'characters' : 'entries'}.`;
  if (kind === 'notAllowed') return 'This field is not part of the request.';
  if (kind === 'missing') return 'This field is required.';
  return `Invalid value: ${error.message ?? 'does not match the schema'}.`;
}

/**
 * Schema failures of `/api` routes as FusionAuth field errors: `[missing]`, `[invalid]`,
 * `[tooLong]`, `[notAllowed]` or `[repeated]` + the field path (`application.name`, a query
 * parameter's name). A body that is not an object is the general error `[invalid]body`.
 */
export function apiValidationError(errors: FastifySchemaValidationError[], dataVar: SchemaErrorDataVar): ApiError {
  const fields: FieldError[] = [];
  const general: ErrorMessage[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    const extra = error.keyword === 'required' ? String(params.missingProperty) : error.keyword === 'additionalProperties' ? String(params.additionalProperty) : undefined;
    const field = fieldPath(error.instancePath, extra);
    const kind = kindOf(error, dataVar);
    if (field === '') {
      if (!seen.has('body')) general.push({ code: `[invalid]${dataVar}`, message: `The ${dataVar === 'body' ? 'request body' : dataVar} must be a JSON object.` });
      seen.add('body');
      continue;
    }
    const code = `[${kind}]${field}`;
    if (seen.has(code)) continue;
    seen.add(code);
    fields.push({ field, code, message: messageOf(error, kind) });
  }
  return new ApiError(400, fields, general, `schema validation of ${dataVar}`);
}

/** Routes answered in FusionAuth's error shape: the `/api` and the health checks (not `/t/…`, RFC 6749 JSON there). */
const isApiRoute = (url: string): boolean => url.startsWith('/api/') || url === '/health' || url === '/ready';

/** Attaches the `/api` schema error format to every `/api` route as it is registered. */
export function registerApiValidation(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (isApiRoute(route.url) && !route.schemaErrorFormatter) route.schemaErrorFormatter = apiValidationError;
  });
}
