import type { LinkDecision } from '../identity/linking-strategy.js';
import { userFieldErrors } from '../identity/user-rules.js';
import type { ExternalJwtIdentityProvider, User } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ReconcileError } from './reconcile-error.js';

/**
 * The user a login would save, after the lambda: valid fields, the identifiers the strategy
 * requires, and — for a new user — no email or username of another user. Reads only.
 */
export async function checkLoginUser(store: Store, provider: ExternalJwtIdentityProvider, decision: LinkDecision, user: User, existing: User | undefined): Promise<void> {
  const errors = userFieldErrors(user);
  if (!errors.empty) {
    const [field, messages] = Object.entries(errors.all)[0];
    throw new ReconcileError('InvalidUser', `${field}: ${messages[0].message}`, { field });
  }
  if (existing || decision.anonymous) return;
  const byEmail = provider.linkingStrategy === 'LinkByEmail' || provider.linkingStrategy === 'LinkByEmailForExistingUser';
  const byUsername = provider.linkingStrategy === 'LinkByUsername' || provider.linkingStrategy === 'LinkByUsernameForExistingUser';
  if (byEmail && !user.email) throw new ReconcileError('MissingEmail', `The token has no ${provider.oauth2.emailClaim} claim and the reconcile lambda set no email.`);
  if (byUsername && !user.username) throw new ReconcileError('MissingUsername', `The token has no ${provider.oauth2.usernameClaim} claim and the reconcile lambda set no username.`);
  if (!user.email && !user.username) throw new ReconcileError('MissingEmail', 'A new user needs an email or a username.');
  // A value the lambda set is never used to link: it would let a token claim someone else's account.
  // The value the strategy just looked up and found free is not read again: a user taking it since
  // meets the unique index at the commit, and the login is retried (login-pipeline.ts).
  const free = (field: 'email' | 'username', value: string) => decision.kind === 'create' && decision.absent?.field === field && decision.absent.value === value;
  if (user.email && !free('email', user.email.toLowerCase()) && (await store.users.findByEmail(user.tenantId, user.email))) {
    throw new ReconcileError('DuplicateEmail', 'Another user of this tenant has this email; Gatehouse does not link on it here.');
  }
  if (user.username && !free('username', user.username) && (await store.users.findByUsername(user.tenantId, user.username))) {
    throw new ReconcileError('DuplicateUsername', 'Another user of this tenant has this username; Gatehouse does not link on it here.');
  }
}
