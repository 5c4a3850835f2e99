import { Type } from 'typebox';
import { LIMITS, SafeString } from './common.js';

/**
 * FusionAuth JWT API queries: `GET /api/jwt/public-key` (`?kid=` or `?applicationId=`, else all
 * keys) and `GET /api/jwt/refresh?userId=`. Unknown parameters are ignored, as FusionAuth does.
 */
const open = { additionalProperties: true } as const;

export const PublicKeyQuery = Type.Object(
  {
    kid: Type.Optional(SafeString(LIMITS.name, { description: 'The key id (`kid`) of one published signing key.' })),
    applicationId: Type.Optional(SafeString(LIMITS.id, { description: 'The application whose tokens the key verifies.' })),
  },
  open,
);

export const RefreshTokensQuery = Type.Object({ userId: Type.Optional(SafeString(LIMITS.id, { description: 'The user whose refresh tokens to list.' })) }, open);
