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
  data: JsonObject;
  insertInstant: number;
  lastUpdateInstant: number;
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

export interface User {
  id: string;
  tenantId: string;
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

export type LinkingStrategy =
  | 'CreatePendingLink'
  | 'Disabled'
  | 'LinkAnonymously'
  | 'LinkByEmail'
  | 'LinkByEmailForExistingUser'
  | 'LinkByUsername'
  | 'LinkByUsernameForExistingUser';

export type ClaimMapTarget =
  | 'birthDate' | 'firstName' | 'lastName' | 'fullName' | 'middleName' | 'mobilePhone' | 'imageUrl' | 'timezone' | 'UserData' | 'RegistrationData';

/** FusionAuth's External JWT identity provider, with Gatehouse's verification additions. */
export interface ExternalJwtIdentityProvider {
  id: string;
  type: 'ExternalJWT';
  name: string;
  enabled: boolean;
  debug: boolean;
  /** Per application; Gatehouse adds `allowPublicClients` (token exchange by public clients). */
  applicationConfiguration: Record<string, { enabled: boolean; createRegistration: boolean; allowPublicClients?: boolean }>;
  claimMap: Record<string, ClaimMapTarget>;
  attributeMappings: Record<string, string>;
  lambdaConfiguration: { reconcileId?: string };
  linkingStrategy: LinkingStrategy;
  headerKeyParameter: string;
  verificationKeyIds: string[];
  /** Deprecated in FusionAuth 1.69: on read, `verificationKeyIds[0]`. */
  defaultKeyId?: string;
  /** Legacy: kid (or x5t) → PEM public key or certificate; `""` is the key for tokens without one. */
  keys: Record<string, string>;
  domains: string[];
  oauth2: {
    authorization_endpoint?: string;
    token_endpoint?: string;
    /** Gatehouse: the client at the upstream provider, for the brokered authorization-code login. */
    client_id?: string;
    /** Encrypted under the master key; never returned by the API. */
    client_secret?: string;
    /** `none` (PKCE only), `client_secret_basic`, `client_secret_post` (default when a secret is set) or `private_key_jwt` (the tenant's signing key). */
    clientAuthenticationMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
    /** Scopes asked of the upstream provider (default `openid`). */
    scope?: string;
    /** Gatehouse: the upstream's OpenID Connect Discovery document; its endpoints and `jwks_uri` win over the ones given here. */
    discoveryUrl?: string;
    userinfo_endpoint?: string;
    end_session_endpoint?: string;
    /** Gatehouse: when the upstream userinfo endpoint is called after the code exchange (default `whenMissing`). */
    userinfo?: 'always' | 'never' | 'whenMissing';
    /** Gatehouse: which of the client's authorization parameters go upstream (default: all of them). */
    forwardParameters?: string[];
    uniqueIdClaim: string;
    emailClaim: string;
    emailVerifiedClaim: string;
    usernameClaim: string;
  };
  uniqueIdentityClaim?: string;
  tenantConfiguration: Record<string, { limitUserLinkCount: { enabled: boolean; maximumLinks: number } }>;
  tenantId?: string;
  source: string;
  data: JsonObject;
  /** Gatehouse: JWKS URL of the issuer (cached, rotation-aware). */
  jwksUri?: string;
  /** Gatehouse: required `iss` when set. */
  issuer?: string;
  /** Gatehouse: `aud` must contain one of these when set. */
  audiences: string[];
  /** Gatehouse: algorithms accepted (never `none`). */
  allowedAlgorithms: string[];
  clockSkewSeconds: number;
  /** Gatehouse: tokens older than this (by `iat`) are refused when set. */
  maximumTokenAgeSeconds?: number;
  insertInstant: number;
  lastUpdateInstant: number;
}

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
  missing: string[];
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
