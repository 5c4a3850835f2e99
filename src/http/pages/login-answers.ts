import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationRedirectError, errorRedirect, ProviderChoiceRequired } from '../../oauth/authorization-request.js';
import type { BrowserLoginStep } from '../../oauth/brokered-login-finish.js';
import { issuerOf } from '../../oauth/context.js';
import { OAuthError } from '../../oauth/errors.js';
import { INTERACTION_TTL_MS, InteractionError } from '../../oauth/login-interaction.js';
import type { Tenant } from '../../store/records.js';
import type { HttpServices } from '../services.js';
import { setSsoCookie } from '../sso-cookie.js';
import { errorPage } from './error-page.js';
import { acceptsHtml, pageContext, sendPage } from './page-layout.js';
import { providerChoicePage } from './provider-choice-page.js';

/** The cookie that binds a hosted-page interaction to the browser; sent only to the tenant's pages. */
export const interactionCookieOf = (id: string): string => `gh_login_${id}`;

/** Where an interaction's page is. */
export const interactionPath = (tenant: Tenant, id: string, page: 'onboarding' | 'pendingLink'): string => `/t/${tenant.slug}/login/${id}/${page === 'onboarding' ? 'onboarding' : 'link'}`;

/** A browser redirect: 302 with no caching (RFC 6749 §4.1.2 responses carry codes). */
export const redirect = (reply: FastifyReply, location: string): FastifyReply =>
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache').redirect(location, 302);

/** Follows a brokered login's next step: the client's redirect (with the SSO cookie), or a hosted page (with its binding cookie). */
export function followStep(reply: FastifyReply, services: HttpServices, tenant: Tenant, step: BrowserLoginStep): FastifyReply {
  if (step.kind === 'redirect') {
    if (step.session) setSsoCookie(reply, services.config, tenant, step.session);
    return redirect(reply, step.url);
  }
  const secure = services.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  // SameSite=Lax: the page is reached by the redirect chain from the provider, a cross-site navigation.
  const cookie = `${interactionCookieOf(step.id)}=${step.binding}; Path=/t/${tenant.slug}/login; Max-Age=${INTERACTION_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure}`;
  return redirect(reply.header('set-cookie', cookie), interactionPath(tenant, step.id, step.page));
}

const statusOf = (error: string): number => (error === 'access_denied' ? 403 : error === 'temporarily_unavailable' ? 503 : 400);

/** The provider choice links: the client's request, each with its `idp_hint`. */
function choiceLinks(tenant: Tenant, params: ReadonlyMap<string, string>, providers: { id: string; name: string }[]): { name: string; href: string }[] {
  return providers.map((provider) => {
    const query = new URLSearchParams([...params].filter(([name]) => name !== 'idp_hint' && name !== 'kc_idp_hint'));
    query.set('idp_hint', provider.id);
    return { name: provider.name, href: `/t/${tenant.slug}/oauth2/authorize?${query.toString()}` };
  });
}

/**
 * How a refused authorization request or brokered login is answered (README "Hosted login
 * pages"). To a browser (Accept: text/html): the provider choice page; an error page for a login
 * refused after the upstream login (a lambda's reject with its message, the provider's failure),
 * with a link back to the client's registered redirect URI carrying the error; an error page
 * without that link when no redirect URI is established (unknown client, unregistered
 * redirect_uri, an expired state: RFC 6749 §4.1.2.1 forbids redirecting then). A request the
 * client got wrong (invalid_request and the like) still goes back to the client at once, as to
 * any other user agent, which gets the redirect or JSON error as before.
 */
export function answerLoginError(request: FastifyRequest, reply: FastifyReply, services: HttpServices, tenant: Tenant | undefined, error: unknown, params?: ReadonlyMap<string, string>): FastifyReply {
  const wantsPage = acceptsHtml(request.headers.accept);
  const language = request.headers['accept-language'];
  if (error instanceof ProviderChoiceRequired && wantsPage && tenant && params) {
    const page = pageContext(tenant, error.uiLocales, language);
    return sendPage(reply, 200, providerChoicePage(page, { applicationName: error.applicationName, choices: choiceLinks(tenant, params, error.providers) }));
  }
  if (error instanceof AuthorizationRedirectError && tenant) {
    reply.request.log.info({ oauthError: error.error }, 'authorization request refused');
    const back = errorRedirect(error, issuerOf(services.config, tenant));
    if (!error.forUser || !wantsPage) return redirect(reply, back);
    const page = pageContext(tenant, error.uiLocales, language);
    return sendPage(reply, statusOf(error.error), errorPage(page, { code: error.extra.code ?? error.error, error: error.error, message: error.description, backUrl: back }));
  }
  if (error instanceof InteractionError && tenant) {
    return sendPage(reply, error.status, errorPage(pageContext(tenant, undefined, language), { code: error.code, message: error.message }));
  }
  if (error instanceof OAuthError && wantsPage && tenant) {
    return sendPage(reply, error.status, errorPage(pageContext(tenant, undefined, language), { code: error.error, error: error.error, message: error.description }));
  }
  throw error;
}
