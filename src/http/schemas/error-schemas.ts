import { Type } from 'typebox';

/**
 * The error bodies as the OpenAPI document describes them (documentation only: the one error
 * handler, `error-replies.ts`, writes them). Registered as shared schemas with these `$id`s, so
 * the document lists each once under `components.schemas`.
 */

const ErrorMessage = Type.Object(
  {
    code: Type.String({ description: 'Stable code, FusionAuth style: `[kind]field.path` or `[Name]`.', examples: ['[blank]user.email'] }),
    message: Type.String({ description: 'A human-readable explanation; not for programs.' }),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** FusionAuth's Errors JSON (`/api`): field errors by field path, then general errors. */
export const ApiErrors = Type.Object(
  {
    fieldErrors: Type.Optional(Type.Record(Type.String(), Type.Array(ErrorMessage), { description: 'Errors of one request field, keyed by its path.' })),
    generalErrors: Type.Optional(Type.Array(ErrorMessage, { description: 'Errors of the request as a whole.' })),
  },
  { $id: 'ApiErrors', title: 'ApiErrors', description: 'FusionAuth Errors: `{fieldErrors, generalErrors}`.', additionalProperties: false },
);

/** RFC 6749 §5.2 error response of the OAuth endpoints (`/t/{tenant}/…`). */
export const OAuthErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'RFC 6749 §5.2 error code (or RFC 8693 / RFC 6750 / Gatehouse `invalid_tenant`).', examples: ['invalid_request'] }),
    error_description: Type.Optional(Type.String({ description: 'Human-readable; never internals.' })),
  },
  { $id: 'OAuthError', title: 'OAuthError', description: 'RFC 6749 §5.2 error response.', additionalProperties: true },
);

export const SHARED_SCHEMAS = [ApiErrors, OAuthErrorResponse];
