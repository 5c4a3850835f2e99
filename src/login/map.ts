import type { LinkDecision } from '../identity/linking-strategy.js';
import { newId } from '../lib/ids.js';
import { emailVerification } from '../identity/email-verified.js';
import type { ExternalJwtIdentityProvider, JsonObject, PendingIdentity, User } from '../store/records.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { Store } from '../store/store.js';
import { applyAttributeMappings, applyClaimMap } from './claim-mapping.js';
import type { LoginSubject } from './login-types.js';

/** The user and registration of a login after the claim map and attribute mappings, before the lambda. */
export interface LoginDraft {
  user: User;
  /** The linked or matched user as read; undefined for a user to create. */
  existing: User | undefined;
  registration: TenantRegistration | undefined;
  registrationIsNew: boolean;
  otherRegistrations: TenantRegistration[];
  /** User and registration as serialized before any mapping, to tell whether the login changes them. */
  before: string;
}

/**
 * The user (linked, matched or new) and its registration for the application (existing, or
 * new with the application's default roles unless the provider's `createRegistration` is off),
 * with the provider's `claimMap` and — except for anonymous users — `attributeMappings` applied.
 * Email and username of a linked or matched user stay as they are. Reads only.
 */
export async function draftLogin(store: Store, now: number, subject: LoginSubject, decision: Exclude<LinkDecision, { kind: 'pendingLink' }>): Promise<LoginDraft> {
  const { tenant, provider, application, identity } = subject;
  const existing = decision.kind === 'create' ? undefined : decision.user;
  const user: User = existing
    ? structuredClone(existing)
    : {
        id: newId(),
        tenantId: tenant.id,
        ...(decision.anonymous ? {} : newUserIdentifiers(provider, identity)),
        data: {},
        active: true,
        verified: !decision.anonymous && identity.email !== undefined && emailVerification(identity.claims, provider.oauth2.emailVerifiedClaim) === 'verified',
        insertInstant: now,
        lastUpdateInstant: now,
      };
  const appConfig = application ? provider.applicationConfiguration[application.id] : undefined;
  const registrations = decision.kind === 'linked' && decision.registrations ? decision.registrations : existing ? await store.registrations.listByUser(existing.id) : [];
  let registration = application ? registrations.find((r) => r.applicationId === application.id) : undefined;
  const otherRegistrations = registrations.filter((r) => r !== registration);
  const registrationIsNew = !registration && application !== undefined && appConfig?.createRegistration !== false;
  if (!registration && application && appConfig?.createRegistration !== false) {
    registration = {
      id: newId(),
      tenantId: tenant.id,
      userId: user.id,
      applicationId: application.id,
      roles: application.roles.filter((r) => r.isDefault).map((r) => r.name),
      data: {},
      verified: false,
      insertInstant: now,
      lastUpdateInstant: now,
    };
  }

  const before = JSON.stringify({ user, registration });
  const userObject = user as unknown as JsonObject;
  const registrationObject = registration as unknown as JsonObject | undefined;
  applyClaimMap(provider, identity.claims, userObject, registrationObject);
  if (!decision.anonymous) applyAttributeMappings(provider, identity.claims, userObject, registrationObject);
  if (existing) {
    // Email and username are fixed once a user is linked or matched: no mapping changes them.
    for (const field of ['email', 'username'] as const) {
      if (existing[field] === undefined) delete user[field];
      else user[field] = existing[field];
    }
  }
  return { user, existing, registration, registrationIsNew, otherRegistrations, before };
}

/** A new user's email (any strategy) and username (the username strategies) from the token. */
function newUserIdentifiers(provider: ExternalJwtIdentityProvider, identity: PendingIdentity): Partial<User> {
  const byUsername = provider.linkingStrategy === 'LinkByUsername' || provider.linkingStrategy === 'LinkByUsernameForExistingUser';
  return { ...(identity.email ? { email: identity.email } : {}), ...(byUsername && identity.username ? { username: identity.username } : {}) };
}
