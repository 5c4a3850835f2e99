import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, List, SafeString, Uuid } from './common.js';

const open = { additionalProperties: true } as const;

/**
 * `/api/application`. Unknown fields are accepted and ignored: FusionAuth clients send the whole
 * application object (with `insertInstant`, `state`, FusionAuth-only settings) back on PUT.
 */
export const Application = Type.Object(
  {
    id: Type.Optional(Uuid()),
    name: Type.Optional(SafeString(LIMITS.name)),
    active: Type.Optional(Type.Boolean()),
    roles: Type.Optional(
      List(
        Type.Object(
          {
            id: Type.Optional(Uuid()),
            name: Type.Optional(SafeString(LIMITS.name)),
            description: Type.Optional(SafeString(LIMITS.text)),
            isDefault: Type.Optional(Type.Boolean()),
            isSuperRole: Type.Optional(Type.Boolean()),
          },
          open,
        ),
      ),
    ),
    oauthConfiguration: Type.Optional(
      Type.Object(
        {
          clientId: Type.Optional(SafeString(LIMITS.name, { description: 'Default: the application id.' })),
          clientSecret: Type.Optional(SafeString(LIMITS.token, { description: 'Write-only; at least 32 characters; generated when absent.' })),
          clientAuthenticationMethod: Type.Optional(SafeString(32, { description: 'client_secret_basic (default), client_secret_post, private_key_jwt or none.' })),
          enabledGrants: Type.Optional(List(SafeString(LIMITS.token))),
          jwksUri: Type.Optional(SafeString(LIMITS.url)),
          jwks: Type.Optional(Type.Object({ keys: List(FreeObject()) }, open)),
          allowedScopes: Type.Optional(List(SafeString(LIMITS.token))),
          accessTokenAudience: Type.Optional(SafeString(LIMITS.url)),
          authorizedRedirectURLs: Type.Optional(List(SafeString(LIMITS.url))),
          logoutURL: Type.Optional(SafeString(LIMITS.url, { description: 'FusionAuth: where the browser goes after logout; also an accepted post_logout_redirect_uri.' })),
          postLogoutRedirectURLs: Type.Optional(List(SafeString(LIMITS.url), 'Further exact post_logout_redirect_uri values (OpenID Connect RP-Initiated Logout 1.0).')),
          authorizedOriginURLs: Type.Optional(List(SafeString(LIMITS.url, { description: 'Browser origins (scheme://host[:port]) allowed to call the token, introspection, revocation and userinfo endpoints (CORS).' }))),
        },
        open,
      ),
    ),
    jwtConfiguration: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          timeToLiveInSeconds: Type.Optional(Type.Integer()),
          refreshTokenTimeToLiveInMinutes: Type.Optional(Type.Integer()),
        },
        open,
      ),
    ),
    loginConfiguration: Type.Optional(Type.Object({ generateRefreshTokens: Type.Optional(Type.Boolean()) }, open)),
    smartConfiguration: Type.Optional(
      Type.Object({ roleId: Type.Optional(SafeString(LIMITS.id)), deviceId: Type.Optional(SafeString(64, { description: 'A FHIR id; default: the client id.' })) }, open),
    ),
    data: Type.Optional(FreeObject()),
  },
  open,
);

export const ApplicationBody = Type.Object({ application: Application }, open);
export type ApplicationBody = Static<typeof ApplicationBody>;
