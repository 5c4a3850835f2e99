import { Type } from 'typebox';
import type { TSchema, TString } from 'typebox';
import { SAFE_LINES_PATTERN, SAFE_TEXT_PATTERN, SafeString, SafeText } from './safe-string.js';

/**
 * Building blocks of the `/api` schemas. A schema checks the shape of a request — types, lengths,
 * characters — so that nothing malformed reaches a service or the database; the services check
 * values (enums, ranges, references) and report every problem at once with their own codes.
 * There is one documented length limit per kind of field, and strings refuse control characters. The limits follow the database: names, emails and
 * client ids are `varchar(191)` columns (`src/store/migrations.ts`), external user ids
 * `varchar(255)`; everything else is stored in JSON text but still bounded.
 */
export const LIMITS = {
  /** Names, emails, usernames, client ids, display names: the `varchar(191)` columns. */
  name: 191,
  /** Ids of Gatehouse objects: a UUID has 36 characters. */
  id: 36,
  /** An external identity (a provider's unique id claim): the `varchar(255)` column. */
  externalId: 255,
  /** URLs (JWKS, endpoints, redirect URLs, FHIR base URLs). */
  url: 2048,
  /** Short tokens of a grammar: grant types, scopes, algorithms, claim names, enum values. */
  token: 255,
  /** Free text that is not a name (descriptions, lambda reject messages). */
  text: 4096,
  /** Encoded JWTs and refresh tokens. */
  jwt: 16384,
  /** PEM keys and certificates. */
  pem: 16384,
  /** Lambda source code. */
  lambdaBody: 65536,
  /** Items of one list (scopes, grants, roles, redirect URLs, domains, key ids). */
  items: 100,
} as const;

/** No control character, DEL or unpaired surrogate: NUL breaks PostgreSQL text, the others logs and headers. */
export const NO_CONTROL_CHARACTERS = SAFE_TEXT_PATTERN;
/** Multi-line text (code, PEM): tab, line feed and carriage return allowed, every other control character refused. */
export const NO_CONTROL_CHARACTERS_BUT_LINES = SAFE_LINES_PATTERN;
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export { SafeString, SafeText };

/** The id of a Gatehouse object in a body: a UUID. */
export const Uuid = (description?: string): TString =>
  Type.String({ maxLength: LIMITS.id, pattern: UUID, ...(description ? { description } : {}) });

/** A list of at most `LIMITS.items` entries. */
export const List = <T extends TSchema>(item: T, description?: string) => Type.Array(item, { maxItems: LIMITS.items, ...(description ? { description } : {}) });

/** A free-form JSON object (`data` of users, tenants, registrations): stored as given. */
export const FreeObject = (description?: string) => Type.Record(Type.String(), Type.Unknown(), description ? { description } : {});

/** A count given as digits in the query string (or an integer); the service checks its range. */
export const QueryCount = Type.Unsafe<number | string>({ type: ['integer', 'string'], maxLength: 20, pattern: '^[0-9]*$' });

/**
 * The id in a path. Any string up to 36 characters without control characters: an id that names
 * nothing (UUID-shaped or not) answers 404, as FusionAuth does.
 */
export const IdParams = Type.Object({ id: SafeString(LIMITS.id, { description: 'The object id (a UUID).' }) });

/** The tenant headers of the `/api` (FusionAuth `X-FusionAuth-TenantId`; `X-Tenant-Id`). */
export const TenantHeaders = Type.Object(
  {
    'x-fusionauth-tenantid': Type.Optional(SafeString(64, { description: 'The tenant of the call; else the key\'s tenant, else the only tenant.' })),
    'x-tenant-id': Type.Optional(SafeString(64, { description: 'Alias of X-FusionAuth-TenantId; both given must agree.' })),
  },
  { additionalProperties: true },
);
