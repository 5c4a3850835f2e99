import { parseOnboardingFields, validateOnboardingInput } from '../login/onboarding-fields.js';
import type { FieldProblem, OnboardingField } from '../login/onboarding-fields.js';
import { ReconcileError } from '../login/reconcile-error.js';
import type { ReconcileService } from '../login/reconcile-service.js';
import type { Tenant } from '../store/records.js';
import { AuthorizationRedirectError } from './authorization-request.js';
import { refusedLogin, settleBrokeredLogin } from './brokered-login-finish.js';
import type { BrowserLoginStep } from './brokered-login-finish.js';
import type { OAuthContext } from './context.js';
import { checkCsrfToken, findInteraction, InteractionError, takeInteraction } from './login-interaction.js';
import { findSsoSession } from './sso-session.js';
import type { LoginInteraction } from './login-interaction.js';

export interface HostedLoginDeps {
  ctx: OAuthContext;
  reconcile: ReconcileService;
}

/** An onboarding form the user must correct: the problems by field, and what was typed. */
export interface OnboardingRefused {
  kind: 'invalid';
  interaction: LoginInteraction;
  fields: OnboardingField[];
  problems: Record<string, FieldProblem>;
}

/**
 * What the hosted pages do with a brokered login held for the user (login-interaction.ts): the
 * onboarding form, completed through the onboarding of the reconcile pipeline, and the pending-link
 * page. Every POST is checked against the browser binding and its CSRF token first.
 */
export class HostedLoginFlow {
  constructor(private readonly deps: HostedLoginDeps) {}

  /** The interaction a page shows (GET): this browser's, open, of the expected step. */
  async interaction(tenant: Tenant, id: string, binding: string | undefined, kind: LoginInteraction['step']['kind']): Promise<LoginInteraction> {
    const found = await findInteraction(this.deps.ctx, tenant, id, binding);
    if (found.step.kind !== kind) throw new InteractionError('GH_LOGIN_EXPIRED', 'This page does not belong to this step of the login.');
    return found;
  }

  /** The fields of an onboarding, as the lambda described them (validated when it asked). */
  fieldsOf(interaction: LoginInteraction): OnboardingField[] {
    return interaction.step.kind === 'onboarding' ? parseOnboardingFields(interaction.step.missing) : [];
  }

  /**
   * The posted onboarding form: checked against the lambda's fields (required, type) first, so a
   * refused form writes nothing and the page is shown again; then the interaction is taken once
   * and the held login completes with the input as `context.input`. The lambda may ask again
   * (a new page), reject (an error for the user and the client) or let the login finish.
   */
  async completeOnboarding(tenant: Tenant, id: string, binding: string | undefined, form: ReadonlyMap<string, string>, sessionSecret: string | undefined): Promise<BrowserLoginStep | OnboardingRefused> {
    const interaction = await this.interaction(tenant, id, binding, 'onboarding');
    checkCsrfToken(binding!, form.get('csrf_token'));
    const fields = this.fieldsOf(interaction);
    const checked = validateOnboardingInput(fields, form);
    if ('problems' in checked) return { kind: 'invalid', interaction, fields, problems: checked.problems };
    await takeInteraction(this.deps.ctx, tenant, id);
    const { login, step } = interaction;
    if (step.kind !== 'onboarding') throw new Error('unreachable');
    let outcome: Awaited<ReturnType<ReconcileService['completeOnboarding']>>;
    try {
      outcome = await this.deps.reconcile.completeOnboarding(step.pendingOnboardingId, checked.input);
    } catch (error) {
      if (error instanceof ReconcileError) throw refusedLogin(error, login);
      throw error;
    }
    const provider = await this.deps.ctx.store.identityProviders.findById(login.providerId);
    return settleBrokeredLogin(this.deps.ctx, tenant, login, outcome, sessionSecret, provider?.name ?? '');
  }

  /** The account the pending-link page offers to link to: the user of the browser's live SSO session of this tenant. */
  async sessionAccount(tenant: Tenant, sessionSecret: string | undefined): Promise<{ userId: string; label: string } | undefined> {
    const session = await findSsoSession(this.deps.ctx, tenant, sessionSecret);
    const user = session ? await this.deps.ctx.store.users.findById(session.userId) : undefined;
    if (!user || !user.active || user.tenantId !== tenant.id) return undefined;
    return { userId: user.id, label: user.email ?? user.username ?? user.fullName ?? user.id };
  }

  /**
   * The pending-link page's "link to my account": the user proves the existing account by being
   * logged in with it in this browser (its SSO session: a login through a provider that account
   * is linked to) and confirms that very account (`user_id` of the form, as the page showed it).
   * The pending link is completed through the Link API's rules (`link`, which answers a refusal's
   * message), then the held identity logs in through its new link and the client gets its code.
   */
  async confirmLink(
    tenant: Tenant,
    id: string,
    binding: string | undefined,
    form: ReadonlyMap<string, string>,
    sessionSecret: string | undefined,
    link: (pendingIdPLinkId: string, userId: string) => Promise<string | undefined>,
  ): Promise<BrowserLoginStep> {
    const { ctx, reconcile } = this.deps;
    const interaction = await this.interaction(tenant, id, binding, 'pendingLink');
    checkCsrfToken(binding!, form.get('csrf_token'));
    const account = await this.sessionAccount(tenant, sessionSecret);
    if (!account || form.get('user_id') !== account.userId) throw new InteractionError('GH_LOGIN_NO_SESSION', 'You are no longer logged in with the account to link to.');
    const { login, step } = interaction;
    const pending = step.kind === 'pendingLink' ? await ctx.store.pendingActions.find(step.pendingIdPLinkId, 'link', ctx.clock.now()) : undefined;
    if (!pending || pending.tenantId !== tenant.id) throw new InteractionError('GH_LOGIN_EXPIRED', 'The pending link has expired; start again from the application.');
    await takeInteraction(ctx, tenant, id);
    const refusal = await link(pending.id, account.userId);
    if (refusal !== undefined) throw new AuthorizationRedirectError('access_denied', refusal, login.redirectUri, login.state, { code: 'LinkRefused' }, true);
    let outcome: Awaited<ReturnType<ReconcileService['loginHeld']>>;
    try {
      outcome = await reconcile.loginHeld(tenant.id, pending.identity);
    } catch (error) {
      if (error instanceof ReconcileError) throw refusedLogin(error, login);
      throw error;
    }
    const provider = await ctx.store.identityProviders.findById(login.providerId);
    return settleBrokeredLogin(ctx, tenant, login, outcome, sessionSecret, provider?.name ?? '');
  }

  /**
   * The pending-link page's "do not link": the login ends, and the client is told as before a
   * page existed (`access_denied` with `pending_idp_link_id`, which it may complete through the
   * Link API while the pending link lasts).
   */
  async declineLink(tenant: Tenant, id: string, binding: string | undefined, form: ReadonlyMap<string, string>): Promise<AuthorizationRedirectError> {
    const interaction = await this.interaction(tenant, id, binding, 'pendingLink');
    checkCsrfToken(binding!, form.get('csrf_token'));
    await takeInteraction(this.deps.ctx, tenant, id);
    const { login, step } = interaction;
    const pendingIdPLinkId = step.kind === 'pendingLink' ? step.pendingIdPLinkId : '';
    return new AuthorizationRedirectError('access_denied', 'The external identity is not linked yet; complete the pending link.', login.redirectUri, login.state, {
      code: 'PendingLink',
      pending_idp_link_id: pendingIdPLinkId,
    });
  }
}
