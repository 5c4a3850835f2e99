import { issuerUrl } from '../config/issuer-url.js';
import { parseCompactJws } from '../jwt/jws.js';
import type { ApiKey, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import { verifyOwnAccessToken } from '../tokens/access-token-verifier.js';
import type { OwnTokenVerification } from '../tokens/access-token-verifier.js';

/** The role a user holds in the console application's registration to use `/api` with its token. */
export const CONSOLE_ADMIN_ROLE = 'admin';

/** Why a console token was refused: stable codes, written to the log only (the answer is a bare 401, as for a bad API key). */
export type ConsoleTokenRefusal =
  | 'ConsoleTokenMalformed'
  | 'ConsoleTokenUnknownIssuer'
  | 'ConsoleNotConfigured'
  | 'ConsoleTokenInvalid'
  | 'ConsoleTokenWrongClient'
  | 'ConsoleUserInactive'
  | 'ConsoleUserNotAdmin';

/** A verified console user: acts as a superuser API key scoped to its own tenant. */
export interface ConsoleCaller {
  tenant: Tenant;
  userId: string;
  apiKey: ApiKey;
}

export interface ConsoleTokenDeps extends Omit<OwnTokenVerification, 'store'> {
  store: Pick<Store, 'revocations' | 'applications' | 'users' | 'registrations'>;
  tenantBySlug(slug: string): Promise<Tenant | undefined>;
}

/**
 * Authenticates `/api` with a Gatehouse access token of a console user (`Authorization: Bearer`,
 * RFC 6750 §2.1). The issuer names the tenant (`{publicUrl}/t/{slug}`); the token is then checked
 * by the one verifier of the tenant's own tokens ({@link verifyOwnAccessToken}: signature with the
 * tenant's published keys, `iss`, `exp`/`nbf`, `typ` JWT or at+jwt per RFC 9068 §2.1, revocation).
 * RFC 9068 §4: `client_id` and `aud` must be the application the tenant designates as its admin
 * console (`tenant.adminConsoleApplicationId`), and the user's CURRENT registration for it, read now,
 * must hold the role `admin` — the token's `roles` claim is not trusted, so a removed role counts on
 * the next call. The caller gets the rights of a superuser key with `tenantId` = that tenant.
 */
export async function authenticateConsoleToken(deps: ConsoleTokenDeps, token: string): Promise<ConsoleCaller | ConsoleTokenRefusal> {
  const parsed = parseCompactJws(token);
  if (typeof parsed === 'string') return 'ConsoleTokenMalformed';
  const { iss } = parsed.payload;
  const prefix = `${deps.config.publicUrl}/t/`;
  if (typeof iss !== 'string' || !iss.startsWith(prefix)) return 'ConsoleTokenUnknownIssuer';
  const tenant = await deps.tenantBySlug(iss.slice(prefix.length));
  if (!tenant || issuerUrl(deps.config.publicUrl, tenant) !== iss) return 'ConsoleTokenUnknownIssuer';
  const consoleApplicationId = tenant.adminConsoleApplicationId;
  if (!consoleApplicationId) return 'ConsoleNotConfigured';
  const claims = await verifyOwnAccessToken(deps, tenant, token);
  if (!claims) return 'ConsoleTokenInvalid';
  const application = await deps.store.applications.findById(consoleApplicationId);
  if (!application || !application.active || application.tenantId !== tenant.id) return 'ConsoleNotConfigured';
  const { clientId, accessTokenAudience } = application.oauthConfiguration;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.client_id !== clientId || !audiences.includes(accessTokenAudience ?? clientId)) return 'ConsoleTokenWrongClient';
  if (typeof claims.sub !== 'string') return 'ConsoleTokenInvalid';
  const user = await deps.store.users.findById(claims.sub);
  if (!user || !user.active || user.tenantId !== tenant.id) return 'ConsoleUserInactive';
  const registration = await deps.store.registrations.find(user.id, application.id);
  if (!registration?.roles.includes(CONSOLE_ADMIN_ROLE)) return 'ConsoleUserNotAdmin';
  const instant = (claims.iat as number) * 1000;
  const apiKey: ApiKey = {
    id: `console-user:${user.id}`,
    tenantId: tenant.id,
    keyManager: false,
    metaData: { attributes: { description: `Admin console user ${user.id}` } },
    permissions: { endpoints: {} },
    insertInstant: instant,
    lastUpdateInstant: instant,
  };
  return { tenant, userId: user.id, apiKey };
}
