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

/** Page sizes: FusionAuth's default is 25; Gatehouse answers at most 500 users a page. */
export const SEARCH_LIMITS = { numberOfResults: 500, startRow: 1_000_000 } as const;

const SortField = Type.Object(
  { name: Type.Optional(SafeString(LIMITS.token)), order: Type.Optional(SafeString(LIMITS.token)), missing: Type.Optional(SafeString(LIMITS.token)) },
  open,
);

/** FusionAuth's UserSearchCriteria (`POST /api/user/search`); what is supported is described in user-search-input.ts. */
export const UserSearchCriteria = Type.Object(
  {
    ids: Type.Optional(List(SafeString(LIMITS.id), 'User ids; one that is not a UUID is ignored.')),
    queryString: Type.Optional(
      SafeString(LIMITS.name, { description: '`*` for every user, or text matched case-insensitively in email, username and names, `*` matching any run.' }),
    ),
    query: Type.Optional(Type.Unknown({ description: 'Elasticsearch JSON: not supported (refused).' })),
    nextResults: Type.Optional(Type.Unknown({ description: 'Not supported (refused): page with startRow.' })),
    numberOfResults: Type.Optional(Type.Integer({ minimum: 0, maximum: SEARCH_LIMITS.numberOfResults, description: 'Page size; default 25.' })),
    startRow: Type.Optional(Type.Integer({ minimum: 0, maximum: SEARCH_LIMITS.startRow, description: 'Offset of the page; default 0.' })),
    sortFields: Type.Optional(List(SortField, 'By email, username, login, firstName, lastName, fullName, insertInstant, lastLoginInstant, lastUpdateInstant or id.')),
    orderBy: Type.Optional(SafeString(LIMITS.token, { description: '`field [ASC|DESC]` (FusionAuth database search).' })),
    accurateTotal: Type.Optional(Type.Boolean()),
  },
  open,
);
export const UserSearchBody = Type.Object({ search: UserSearchCriteria }, open);

const count = (maximum: number, description: string) =>
  Type.Optional(Type.String({ pattern: `^[0-9]{1,${String(maximum).length}}$`, description: `${description} (at most ${maximum}).` }));

/** `GET /api/user/search`: `ids` repeated (FusionAuth `searchUsersByIds`) and/or `queryString`. */
export const UserSearchQueryString = Type.Object(
  {
    ids: Type.Optional(Type.Union([SafeString(LIMITS.id), List(SafeString(LIMITS.id))], { description: 'A user id; repeat the parameter for more.' })),
    queryString: UserSearchCriteria.properties.queryString,
    numberOfResults: count(SEARCH_LIMITS.numberOfResults, 'Page size; default 25'),
    startRow: count(SEARCH_LIMITS.startRow, 'Offset of the page; default 0'),
  },
  open,
);
