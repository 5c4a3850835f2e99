import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, List, SafeString, Uuid } from './common.js';

const open = { additionalProperties: true } as const;
const profile = (description?: string) => Type.Optional(SafeString(LIMITS.name, description ? { description } : {}));

/**
 * `/api/user`. Unknown fields are accepted and ignored (FusionAuth's user object has many Gatehouse
 * does not keep); `password` is declared so that it reaches the service and is refused there
 * (`[notSupported]user.password`) instead of being dropped.
 */
export const User = Type.Object(
  {
    id: Type.Optional(Uuid()),
    email: Type.Optional(SafeString(LIMITS.name)),
    username: Type.Optional(SafeString(LIMITS.name)),
    password: Type.Optional(Type.Unknown({ description: 'Refused: Gatehouse users authenticate through identity providers.' })),
    active: Type.Optional(Type.Boolean()),
    verified: Type.Optional(Type.Boolean()),
    firstName: profile(),
    middleName: profile(),
    lastName: profile(),
    fullName: profile(),
    birthDate: profile('YYYY-MM-DD.'),
    imageUrl: Type.Optional(SafeString(LIMITS.url)),
    mobilePhone: profile(),
    timezone: profile(),
    preferredLanguages: Type.Optional(List(SafeString(LIMITS.token))),
    data: Type.Optional(FreeObject()),
  },
  open,
);

export const UserBody = Type.Object({ user: User }, open);
export type UserBody = Static<typeof UserBody>;

export const Registration = Type.Object(
  {
    applicationId: Type.Optional(SafeString(LIMITS.id)),
    roles: Type.Optional(List(SafeString(LIMITS.name))),
    username: Type.Optional(SafeString(LIMITS.name)),
    verified: Type.Optional(Type.Boolean()),
    data: Type.Optional(FreeObject()),
  },
  open,
);

/** `POST /api/user/registration[/{userId}]`: a registration, and without a user id the user to create with it. */
export const RegistrationBody = Type.Object({ registration: Registration, user: Type.Optional(User) }, open);
export const RegistrationUpdateBody = Type.Object({ registration: Registration }, open);

export const UserQuery = Type.Object(
  {
    email: Type.Optional(SafeString(LIMITS.name)),
    username: Type.Optional(SafeString(LIMITS.name)),
  },
  open,
);

export const UserIdParams = Type.Object({ userId: SafeString(LIMITS.id) });
export const RegistrationParams = Type.Object({ userId: SafeString(LIMITS.id), applicationId: SafeString(LIMITS.id) });
