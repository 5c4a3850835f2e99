import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, SafeString, Uuid } from './common.js';
import { EN } from '../pages/messages-en.js';

/** `#rrggbb`, nothing else: the value goes into the pages' stylesheet. */
const HexColour = (description: string) => Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description });
/** The texts a tenant may replace: the pages' own message keys, each a short text. */
const ThemeTexts = Type.Object(Object.fromEntries(Object.keys(EN).map((key) => [key, Type.Optional(SafeString(512))])), { additionalProperties: false });

/** Gatehouse: the hosted login pages' look (README "Hosted login pages"). */
export const LoginTheme = Type.Object(
  {
    logoUrl: Type.Optional(
      Type.String({ maxLength: LIMITS.url, pattern: '^(https://[^\\s"\'<>\\\\]+|/(?![/\\\\])[^\\s"\'<>\\\\]*)$', description: 'An https URL, or a path on this server starting with a single /.' }),
    ),
    primaryColor: Type.Optional(HexColour('Buttons and accents, #rrggbb; the button text is black or white, whichever contrasts more.')),
    backgroundColor: Type.Optional(HexColour('The page background, #rrggbb.')),
    texts: Type.Optional(Type.Object({ en: Type.Optional(ThemeTexts), nl: Type.Optional(ThemeTexts), de: Type.Optional(ThemeTexts) }, { additionalProperties: false, description: 'Texts replacing the pages\' own, by locale and message key.' })),
  },
  { additionalProperties: false },
);

/**
 * `/api/tenant`. Unknown fields are accepted and ignored (`additionalProperties: true`): FusionAuth
 * clients send the whole tenant object back, with fields Gatehouse does not keep.
 */
export const Tenant = Type.Object(
  {
    id: Type.Optional(Uuid()),
    name: Type.Optional(SafeString(LIMITS.name, { description: 'Unique among tenants.' })),
    slug: Type.Optional(SafeString(63, { description: 'The `{tenant}` of `/t/{tenant}`; derived from the name when absent.' })),
    jwtConfiguration: Type.Optional(
      Type.Object(
        {
          timeToLiveInSeconds: Type.Optional(Type.Integer({ description: 'Access token lifetime, 1 to 86400.' })),
          refreshTokenTimeToLiveInMinutes: Type.Optional(Type.Integer()),
          signingAlgorithm: Type.Optional(SafeString(16, { description: 'ES256 (default), RS256…PS512, ES384, ES512, EdDSA.' })),
          accessTokenType: Type.Optional(SafeString(16, { description: 'The typ header of access tokens: JWT (default) or at+jwt (RFC 9068 §2.1).' })),
        },
        { additionalProperties: true },
      ),
    ),
    smartConfiguration: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          fhirBaseUrl: Type.Optional(SafeString(LIMITS.url)),
          accessTokenAudience: Type.Optional(SafeString(LIMITS.url)),
        },
        { additionalProperties: true },
      ),
    ),
    loginTheme: Type.Optional(LoginTheme),
    adminConsoleApplicationId: Type.Optional(Uuid('The application whose users with the role admin may sign in to the admin console (/admin): a public client with the authorization_code grant and the redirect URL {publicUrl}/admin.')),
    data: Type.Optional(FreeObject()),
  },
  { additionalProperties: true },
);

export const TenantBody = Type.Object({ tenant: Tenant }, { additionalProperties: true });
export type TenantBody = Static<typeof TenantBody>;
