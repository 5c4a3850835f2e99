import { verifyExternalJwt } from '../idp/external-jwt-verifier.js';
import type { VerifierDeps } from '../idp/external-jwt-verifier.js';
import type { ExternalJwtIdentityProvider, JsonObject, PendingIdentity } from '../store/records.js';
import type { TraceStep } from './trace.js';
import { ReconcileError } from './reconcile-error.js';

/**
 * What the login needs to verify an external JWT. The one place the login pipeline calls the
 * idp verifier: re-pointing it at another verifier changes this file only.
 */
export type IdentityVerifier = VerifierDeps;

/**
 * Verifies the external JWT with the provider's keys and policy (`audiences` replaces the
 * provider's for RFC 7523 JWT bearer), records the verifier's steps, and returns the verified
 * identity; a refusal is a ReconcileError carrying the verifier's code as `data.reason`.
 */
export async function verifyIdentity(
  verifier: IdentityVerifier,
  provider: ExternalJwtIdentityProvider,
  encodedJWT: unknown,
  audiences: string[] | undefined,
  steps: TraceStep[],
  options: { supplement?: (claims: JsonObject) => Promise<JsonObject>; maxLifetimeSeconds?: number } = {},
): Promise<PendingIdentity> {
  if (typeof encodedJWT !== 'string' || encodedJWT === '') throw new ReconcileError('InvalidJWT', 'Give the external JWT as encodedJWT (or data.token).', { reason: 'MALFORMED' });
  const checked = audiences ? { ...provider, audiences } : provider;
  const verified = await verifyExternalJwt(checked, encodedJWT, verifier, options);
  steps.push(...verified.steps);
  if (!verified.ok) {
    const code = verified.code === 'MISSING_UNIQUE_ID' ? 'MissingUniqueId' : verified.code === 'DOMAIN_NOT_MANAGED' ? 'DomainNotManaged' : 'InvalidJWT';
    throw new ReconcileError(code, verified.message, { reason: verified.code });
  }
  const claimed = verified.claims[provider.oauth2.usernameClaim];
  const username = typeof claimed === 'string' && claimed.trim() !== '' ? claimed.trim() : undefined;
  return {
    identityProviderId: provider.id,
    applicationId: '',
    identityProviderUserId: verified.uniqueId,
    claims: verified.claims,
    ...(verified.email ? { email: verified.email } : {}),
    ...(username ? { username } : {}),
    displayName: verified.email ?? username ?? verified.uniqueId,
    options: { noJWT: false },
  };
}
