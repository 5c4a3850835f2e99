/**
 * The persisted shapes of Gatehouse's objects. They follow FusionAuth's API objects so the admin
 * API can return them as they are; Gatehouse additions are marked. Secrets never live here:
 * hashes and ciphertexts stay in their own columns.
 */
export type SigningAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'EdDSA';

export type JsonObject = Record<string, unknown>;

export interface Tenant {
  id: string;
  name: string;
  /** Gatehouse: URL-safe name used in `/t/{slug}` and the issuer. */
  slug: string;
  jwtConfiguration: {
    /** Access token lifetime for applications that do not set their own. */
    timeToLiveInSeconds: number;
    refreshTokenTimeToLiveInMinutes: number;
    /** Gatehouse: algorithm of the tenant's signing key. */
    signingAlgorithm: SigningAlgorithm;
    /** The active signing key (FusionAuth field). */
    accessTokenKeyId?: string;
    /** Gatehouse: the access tokens' `typ` header (RFC 9068 §2.1); absent means `JWT`. */
    accessTokenType?: 'JWT' | 'at+jwt';
  };
  /** Gatehouse: a SMART Backend Services / Koppeltaal domain. */
  smartConfiguration?: {
    enabled: boolean;
    /** Base URL of the FHIR service this domain protects (default `{issuer}/fhir`). */
    fhirBaseUrl?: string;
    /** `aud` of access tokens (default: the FHIR base URL; `fhir-server` for the Koppeltaal reference server). */
    accessTokenAudience?: string;
  };
  /** Gatehouse: how the hosted login pages look for this tenant (README "Hosted login pages"). */
  loginTheme?: LoginTheme;
  /** Gatehouse: the application whose users with the role `admin` may sign in to the admin console (`/admin`). */
  adminConsoleApplicationId?: string;
  data: JsonObject;
  insertInstant: number;
  lastUpdateInstant: number;
}

export interface LoginTheme {
  /** An https URL, or a path on this server (`/…`). */
  logoUrl?: string;
  /** `#rrggbb`: buttons and accents. */
  primaryColor?: string;
  /** `#rrggbb`: the page background. */
  backgroundColor?: string;
  /** Texts that replace the pages' own, by locale (`en`, `nl`, `de`) and message key. */
  texts?: Record<string, Record<string, string>>;
}

export type ClientAuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export interface ApplicationRole {
  id: string;
  name: string;
  description?: string;
  isDefault: boolean;
  isSuperRole: boolean;
}

export interface Application {
  id: string;
  tenantId: string;
  name: string;
  active: boolean;
  roles: ApplicationRole[];
  oauthConfiguration: {
    clientId: string;
    enabledGrants: string[];
    /** Gatehouse: how this client authenticates at the token endpoint. */
    clientAuthenticationMethod: ClientAuthenticationMethod;
    /** Gatehouse: client JWKS URL for private_key_jwt. */
    jwksUri?: string;
    /** Gatehouse: inline client JWKS for private_key_jwt. */
    jwks?: { keys: JsonObject[] };
    /** Gatehouse: scopes the client may be granted with client_credentials. */
    allowedScopes?: string[];
    /** Gatehouse: `aud` of access tokens issued to this client (default: the client_id). */
    accessTokenAudience?: string;
    /** FusionAuth: the exact redirect URLs of the authorization-code flow (RFC 6749 §3.1.2.2). */
    authorizedRedirectURLs?: string[];
    /** FusionAuth: where the browser goes after logging out; also a valid `post_logout_redirect_uri`. */
    logoutURL?: string;
    /** Gatehouse: further exact `post_logout_redirect_uri` values (OpenID Connect RP-Initiated Logout 1.0 §3). */
    postLogoutRedirectURLs?: string[];
    /** FusionAuth: the browser origins (`scheme://host[:port]`) allowed to call the OAuth endpoints (CORS). */
    authorizedOriginURLs?: string[];
  };
  jwtConfiguration: {
    enabled: boolean;
    timeToLiveInSeconds?: number;
    refreshTokenTimeToLiveInMinutes?: number;
  };
  loginConfiguration: {
    generateRefreshTokens: boolean;
  };
  /** Gatehouse: SMART / Koppeltaal: the application's role and FHIR Device. */
  smartConfiguration?: {
    roleId?: string;
    /** The application's Device id (default: its client id), as in `Device/<id>`. */
    deviceId?: string;
  };
  data: JsonObject;
  insertInstant: number;
  lastUpdateInstant: number;
}

/** A user's identifiers and profile fields (FusionAuth's user object), all optional. */
export interface UserProfile {
  email?: string;
  username?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  fullName?: string;
  birthDate?: string;
  imageUrl?: string;
  mobilePhone?: string;
  timezone?: string;
  preferredLanguages?: string[];
}

export interface User extends UserProfile {
  id: string;
  tenantId: string;
  data: JsonObject;
  active: boolean;
  verified: boolean;
  insertInstant: number;
  lastUpdateInstant: number;
  lastLoginInstant?: number;
}

export interface Registration {
  id: string;
  userId: string;
  applicationId: string;
  roles: string[];
  username?: string;
  data: JsonObject;
  verified: boolean;
  insertInstant: number;
  lastUpdateInstant: number;
  lastLoginInstant?: number;
}

export interface ApiKey {
  id: string;
  tenantId?: string;
  keyManager: boolean;
  metaData: { attributes: Record<string, string> };
  /** Empty `endpoints` = superuser. Keys: API paths; values: HTTP methods. */
  permissions: { endpoints: Record<string, string[]> };
  insertInstant: number;
  lastUpdateInstant: number;
}

export type KeyType = 'EC' | 'RSA' | 'OKP' | 'HMAC';

export interface StoredKey {
  id: string;
  name: string;
  kid: string;
  algorithm?: string;
  type: KeyType;
  length?: number;
  publicKey?: string;
  certificate?: string;
  issuer?: string;
  certificateInformation?: JsonObject;
  expirationInstant?: number;
  hasPrivateKey: boolean;
  insertInstant: number;
  lastUpdateInstant: number;
}

export type { CrudOperation, PermissionOrigin, SmartPermission, SmartRole } from './smart-role-records.js';

/** FusionAuth's Lambda object. Gatehouse runs every lambda in its QuickJS sandbox; `engineType` is kept as sent. */
export interface Lambda {
  id: string;
  name: string;
  type: 'ExternalJWTReconcile';
  body: string;
  debug: boolean;
  enabled: boolean;
  engineType: string;
  insertInstant: number;
  lastUpdateInstant: number;
}

export type { ClaimMapTarget, ExternalJwtIdentityProvider, LinkingStrategy } from './identity-provider-records.js';

/** FusionAuth's IdentityProviderLink: an external identity tied to a user of one tenant. */
export interface IdentityProviderLink {
  tenantId: string;
  identityProviderId: string;
  identityProviderUserId: string;
  userId: string;
  /** Overwritten on each login (the email or username the external token carried). */
  displayName?: string;
  /** Only when given through the Link API; login never stores the external token. */
  token?: string;
  insertInstant: number;
  lastLoginInstant: number;
}

/** What a pending link or onboarding holds: the verified identity, for a limited time. */
export interface PendingIdentity {
  identityProviderId: string;
  applicationId: string;
  identityProviderUserId: string;
  /** The verified claims of the external JWT (never the encoded token). */
  claims: JsonObject;
  displayName?: string;
  email?: string;
  username?: string;
  /** Login options carried over to the completing request. */
  options: { noJWT: boolean; ipAddress?: string };
}

export interface PendingOnboarding extends PendingIdentity {
  reason: string;
  /** Field names, or field descriptions (src/login/onboarding-fields.ts), as the lambda listed them. */
  missing: Array<string | { name?: string | number | boolean | null; label?: string | number | boolean | null; type?: string | number | boolean | null; required?: string | number | boolean | null }>;
}

export interface PendingAction {
  id: string;
  kind: 'link' | 'onboarding';
  tenantId: string;
  identity: PendingIdentity | PendingOnboarding;
  insertInstant: number;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  tenantId: string;
  userId: string;
  applicationId: string;
  status: 'active' | 'rotated' | 'revoked';
  /** Set once the token's family is revoked (a rotated token keeps its status, to recognise reuse). */
  familyRevoked?: true;
  /** When the family started (the original login); kept across rotations. */
  startInstant: number;
  authTime: number;
  scope?: string;
  /** The SSO session (public id) the family was issued under: logging out revokes it. */
  sessionId?: string;
  insertInstant: number;
  expiresAt: number;
}
