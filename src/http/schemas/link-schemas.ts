import { Type } from 'typebox';
import { LIMITS, SafeString } from './common.js';

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
