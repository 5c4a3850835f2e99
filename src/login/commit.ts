import type { UserView } from '../identity/user-rules.js';
import type { LambdaLog } from '../lambda/lambda-types.js';
import type { WebhookOutbox } from '../events/webhook-outbox.js';
import type { Clock } from '../lib/clock.js';
import type { User } from '../store/records.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { Store } from '../store/store.js';
import type { UserTokenService } from '../tokens/user-tokens.js';
import { loginEvents } from './login-events.js';
import type { LoginPlan, LoginSubject, ReconcileOutcome, TraceStep } from './login-types.js';
import { prepareLoginTokens } from './tokens.js';
import type { PreparedLoginTokens } from './tokens.js';

export interface CommitDeps {
  store: Store;
  clock: Clock;
  tokens: UserTokenService;
  webhooks?: WebhookOutbox;
}

/** The rows of one login: written together or not at all. */
interface LoginWrite {
  subject: LoginSubject;
  plan: LoginPlan;
  user: User;
  registration: TenantRegistration | undefined;
  tokens: PreparedLoginTokens | undefined;
  now: number;
}

/**
 * Signs the tokens, then writes user, registration, link and refresh token as one unit of work
 * (`Store.write`: on SQLite grouped with this turn's other logins under one COMMIT). A unique
 * violation (a concurrent first login of the same identity) leaves nothing and is rethrown.
 */
export async function commitLogin(deps: CommitDeps, subject: LoginSubject, plan: LoginPlan, steps: TraceStep[], logs: LambdaLog[]): Promise<ReconcileOutcome> {
  const now = deps.clock.now();
  const user: User = { ...plan.user, lastLoginInstant: now, ...(plan.userChanged ? { lastUpdateInstant: now } : {}) };
  const created = plan.decision.kind === 'create';
  const registration = plan.registration && plan.registrationChanged ? { ...plan.registration, lastUpdateInstant: now } : plan.registration;
  const publicRegistration = registration ? (({ tenantId: _t, ...r }) => r)(registration) : undefined;
  const tokens = await prepareLoginTokens(deps.tokens, deps.clock, subject, user, publicRegistration);
  const registrations = [...plan.otherRegistrations, ...(registration ? [registration] : [])].sort((a, b) => a.insertInstant - b.insertInstant);
  const view: UserView = { ...user, registrations: registrations.map(({ tenantId: _t, ...r }) => r) };
  const events = deps.webhooks ? loginEvents(deps.webhooks, subject, plan, view, publicRegistration) : [];
  await deps.store.write(async (tx) => {
    await writeLogin(tx, { subject, plan, user, registration, tokens, now });
    await deps.webhooks?.emit(tx, events);
  });
  steps.push({ title: 'Saved', success: true, detail: created ? `User ${user.id} created and linked.` : plan.decision.kind === 'linked' ? `User ${user.id} updated.` : `User ${user.id} linked.` });
  return { kind: 'loggedIn', user: view, registration: publicRegistration, tokens: tokens?.tokens, created, steps, logs };
}

/** Writes one login through `tx` only (it may run twice on SQLite: see `Store.write`). */
async function writeLogin(tx: Store, write: LoginWrite): Promise<void> {
  const { subject, plan, user, registration, now } = write;
  const { tenant, provider, identity } = subject;
  if (plan.decision.kind === 'create') await tx.users.insert(user);
  // Email and username of a linked or matched user never change here (see mergeLambdaUser).
  else await tx.users.updateAfterLogin(user);
  if (plan.decision.kind === 'linked') {
    await tx.links.touch(plan.decision.link, now, identity.displayName);
  } else {
    await tx.links.insert({
      tenantId: tenant.id,
      identityProviderId: provider.id,
      identityProviderUserId: identity.identityProviderUserId,
      userId: user.id,
      ...(identity.displayName ? { displayName: identity.displayName } : {}),
      insertInstant: now,
      lastLoginInstant: now,
    });
  }
  if (registration && plan.registrationChanged) {
    if (plan.registrationIsNew) await tx.registrations.insert(registration);
    else await tx.registrations.update(registration);
  }
  await write.tokens?.persist(tx);
}
