import type { Application, Tenant } from '../store/records.js';
import { verifyIdTokenHint } from '../tokens/id-token-hint.js';
import type { IdTokenHint } from '../tokens/id-token-hint.js';
import { clientRedirect } from './authorization-request.js';
import { findActiveClient } from './clients.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import { endSsoSession, findSsoSession } from './sso-session.js';
import type { SsoSession } from './sso-session.js';

/** What the logout endpoint answers: where the browser goes next, and whether its session cookie goes. */
export interface EndSessionAnswer {
  /** Undefined: Gatehouse answers with its own "logged out" page. */
  redirect?: string;
  clearCookie: boolean;
}

/** The post-logout URLs registered for a client: FusionAuth's `logoutURL` and Gatehouse's list. */
export const postLogoutRedirectUrlsOf = (application: Application): string[] => [
  ...(application.oauthConfiguration.logoutURL ? [application.oauthConfiguration.logoutURL] : []),
  ...(application.oauthConfiguration.postLogoutRedirectURLs ?? []),
];

const refuse = (description: string, detail?: string): never => {
  throw new OAuthError('invalid_request', description, detail);
};

/** The client the request names (hint `aud` and `client_id`, which must agree), if any. */
async function clientOf(ctx: OAuthContext, tenant: Tenant, hint: IdTokenHint | undefined, clientId: string | undefined): Promise<Application | undefined> {
  if (hint && clientId !== undefined && hint.clientId !== clientId) refuse('client_id is not the audience of id_token_hint.');
  const id = hint?.clientId ?? clientId;
  if (id === undefined) return undefined;
  const client = await findActiveClient(ctx, tenant.id, id);
  if (!client) refuse('Unknown client_id.', `client ${id.slice(0, 100)}`);
  return client!.application;
}

/** The upstream provider's end-session endpoint of the session's login, when it publishes one. */
async function upstreamLogout(ctx: OAuthContext, session: SsoSession | undefined): Promise<string | undefined> {
  if (!session) return undefined;
  const provider = await ctx.store.identityProviders.findById(session.identityProviderId);
  const endpoint = (provider?.oauth2 as { end_session_endpoint?: unknown } | undefined)?.end_session_endpoint;
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint)) return undefined;
  return clientRedirect(endpoint, { client_id: provider!.oauth2.client_id });
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3). `id_token_hint`, when
 * sent, must be an ID token of this tenant (expired ones too); its `aud` is the client, and
 * `client_id`, when both are sent, must be the same. `post_logout_redirect_uri` must exactly match
 * one registered for that client (so a client must be named); anything wrong is answered here,
 * never by a redirect. The session ended is the one the hint names (`sid`), else the browser's:
 * its row is deleted and its refresh tokens revoked. Then the browser goes to the
 * `post_logout_redirect_uri` with `state`, else the client's FusionAuth `logoutURL`, else the
 * upstream provider's end-session endpoint, else a page of Gatehouse.
 */
export async function endSession(ctx: OAuthContext, tenant: Tenant, params: ReadonlyMap<string, string>, sessionSecret: string | undefined): Promise<EndSessionAnswer> {
  const rawHint = params.get('id_token_hint');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(ctx, tenant, rawHint);
  if (rawHint !== undefined && !hint) refuse('id_token_hint is not an ID token of this issuer.');
  const application = await clientOf(ctx, tenant, hint, params.get('client_id'));
  const postLogout = params.get('post_logout_redirect_uri');
  if (postLogout !== undefined) {
    if (!application) refuse('post_logout_redirect_uri needs id_token_hint or client_id to name the client.');
    // §3: exact match with a registered value, as for redirect URIs (RFC 9700 §2.1).
    if (!postLogoutRedirectUrlsOf(application!).includes(postLogout)) refuse('post_logout_redirect_uri is not registered for this client.');
  }

  const browser = await findSsoSession(ctx, tenant, sessionSecret);
  let target: SsoSession | undefined = browser;
  if (hint?.sid) {
    const named = await ctx.store.ssoSessions.findById(hint.sid);
    target = named && named.tenantId === tenant.id && named.userId === hint.sub ? named : undefined;
  } else if (hint && browser?.userId !== hint.sub) {
    target = undefined;
  }
  if (target) await endSsoSession(ctx, target);
  // The cookie goes when its session ended, or when it stands for none.
  const clearCookie = sessionSecret !== undefined && (!browser || browser.id === target?.id);

  const state = params.get('state');
  if (postLogout !== undefined) return { redirect: clientRedirect(postLogout, { state }), clearCookie };
  if (application?.oauthConfiguration.logoutURL) return { redirect: clientRedirect(application.oauthConfiguration.logoutURL, { state }), clearCookie };
  const upstream = await upstreamLogout(ctx, target);
  return { ...(upstream ? { redirect: upstream } : {}), clearCookie };
}
