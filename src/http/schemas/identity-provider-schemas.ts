import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, List, SafeString, SafeText, Uuid } from './common.js';

const open = { additionalProperties: true } as const;
const str = (max: number = LIMITS.token) => Type.Optional(SafeString(max));

/**
 * `/api/identity-provider` (FusionAuth's External JWT provider plus Gatehouse's verification
 * fields). Unknown fields are accepted and ignored: FusionAuth clients send the full provider
 * object, including fields of other provider types.
 */
export const IdentityProvider = Type.Object(
  {
    id: Type.Optional(Uuid()),
    type: str(64),
    preset: str(64),
    name: Type.Optional(SafeString(LIMITS.name)),
    enabled: Type.Optional(Type.Boolean()),
    debug: Type.Optional(Type.Boolean()),
    applicationConfiguration: Type.Optional(
      Type.Record(Type.String(), Type.Object({ enabled: Type.Optional(Type.Boolean()), createRegistration: Type.Optional(Type.Boolean()), allowPublicClients: Type.Optional(Type.Boolean()) }, open)),
    ),
    claimMap: Type.Optional(Type.Record(Type.String(), SafeString(64), { description: 'claim → birthDate, firstName, …, UserData, RegistrationData.' })),
    attributeMappings: Type.Optional(Type.Record(Type.String(), SafeString(LIMITS.text))),
    lambdaConfiguration: Type.Optional(Type.Object({ reconcileId: str(LIMITS.id) }, open)),
    linkingStrategy: Type.Optional(SafeString(64, { description: 'LinkByEmail (default), LinkByEmailForExistingUser, LinkByUsername, LinkByUsernameForExistingUser, LinkAnonymously, CreatePendingLink or Disabled.' })),
    headerKeyParameter: str(64),
    verificationKeyIds: Type.Optional(List(SafeString(LIMITS.id))),
    defaultKeyId: str(LIMITS.id),
    keys: Type.Optional(Type.Record(Type.String(), SafeText(LIMITS.pem), { description: 'Legacy: kid → PEM public key or certificate.' })),
    domains: Type.Optional(List(SafeString(LIMITS.name))),
    oauth2: Type.Optional(
      Type.Object(
        {
          authorization_endpoint: str(LIMITS.url),
          token_endpoint: str(LIMITS.url),
          client_id: str(LIMITS.name),
          client_secret: Type.Optional(SafeString(LIMITS.text, { description: 'Write-only; stored encrypted.' })),
          clientAuthenticationMethod: Type.Optional(SafeString(64, { description: 'none, client_secret_basic, client_secret_post or private_key_jwt (signed with the tenant key).' })),
          scope: str(LIMITS.text),
          discoveryUrl: Type.Optional(SafeString(LIMITS.url, { description: 'OpenID Connect Discovery document; its endpoints and jwks_uri win over the typed ones.' })),
          userinfo_endpoint: str(LIMITS.url),
          end_session_endpoint: str(LIMITS.url),
          userinfo: Type.Optional(SafeString(16, { description: 'always, never or whenMissing (default): when the upstream userinfo endpoint is called.' })),
          forwardParameters: Type.Optional(List(SafeString(32), 'prompt, login_hint, acr_values, max_age, ui_locales, claims (default all).')),
          uniqueIdClaim: str(),
          emailClaim: str(),
          emailVerifiedClaim: str(),
          usernameClaim: str(),
        },
        open,
      ),
    ),
    uniqueIdentityClaim: str(),
    tenantConfiguration: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({ limitUserLinkCount: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), maximumLinks: Type.Optional(Type.Integer()) }, open)) }, open),
      ),
    ),
    tenantId: str(LIMITS.id),
    source: str(64),
    data: Type.Optional(FreeObject()),
    jwksUri: str(LIMITS.url),
    issuer: str(LIMITS.url),
    audiences: Type.Optional(List(SafeString(LIMITS.url))),
    allowedAlgorithms: Type.Optional(List(SafeString(16))),
    clockSkewSeconds: Type.Optional(Type.Integer()),
    maximumTokenAgeSeconds: Type.Optional(Type.Integer()),
  },
  open,
);

export const IdentityProviderBody = Type.Object({ identityProvider: IdentityProvider }, open);
export type IdentityProviderBody = Static<typeof IdentityProviderBody>;

/** `POST /api/identity-provider/{id}/test` (Gatehouse only): unknown fields are refused. */
export const IdentityProviderTestBody = Type.Object(
  { encodedJWT: Type.Optional(SafeString(LIMITS.jwt)), applicationId: Type.Optional(SafeString(LIMITS.id)) },
  { additionalProperties: false },
);

/** `POST /api/identity-provider/import-config` (Keycloak's import-config): unknown fields are refused. */
export const ImportConfigBody = Type.Object({ discoveryUrl: str(LIMITS.url), issuer: str(LIMITS.url) }, { additionalProperties: false });

export const LookupQuery = Type.Object({ domain: Type.Optional(SafeString(LIMITS.name)), tenantId: Type.Optional(SafeString(64)) }, open);

export const IdentityProviderSearch = Type.Object({ name: str(LIMITS.name), type: str(64), applicationId: str(LIMITS.id) }, open);
export const IdentityProviderSearchBody = Type.Object({ search: Type.Optional(IdentityProviderSearch) }, open);
