import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import type { Tenant } from '../store/records.js';
import { issuerUrl } from '../config/issuer-url.js';
import type { OAuthContext } from './context.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
/** What ID tokens and the UserInfo endpoint may carry (OpenID Connect Discovery 1.0 §3). */
const CLAIMS = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'azp', 'name', 'given_name', 'family_name', 'middle_name', 'preferred_username', 'picture', 'birthdate', 'zoneinfo', 'locale', 'email', 'email_verified'];

/**
 * RFC 8414 authorization server metadata; it states only what is true of this server: the
 * authorization endpoint answers `response_type=code` with PKCE S256 only, and adds `iss` to
 * its responses (RFC 9207).
 */
export function authorizationServerMetadata(ctx: OAuthContext, tenant: Tenant, grantTypes: string[]): Record<string, unknown> {
  const issuer = issuerUrl(ctx.config.publicUrl, tenant);
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    // OIDC Core §5.3 and OpenID Connect RP-Initiated Logout 1.0 §2.1.
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    grant_types_supported: grantTypes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    // OpenID Connect Discovery 1.0 §3: required of an OpenID provider's metadata.
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [tenant.jwtConfiguration.signingAlgorithm],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: CLAIMS,
    // OpenID Connect Prompt Create 1.0 §4.1: the prompt values the authorization endpoint honours.
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASYMMETRIC_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASYMMETRIC_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASYMMETRIC_ALGORITHMS,
  };
}
