import type { ExternalJwtIdentityProvider, IdentityProviderLink, PendingIdentity, User } from '../store/records.js';
import type { LinkLookup } from '../store/repositories/link-repository.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { Store } from '../store/store.js';
import { LinkRefusal } from './link-refusal.js';
import { emailVerification } from './email-verified.js';

export type LinkDecision =
  /** `registrations`: the user's, oldest first, when read with the link (one statement). */
  | { kind: 'linked'; link: IdentityProviderLink; user: User; anonymous: false; registrations?: TenantRegistration[] }
  | { kind: 'match'; user: User; by: 'email' | 'username'; anonymous: false }
  /** `absent`: the strategy looked this email (lower-cased) or username up and found no user. */
  | { kind: 'create'; anonymous: boolean; absent?: { field: 'email' | 'username'; value: string } }
  | { kind: 'pendingLink'; anonymous: false };

/**
 * FusionAuth's linking strategies (`IdentityProviderLinkingStrategy`). An existing link always
 * wins; otherwise the strategy decides, with FusionAuth's guards: a `false` email-verified claim
 * never links by email (1.48, fi#2423), a user linked to this provider under another id is never
 * linked again (fi#2512), and the tenant's link-count limit holds. A refusal is a LinkRefusal.
 */
export async function decideLink(store: Store, provider: ExternalJwtIdentityProvider, tenantId: string, identity: PendingIdentity, noLink: boolean): Promise<LinkDecision> {
  // The email strategies read the user by email in the same statement as the link (read, used only without a link).
  const byEmail = !noLink && (provider.linkingStrategy === 'LinkByEmail' || provider.linkingStrategy === 'LinkByEmailForExistingUser') ? identity.email : undefined;
  const found = await store.links.lookUp(tenantId, provider.id, identity.identityProviderUserId, byEmail || undefined);
  const linked = found.linked;
  if (linked) {
    const { link, user, registrations } = linked;
    if (!user) throw new LinkRefusal('NotLinked', 'The linked user no longer exists.');
    if (!user.active) throw new LinkRefusal('LoginPrevented', 'The user is deactivated.');
    return { kind: 'linked', link, user, anonymous: false, registrations };
  }
  if (noLink) throw new LinkRefusal('NotLinked', 'No user is linked to this external identity (noLink).');
  switch (provider.linkingStrategy) {
    case 'Disabled':
      throw new LinkRefusal('LinkingDisabled', 'No user is linked to this external identity, and this provider links only through the Link API.');
    case 'CreatePendingLink':
      return { kind: 'pendingLink', anonymous: false };
    case 'LinkAnonymously':
      return { kind: 'create', anonymous: true };
    case 'LinkByEmail':
      return linkBy('email', false, store, provider, tenantId, identity, found);
    case 'LinkByEmailForExistingUser':
      return linkBy('email', true, store, provider, tenantId, identity, found);
    case 'LinkByUsername':
      return linkBy('username', false, store, provider, tenantId, identity);
    case 'LinkByUsernameForExistingUser':
      return linkBy('username', true, store, provider, tenantId, identity);
  }
}

/** LinkByEmail / LinkByUsername and their ForExistingUser forms: match on the claim, else create (or refuse). */
async function linkBy(
  by: 'email' | 'username',
  existingOnly: boolean,
  store: Store,
  provider: ExternalJwtIdentityProvider,
  tenantId: string,
  identity: PendingIdentity,
  /** The lookup that found no link; it carries the user by email when it read one. */
  found?: LinkLookup,
): Promise<LinkDecision> {
  const value = identity[by];
  const [missing, absent] = by === 'email' ? (['MissingEmail', 'UserDoesNotExistByEmail'] as const) : (['MissingUsername', 'UserDoesNotExistByUsername'] as const);
  if (!value) {
    if (existingOnly) throw new LinkRefusal(missing, `The token has no ${by === 'email' ? provider.oauth2.emailClaim : provider.oauth2.usernameClaim} claim to find the user by.`);
    return { kind: 'create', anonymous: false };
  }
  const user = by === 'email' ? (found && 'byEmail' in found ? found.byEmail : await store.users.findByEmail(tenantId, value)) : await store.users.findByUsername(tenantId, value);
  if (!user) {
    if (existingOnly) throw new LinkRefusal(absent, `No user of this tenant has the ${by} of the token.`);
    return { kind: 'create', anonymous: false, absent: { field: by, value: by === 'email' ? value.toLowerCase() : value } };
  }
  const links = await store.links.listByUser(user.id, provider.id);
  // Linked to this very identity between the link lookup and now (a concurrent first login of
  // the same identity): it is the returning user, not a conflict.
  const raced = links.find((l) => l.identityProviderUserId === identity.identityProviderUserId);
  if (raced) return { kind: 'linked', link: raced, user, anonymous: false };
  if (by === 'email') {
    if (emailVerification(identity.claims, provider.oauth2.emailVerifiedClaim) === 'unverified') throw new LinkRefusal('UnverifiedEmail', 'A link cannot be established using an unverified email address.');
  }
  checkLinkAllowed(provider, tenantId, user, links, false);
  return { kind: 'match', user, by, anonymous: false };
}

/** `checkLinkAllowed` with the user's links to the provider read first (the Link API). */
export async function assertLinkAllowed(store: Store, provider: ExternalJwtIdentityProvider, tenantId: string, user: User, viaLinkApi = false): Promise<void> {
  checkLinkAllowed(provider, tenantId, user, await store.links.listByUser(user.id, provider.id), viaLinkApi);
}

/**
 * A user may take another link to this provider only if it has none yet (strategies) or, through
 * the Link API, while under the tenant's `limitUserLinkCount`. `links`: the user's links to it.
 */
function checkLinkAllowed(provider: ExternalJwtIdentityProvider, tenantId: string, user: User, links: readonly IdentityProviderLink[], viaLinkApi: boolean): void {
  if (!user.active) throw new LinkRefusal('LoginPrevented', 'The user is deactivated.');
  if (!viaLinkApi && links.length > 0) throw new LinkRefusal('UserAlreadyLinked', 'The user is already linked to this identity provider under another identity.');
  const limit = provider.tenantConfiguration[tenantId]?.limitUserLinkCount;
  if (limit?.enabled && links.length >= limit.maximumLinks) throw new LinkRefusal('LinkCountExceeded', `The user has reached the limit of ${limit.maximumLinks} links to this identity provider.`);
}
