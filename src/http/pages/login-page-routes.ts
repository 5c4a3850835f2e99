import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../lib/api-error.js';
import { csrfTokenOf } from '../../oauth/login-interaction.js';
import type { LoginInteraction } from '../../oauth/login-interaction.js';
import type { Tenant } from '../../store/records.js';
import { errorHandler } from '../error-replies.js';
import { FormBodyError } from '../form-body.js';
import { TenantParams } from '../schemas/oauth-schemas.js';
import { oauthValidatorCompiler } from '../schemas/oauth-validator.js';
import { SafeString } from '../schemas/safe-string.js';
import type { HttpServices } from '../services.js';
import { cookieValue, ssoSecretOf } from '../sso-cookie.js';
import { errorPage } from './error-page.js';
import { answerLoginError, followStep, interactionCookieOf, interactionPath } from './login-answers.js';
import { themeCss } from './login-theme-css.js';
import { onboardingPage } from './onboarding-page.js';
import { pageContext, sendPage } from './page-layout.js';
import type { PageContext } from './page-layout.js';
import { pendingLinkPage } from './pending-link-page.js';

const InteractionParams = Type.Object({ tenant: TenantParams.properties.tenant, interaction: Type.String({ pattern: '^[A-Za-z0-9_-]{32}$' }) });
/** The pages' forms: the CSRF token, and the onboarding's fields (checked against the lambda's description). */
const PageForm = Type.Object({ csrf_token: Type.Optional(SafeString(64)), user_id: Type.Optional(SafeString(64)) }, { additionalProperties: true });

type Params = { Params: { tenant: string; interaction: string }; Body: ReadonlyMap<string, string> };

/**
 * The hosted login pages of a tenant (`/t/{tenant}/login/…`): the onboarding form and the
 * pending-link page of a brokered login held for the user, and the tenant's stylesheet. The
 * provider choice and the error pages are answers of the authorization endpoints
 * (login-answers.ts). Every POST is bound to the browser (cookie) and carries the CSRF token.
 */
export function registerLoginPageRoutes(app: FastifyInstance, services: HttpServices, rateLimitConfig: Record<string, unknown>): void {
  const flow = services.hostedLogin;
  const tenantOf = async (request: FastifyRequest<Params>): Promise<Tenant | undefined> => services.tenants.findBySlug(request.params.tenant);
  const bindingOf = (request: FastifyRequest<Params>): string | undefined => cookieValue(request, interactionCookieOf(request.params.interaction));
  const pageOf = (request: FastifyRequest, tenant: Tenant, interaction?: LoginInteraction): PageContext =>
    pageContext(tenant, interaction?.login.uiLocales, request.headers['accept-language']);
  const applicationName = async (interaction: LoginInteraction): Promise<string> => (await services.store.applications.findById(interaction.login.applicationId))?.name ?? '';

  /** A malformed path or form on a page route is answered with a page too, when the tenant exists. */
  const pageErrors = async (error: FastifyError, request: FastifyRequest<Params>, reply: FastifyReply) => {
    const tenant = request.params?.tenant ? await services.tenants.findBySlug(request.params.tenant).catch(() => undefined) : undefined;
    if (!tenant || !(error instanceof FormBodyError || error.code === 'GH_OAUTH_INVALID_PARAMETER')) return errorHandler(error, request, reply);
    return sendPage(reply, 400, errorPage(pageOf(request, tenant), { code: error.code ?? 'GH_FORM_MALFORMED', message: error.message }));
  };
  const limited = { config: rateLimitConfig, validatorCompiler: oauthValidatorCompiler, errorHandler: pageErrors };
  const get = { ...limited, schema: { params: InteractionParams } };
  const post = { ...limited, schema: { params: InteractionParams, body: PageForm } };

  /** Runs a page handler; refusals (expired, other browser, CSRF, a lambda's reject) become pages or the client's redirect. */
  const page = (handler: (request: FastifyRequest<Params>, reply: FastifyReply, tenant: Tenant) => Promise<FastifyReply>) => async (request: FastifyRequest<Params>, reply: FastifyReply) => {
    const tenant = await tenantOf(request);
    if (!tenant) return sendPage(reply, 404, 'Unknown tenant.');
    try {
      return await handler(request, reply, tenant);
    } catch (error) {
      return answerLoginError(request, reply, services, tenant, error);
    }
  };

  const showOnboarding = async (request: FastifyRequest<Params>, reply: FastifyReply, tenant: Tenant, interaction: LoginInteraction, status = 200, refused?: { values: ReadonlyMap<string, string>; problems: Record<string, never> | Record<string, string> }) => {
    const html = onboardingPage(pageOf(request, tenant, interaction), {
      action: interactionPath(tenant, interaction.id, 'onboarding'),
      csrfToken: csrfTokenOf(bindingOf(request)!),
      applicationName: await applicationName(interaction),
      fields: flow.fieldsOf(interaction),
      ...(refused ? { values: refused.values, problems: refused.problems as never } : {}),
    });
    return sendPage(reply, status, html, [interaction.login.redirectUri]);
  };

  app.get<Params>('/t/:tenant/login/:interaction/onboarding', get, page(async (request, reply, tenant) => {
    const interaction = await flow.interaction(tenant, request.params.interaction, bindingOf(request), 'onboarding');
    return showOnboarding(request, reply, tenant, interaction);
  }));

  app.post<Params>('/t/:tenant/login/:interaction/onboarding', post, page(async (request, reply, tenant) => {
    const result = await flow.completeOnboarding(tenant, request.params.interaction, bindingOf(request), request.body, ssoSecretOf(request));
    // Invalid input: the same form again, the problems beside their fields, nothing written (422).
    if (result.kind === 'invalid') return showOnboarding(request, reply, tenant, result.interaction, 422, { values: request.body, problems: result.problems });
    return followStep(reply, services, tenant, result);
  }));

  app.get<Params>('/t/:tenant/login/:interaction/link', get, page(async (request, reply, tenant) => {
    const interaction = await flow.interaction(tenant, request.params.interaction, bindingOf(request), 'pendingLink');
    const step = interaction.step.kind === 'pendingLink' ? interaction.step : undefined;
    const account = await flow.sessionAccount(tenant, ssoSecretOf(request));
    const action = interactionPath(tenant, interaction.id, 'pendingLink');
    const html = pendingLinkPage(pageOf(request, tenant, interaction), {
      action,
      csrfToken: csrfTokenOf(bindingOf(request)!),
      applicationName: await applicationName(interaction),
      providerName: step?.providerName ?? '',
      displayName: step?.displayName ?? '',
      ...(account ? { confirm: { action: `${action}/confirm`, ...account } } : {}),
    });
    return sendPage(reply, 200, html, [interaction.login.redirectUri]);
  }));

  app.post<Params>('/t/:tenant/login/:interaction/link', post, page(async (request, reply, tenant) => {
    // "Continue without linking": back to the client with the pending link's id, as before the page.
    throw await flow.declineLink(tenant, request.params.interaction, bindingOf(request), request.body);
  }));

  app.post<Params>('/t/:tenant/login/:interaction/link/confirm', post, page(async (request, reply, tenant) => {
    // The Link API's own rules (link limits, an identity linked meanwhile); a refusal is shown, not a 500.
    const link = async (pendingIdPLinkId: string, userId: string): Promise<string | undefined> => {
      try {
        await services.links.link(tenant.id, { userId }, pendingIdPLinkId);
        return undefined;
      } catch (error) {
        if (error instanceof ApiError) return error.message;
        throw error;
      }
    };
    const step = await flow.confirmLink(tenant, request.params.interaction, bindingOf(request), request.body, ssoSecretOf(request), link);
    return followStep(reply, services, tenant, step);
  }));

  app.get<{ Params: { tenant: string } }>('/t/:tenant/login/theme.css', { validatorCompiler: oauthValidatorCompiler, schema: { params: TenantParams } }, async (request, reply) => {
    const tenant = await services.tenants.findBySlug(request.params.tenant);
    if (!tenant) return reply.status(404).header('content-type', 'text/css; charset=utf-8').send('');
    // The URL carries the tenant's last change (`?v=`): a changed theme is a new URL.
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(themeCss(tenant));
  });
}
