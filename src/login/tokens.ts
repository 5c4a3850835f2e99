import type { Clock } from '../lib/clock.js';
import { nowSeconds } from '../lib/clock.js';
import type { Registration, User } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { UserTokens, UserTokenService } from '../tokens/user-tokens.js';
import { refreshTokensEnabled } from '../tokens/user-tokens.js';
import type { LoginSubject } from './login-types.js';

/** Signed tokens whose refresh token (if any) is stored by `persist` inside the login's write. */
export interface PreparedLoginTokens {
  tokens: UserTokens;
  persist(tx: Store): Promise<void>;
}

/**
 * The user's tokens for the application (none with `noJWT`, or without an application), signed
 * before the write: the signing key is read outside the transaction. A refresh token only where
 * the application generates them for a registered user, and not when the request forbids it.
 */
export async function prepareLoginTokens(
  tokens: UserTokenService,
  clock: Clock,
  subject: LoginSubject,
  user: User,
  registration: Registration | undefined,
): Promise<PreparedLoginTokens | undefined> {
  const { tenant, application, options } = subject;
  if (options.noJWT || !application) return undefined;
  return tokens.prepare({
    tenant,
    application,
    user,
    registration,
    authenticationType: options.authenticationType,
    authTime: nowSeconds(clock),
    ...(options.scope ? { scope: options.scope } : {}),
    withRefreshToken: !options.noRefreshToken && refreshTokensEnabled(application, registration),
  });
}
