import type { Tenant } from '../store/records.js';
import { AuthorizationRedirectError } from './authorization-request.js';
import type { ValidAuthorizationRequest } from './authorization-request.js';
import type { OAuthContext } from './context.js';
import { findSsoSession, sessionAgeSeconds } from './sso-session.js';
import type { SsoSession } from './sso-session.js';

/** OIDC Core §3.1.2.1 `prompt` values; `consent` and `select_account` need the upstream, like `login`. */
const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'];

/** What the request asks of the user's authentication (OIDC Core §3.1.2.1). */
export interface LoginPrompt {
  /** `prompt=none`: no interaction; answer `login_required` rather than going upstream. */
  none: boolean;
  /** `prompt=login` (or `consent`, `select_account`, or `max_age=0`): the upstream login, whatever the session. */
  interactive: boolean;
  /** `max_age` in seconds: a session whose login is older needs the upstream login. */
  maxAge?: number;
}

/** Parses `prompt` and `max_age`; malformed ones go back to the client as `invalid_request`. */
export function parseLoginPrompt(request: ValidAuthorizationRequest, params: ReadonlyMap<string, string>): LoginPrompt {
  const refuse = (description: string): never => {
    throw new AuthorizationRedirectError('invalid_request', description, request.redirectUri, request.state);
  };
  const values = (params.get('prompt') ?? '').split(' ').filter((v) => v !== '');
  const unknown = values.find((v) => !PROMPT_VALUES.includes(v));
  if (unknown !== undefined) refuse(`prompt value ${unknown.slice(0, 40)} is not supported (none, login, consent, select_account).`);
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (values.includes('none') && values.length > 1) refuse('prompt=none cannot be combined with other values.');
  const rawMaxAge = params.get('max_age');
  if (rawMaxAge !== undefined && !/^\d{1,10}$/.test(rawMaxAge)) refuse('max_age must be a non-negative integer number of seconds.');
  const maxAge = rawMaxAge === undefined ? undefined : Number(rawMaxAge);
  return { none: values.includes('none'), interactive: values.some((v) => v !== 'none') || maxAge === 0, ...(maxAge !== undefined ? { maxAge } : {}) };
}

/**
 * Whether the browser's SSO session logs the user in to this client without the upstream
 * provider: it must be live, of the provider the client would log in with (an `idp_hint` naming
 * another sends the browser there), recent enough for `max_age`, for an active user, and — where
 * the upstream login would create a registration for the client — the user must have one (else
 * the reconcile pipeline at the upstream login creates it). `prompt=login` never resumes;
 * `prompt=none` without a usable session is `login_required` (OIDC Core §3.1.2.6), with `state`
 * and `iss` like every error sent back.
 */
export async function resumeSsoSession(
  ctx: OAuthContext,
  tenant: Tenant,
  request: ValidAuthorizationRequest,
  params: ReadonlyMap<string, string>,
  sessionSecret: string | undefined,
): Promise<SsoSession | undefined> {
  const prompt = parseLoginPrompt(request, params);
  const session = prompt.interactive ? undefined : await findSsoSession(ctx, tenant, sessionSecret);
  if (session && (await covers(ctx, session, request, prompt))) return session;
  if (prompt.none) throw new AuthorizationRedirectError('login_required', 'The user is not logged in (prompt=none).', request.redirectUri, request.state);
  return undefined;
}

async function covers(ctx: OAuthContext, session: SsoSession, request: ValidAuthorizationRequest, prompt: LoginPrompt): Promise<boolean> {
  if (session.identityProviderId !== request.provider.id) return false;
  if (prompt.maxAge !== undefined && sessionAgeSeconds(ctx, session) > prompt.maxAge) return false;
  const user = await ctx.store.users.findById(session.userId);
  if (!user || !user.active || user.tenantId !== session.tenantId) return false;
  if (request.provider.applicationConfiguration[request.application.id]?.createRegistration === false) return true;
  return (await ctx.store.registrations.find(user.id, request.application.id)) !== undefined;
}
