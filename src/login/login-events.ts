import type { WebhookOutbox } from '../events/webhook-outbox.js';
import type { WebhookEvent, WebhookEventType } from '../events/webhook-events.js';
import type { UserView } from '../identity/user-rules.js';
import type { Application, ExternalJwtIdentityProvider, Registration, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { AuthenticationType } from '../tokens/user-tokens.js';
import type { LoginPlan, LoginSubject } from './login-types.js';
import { ReconcileError } from './reconcile-error.js';

/**
 * The webhook events of a committed login, in FusionAuth's shapes: `user.create` and
 * `user.identity-provider.link` for a first login, `user.registration.create` for a new
 * registration, and always `user.login.success`. Written with the login's rows. An event no
 * webhook subscribes to (for the tenant) is not even built: the default install pays nothing.
 */
export function loginEvents(outbox: WebhookOutbox, subject: LoginSubject, plan: LoginPlan, user: UserView, registration: Registration | undefined): WebhookEvent[] {
  const { tenant, provider, application, identity } = subject;
  const events: WebhookEvent[] = [];
  const wants = (type: WebhookEventType) => outbox.wants(type, tenant.id);
  if (plan.decision.kind === 'create' && wants('user.create')) events.push(outbox.event('user.create', tenant.id, { user }));
  if (plan.decision.kind !== 'linked' && wants('user.identity-provider.link')) {
    const identityProviderLink = {
      identityProviderId: provider.id,
      identityProviderName: provider.name,
      identityProviderType: provider.type,
      identityProviderUserId: identity.identityProviderUserId,
      userId: user.id,
      ...(identity.displayName ? { displayName: identity.displayName } : {}),
    };
    events.push(outbox.event('user.identity-provider.link', tenant.id, { user, identityProviderLink }));
  }
  if (registration && plan.registrationIsNew && plan.registrationChanged && wants('user.registration.create')) {
    events.push(outbox.event('user.registration.create', tenant.id, { user, applicationId: registration.applicationId, registration }));
  }
  if (wants('user.login.success')) {
    events.push(
      outbox.event('user.login.success', tenant.id, {
        user,
        ...(application ? { applicationId: application.id } : {}),
        authenticationType: subject.options.authenticationType,
        identityProviderId: provider.id,
        identityProviderName: provider.name,
      }),
    );
  }
  return events;
}

/**
 * `user.login.failed` for a login refused after its provider was resolved (FusionAuth
 * `UserLoginFailedEvent`, `reason.code` the public refusal code). A failed login writes nothing
 * else, so the event row is written on its own; failing to write it never changes the answer.
 */
export async function emitLoginFailure(
  outbox: WebhookOutbox | undefined,
  store: Store,
  where: { tenant: Tenant; provider: ExternalJwtIdentityProvider; application: Application | undefined; authenticationType: AuthenticationType },
  error: unknown,
): Promise<void> {
  if (!outbox || !(error instanceof ReconcileError) || !outbox.wants('user.login.failed', where.tenant.id)) return;
  const event = outbox.event('user.login.failed', where.tenant.id, {
    ...(where.application ? { applicationId: where.application.id } : {}),
    authenticationType: where.authenticationType,
    identityProviderId: where.provider.id,
    reason: { code: error.publicCode },
  });
  await store.write((tx) => outbox.emit(tx, [event])).catch(() => undefined);
}
