import { Type } from 'typebox';
import type { TObject, TProperties } from 'typebox';
import { SafeString } from './safe-string.js';

/**
 * The request contract of the OAuth endpoints under `/t/{tenant}`: path parameters and the
 * parameters of the form bodies and query strings (RFC 6749 §3.1, §3.2: form-encoded, each at
 * most once). Every known parameter is a bounded string of safe characters (`SafeString`);
 * presence and meaning stay with the endpoint, which answers a missing one as before. Unknown
 * parameters are not validated: RFC 6749 §3.1 and §3.2 say they MUST be ignored.
 */

/** A tenant slug as the tenant service accepts it (1 to 63 of a-z, 0-9 and -). */
export const TenantParams = Type.Object({ tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) });

/** Identity provider ids are UUIDs. */
export const BrokerCallbackParams = Type.Object({
  tenant: TenantParams.properties.tenant,
  providerId: Type.String({ pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' }),
});

/** Limits, in characters. Gatehouse's own codes, states and refresh tokens are 43 characters. */
export const LIMITS = {
  /** Registered client ids have at most 191 (RFC 6749 Appendix A.1: VSCHAR). */
  clientId: 255,
  clientSecret: 1024,
  clientAssertion: 16 * 1024,
  /** Subject tokens and assertions issued by other parties. */
  externalToken: 32 * 1024,
  /** Gatehouse access (JWT) or refresh token at introspection and revocation. */
  token: 16 * 1024,
  scope: 1024,
  uri: 2048,
  /** Stored with a pending login and echoed back (as the authorization request checks). */
  echoed: 512,
  code: 1024,
  name: 255,
} as const;

const form = (properties: TProperties): TObject => Type.Object(properties, { additionalProperties: true });
const optional = (maxLength: number) => Type.Optional(SafeString(maxLength));

/** RFC 6749 §2.3.1 and RFC 7521 §4.2 client authentication in the body. */
const clientAuthentication = {
  client_id: optional(LIMITS.clientId),
  client_secret: optional(LIMITS.clientSecret),
  client_assertion: optional(LIMITS.clientAssertion),
  client_assertion_type: optional(LIMITS.name),
};

/** RFC 6749 §4.1.3, §4.4.2, §6; RFC 7523 §2.1; RFC 8693 §2.1. */
export const TokenForm = form({
  grant_type: optional(LIMITS.name),
  ...clientAuthentication,
  scope: optional(LIMITS.scope),
  code: optional(LIMITS.code),
  redirect_uri: optional(LIMITS.uri),
  code_verifier: optional(LIMITS.code),
  refresh_token: optional(LIMITS.code),
  assertion: optional(LIMITS.externalToken),
  subject_token: optional(LIMITS.externalToken),
  subject_token_type: optional(LIMITS.name),
  subject_issuer: optional(LIMITS.uri),
  actor_token: optional(LIMITS.externalToken),
  actor_token_type: optional(LIMITS.name),
  requested_token_type: optional(LIMITS.name),
  audience: optional(LIMITS.uri),
  resource: optional(LIMITS.uri),
});

/** RFC 7662 §2.1 and RFC 7009 §2.1: the token and its type hint. */
export const TokenReferenceForm = form({
  ...clientAuthentication,
  token: optional(LIMITS.token),
  token_type_hint: optional(LIMITS.name),
});

/**
 * RFC 6749 §4.1.1. Only what is answered directly is checked here — the client and its redirect
 * URI (§4.1.2.1: never redirect for those). Every other parameter is checked by the
 * authorization request after them, and a refusal goes back to the client's redirect URI.
 */
export const AuthorizationQuery = form({
  client_id: optional(LIMITS.clientId),
  redirect_uri: optional(LIMITS.uri),
});

/** The upstream provider's answer (RFC 6749 §4.1.2, §4.1.2.1); what Gatehouse reads of it. */
export const BrokerCallbackQuery = form({
  state: optional(LIMITS.echoed),
  code: optional(LIMITS.code),
  error: optional(LIMITS.name),
});

/** RFC 6750 §2.2: the access token as a form parameter of a POST to the UserInfo endpoint. */
export const UserInfoForm = form({
  access_token: optional(LIMITS.token),
});

/** OpenID Connect RP-Initiated Logout 1.0 §2: what the end-session endpoint reads. */
export const EndSessionQuery = form({
  id_token_hint: optional(LIMITS.token),
  client_id: optional(LIMITS.clientId),
  post_logout_redirect_uri: optional(LIMITS.uri),
  state: optional(LIMITS.echoed),
  logout_hint: optional(LIMITS.name),
  ui_locales: optional(LIMITS.name),
});
