import { Type } from 'typebox';
import { FreeObject, LIMITS, SafeString } from './common.js';

/**
 * The External JWT login bodies (FusionAuth). Unknown fields are accepted and ignored: FusionAuth
 * clients send `ipAddress`, `metaData` and more. Presence is checked by the login pipeline,
 * which answers FusionAuth's codes (`[ExternalAuthenticationException]InvalidJWT`, …).
 */
const open = { additionalProperties: true } as const;

export const LoginBody = Type.Object(
  {
    applicationId: Type.Optional(SafeString(LIMITS.id)),
    identityProviderId: Type.Optional(SafeString(LIMITS.id)),
    encodedJWT: Type.Optional(SafeString(LIMITS.jwt)),
    data: Type.Optional(Type.Object({ token: Type.Optional(SafeString(LIMITS.jwt)) }, open)),
    noJWT: Type.Optional(Type.Boolean()),
    noLink: Type.Optional(Type.Boolean()),
  },
  open,
);

/** `POST /api/identity-provider/onboarding/{id}/complete`: what the app collected, in `data` (or `input`). */
export const OnboardingBody = Type.Object({ data: Type.Optional(FreeObject()), input: Type.Optional(FreeObject()) }, open);

/**
 * `POST /api/jwt/refresh`. The token's own limit (512) is checked by the route with FusionAuth's
 * `[blank]refreshToken`; the schema bounds it like every token.
 */
export const RefreshBody = Type.Object({ refreshToken: Type.Optional(SafeString(LIMITS.jwt)) }, open);

/** `DELETE /api/jwt/refresh`: a user's tokens (optionally of one application), or one token's family. */
export const RevokeRefreshQuery = Type.Object(
  { userId: Type.Optional(SafeString(LIMITS.id)), applicationId: Type.Optional(SafeString(LIMITS.id)), token: Type.Optional(SafeString(LIMITS.jwt)) },
  open,
);
