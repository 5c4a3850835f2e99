import { LinkRefusal } from '../identity/link-refusal.js';
import { decideLink } from '../identity/linking-strategy.js';
import type { LinkDecision } from '../identity/linking-strategy.js';
import type { Store } from '../store/store.js';
import type { LoginSubject, TraceStep } from './login-types.js';
import { ReconcileError } from './reconcile-error.js';

/** Concurrent first logins race on the link's primary key; the loser re-runs and finds the link. */
export const MAX_ATTEMPTS = 3;

/** The existing link, or the provider's linking strategy; a refusal becomes the login's ReconcileError. */
export async function decideLoginLink(store: Store, subject: LoginSubject, steps: TraceStep[]): Promise<LinkDecision> {
  const { provider, tenant, identity } = subject;
  let decision: LinkDecision;
  try {
    decision = await decideLink(store, provider, tenant.id, identity, subject.options.noLink);
  } catch (error) {
    if (error instanceof LinkRefusal) throw ReconcileError.fromLinkRefusal(error);
    throw error;
  }
  steps.push({ title: 'Link', success: true, detail: describeDecision(decision) });
  return decision;
}

/**
 * A new user's email or username taken meanwhile by a login of this same identity: the race
 * was lost before the write, and another attempt runs as the returning user.
 */
export async function lostLinkRace(store: Store, subject: LoginSubject, error: unknown, attempt: number): Promise<boolean> {
  return (
    error instanceof ReconcileError &&
    (error.code === 'DuplicateEmail' || error.code === 'DuplicateUsername') &&
    attempt < MAX_ATTEMPTS &&
    (await store.links.find(subject.tenant.id, subject.provider.id, subject.identity.identityProviderUserId)) !== undefined
  );
}

export const retryStep = (): TraceStep => ({ title: 'Retry', success: true, detail: 'Another login created this identity at the same time; reconciling again.' });

function describeDecision(decision: LinkDecision): string {
  switch (decision.kind) {
    case 'linked':
      return `Existing link to user ${decision.user.id}.`;
    case 'match':
      return `No link yet; user ${decision.user.id} matched by ${decision.by}.`;
    case 'create':
      return decision.anonymous ? 'No link yet; an anonymous user will be created (LinkAnonymously).' : 'No link yet and no matching user; a user will be created.';
    case 'pendingLink':
      return 'No link yet; a pending link is created (CreatePendingLink).';
  }
}
