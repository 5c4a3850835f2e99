import { Type } from 'typebox';
import type { Static } from 'typebox';
import { LIMITS, SafeString, QueryCount } from './common.js';

const open = { additionalProperties: true } as const;

/** A link: the provider, the external identity (its unique id claim) and the user. */
export const Link = Type.Object(
  {
    identityProviderId: Type.Optional(SafeString(LIMITS.id)),
    identityProviderUserId: Type.Optional(SafeString(LIMITS.externalId)),
    userId: Type.Optional(SafeString(LIMITS.id)),
    displayName: Type.Optional(SafeString(LIMITS.name)),
    token: Type.Optional(SafeString(LIMITS.jwt)),
  },
  open,
);

/**
 * `POST /api/identity-provider/link`: `{identityProviderLink}` or FusionAuth's flat form, or
 * `{pendingIdPLinkId, identityProviderLink: {userId}}`. Unknown fields are accepted and ignored.
 */
export const LinkBody = Type.Object(
  {
    ...Link.properties,
    identityProviderLink: Type.Optional(Link),
    pendingIdPLinkId: Type.Optional(SafeString(LIMITS.id)),
  },
  open,
);

export const LinkQuery = Type.Object(
  {
    identityProviderId: Type.Optional(SafeString(LIMITS.id)),
    identityProviderUserId: Type.Optional(SafeString(LIMITS.externalId)),
    userId: Type.Optional(SafeString(LIMITS.id)),
  },
  open,
);

/** `GET /api/identity-provider/pending`: which kind, and which page. */
export const PendingActionQuery = Type.Object(
  {
    kind: Type.Optional(SafeString(16, { description: 'link or onboarding; absent: both.' })),
    startRow: Type.Optional(QueryCount),
    numberOfResults: Type.Optional(QueryCount),
  },
  open,
);
export type PendingActionQuery = Static<typeof PendingActionQuery>;

const PendingAction = Type.Object({
  id: Type.String({ description: 'The pending link id (`pendingIdPLinkId`) or the onboarding id.' }),
  kind: Type.String({ description: 'link or onboarding.' }),
  identityProviderId: Type.String(),
  identityProviderUserId: Type.String(),
  applicationId: Type.String(),
  displayName: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String({ description: 'Onboarding: the reason the lambda gave.' })),
  missing: Type.Optional(Type.Array(Type.Unknown(), { description: 'Onboarding: the fields the lambda asked for (names or descriptions).' })),
  insertInstant: Type.Integer(),
  expiresAt: Type.Integer(),
});

export const PendingActionList = Type.Object({ pending: Type.Array(PendingAction), total: Type.Integer() });
