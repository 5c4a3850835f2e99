/** The record of an External JWT identity provider (FusionAuth's shape, with Gatehouse's additions). */

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
  data: Record<string, unknown>;
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
