import type { FastifySchemaCompiler, SafePromiseLike } from 'fastify';
import type { TSchema } from 'typebox';
import type { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { parseBasicCredentials } from '../../oauth/client-auth/client-secret.js';
import { OAuthError } from '../../oauth/errors.js';
import { LIMITS } from './oauth-schemas.js';
import { isSafeText } from './safe-string.js';

/** A refusal as Fastify passes validation errors on: the status it carries is the OAuth one. */
const refusal = (error: OAuthError): OAuthError => Object.assign(error, { statusCode: error.status, code: 'GH_OAUTH_INVALID_PARAMETER' });

const FORM_REQUIRED = 'Send the parameters as application/x-www-form-urlencoded.';

function parameterError(error: TLocalizedValidationError | undefined): OAuthError {
  const name = (error?.instancePath ?? '').slice(1, 65) || 'A parameter';
  const detail = `${error?.instancePath} ${error?.keyword}`;
  if (error?.keyword === 'maxLength') return new OAuthError('invalid_request', `${name} is longer than ${(error.params as { limit: number }).limit} characters.`, detail);
  if (error?.keyword === 'pattern') return new OAuthError('invalid_request', `${name} contains a control character or an unpaired surrogate.`, detail);
  return new OAuthError('invalid_request', `${name} is malformed.`, detail);
}

function pathError(error: TLocalizedValidationError | undefined): OAuthError {
  // No tenant or provider has such an id: answered as for an unknown one.
  if (error?.instancePath === '/providerId') return new OAuthError('invalid_request', 'Unknown identity provider.', 'malformed provider id');
  return new OAuthError('invalid_tenant', 'Unknown tenant.', 'malformed tenant slug');
}

type Outcome = { value: unknown } | { error: OAuthError };
type Check = (value: unknown) => Outcome;

let compiler: Promise<typeof Compile> | undefined;
/** TypeBox's compiler, imported on the first OAuth request: at start-up it cost about 100 ms and 4 MB. */
const loadCompiler = (): Promise<typeof Compile> => (compiler ??= import('typebox/compile').then((module) => module.Compile));

/**
 * A route part's check, compiled on its first request. Until then Fastify gets a promise (it
 * awaits a validator's promise, a rejection being the refusal); from then on the check is
 * synchronous.
 */
function compiledOnFirstUse(schema: TSchema, build: (validator: ReturnType<typeof Compile>) => Check) {
  let check: Check | undefined;
  return (value: unknown): Outcome | SafePromiseLike<true> => {
    if (check) return check(value);
    const first = loadCompiler().then((compile): true => {
      check ??= build(compile(schema));
      const outcome = check(value);
      if ('error' in outcome) throw outcome.error;
      return true;
    });
    // Fastify brands the promises it accepts; this one is a plain promise of the same shape.
    return first as unknown as SafePromiseLike<true>;
  };
}

/**
 * The validator compiler of the OAuth routes (a route option, so the `/api` routes keep theirs):
 * TypeBox schemas for the path, and for the form body or query string as parsed by
 * `form-body.ts` into a Map (RFC 6749 §3.1, §3.2: each parameter at most once). Every refusal is
 * an `OAuthError`, answered as RFC 6749 §5.2 JSON by the one error handler.
 */
export const oauthValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (httpPart === 'params') {
    return compiledOnFirstUse(schema, (validator) => (value) => (validator.Check(value) ? { value } : { error: refusal(pathError(validator.Errors(value)[0])) }));
  }
  if (httpPart === 'body' || httpPart === 'querystring') {
    return compiledOnFirstUse(schema, (validator) => (value) => {
      if (!(value instanceof Map)) return { error: refusal(new OAuthError('invalid_request', FORM_REQUIRED)) };
      const parameters: Record<string, unknown> = Object.fromEntries(value);
      return validator.Check(parameters) ? { value } : { error: refusal(parameterError(validator.Errors(parameters)[0])) };
    });
  }
  throw new Error(`The OAuth routes declare no ${httpPart} schema.`);
};

/**
 * RFC 6749 §2.3.1: the HTTP Basic user is the client id, with the same rules as the `client_id`
 * parameter; malformed credentials are `invalid_client` with a Basic challenge (§5.2).
 */
export function checkBasicClientId(authorization: string | undefined): void {
  if (authorization === undefined || !/^basic /i.test(authorization)) return;
  try {
    const { clientId } = parseBasicCredentials(authorization);
    if (clientId.length > LIMITS.clientId || !isSafeText(clientId)) throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.', 'unsafe client id');
  } catch (error) {
    if (error instanceof OAuthError) error.basicChallenge = true;
    throw error;
  }
}
