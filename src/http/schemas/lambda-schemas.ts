import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, SafeString, SafeText, Uuid } from './common.js';

/** `/api/lambda`. Unknown fields are accepted and ignored (FusionAuth's lambda object). */
export const Lambda = Type.Object(
  {
    id: Type.Optional(Uuid()),
    name: Type.Optional(SafeString(LIMITS.name)),
    type: Type.Optional(SafeString(64, { description: 'ExternalJWTReconcile.' })),
    body: Type.Optional(SafeText(LIMITS.lambdaBody, { description: 'JavaScript defining reconcile(user, registration, jwt, context).' })),
    debug: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
    engineType: Type.Optional(SafeString(64, { description: 'Kept as sent; Gatehouse runs QuickJS.' })),
  },
  { additionalProperties: true },
);

export const LambdaBody = Type.Object({ lambda: Lambda }, { additionalProperties: true });
export type LambdaBody = Static<typeof LambdaBody>;

/** `POST /api/lambda/{id}/test` (Gatehouse only): unknown fields are refused, they would be a mistake. */
export const LambdaTestBody = Type.Object(
  {
    jwt: Type.Optional(FreeObject('The decoded claims of an external JWT.')),
    user: Type.Optional(FreeObject()),
    registration: Type.Optional(FreeObject()),
    input: Type.Optional(FreeObject('What an onboarding collected (context.input).')),
    debug: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const LambdaQuery = Type.Object({ type: Type.Optional(SafeString(64)) }, { additionalProperties: true });

/** FusionAuth search criteria: in the query string, or in the POST body's `search` object. */
export const LambdaSearch = Type.Object(
  { body: Type.Optional(SafeString(LIMITS.text)), name: Type.Optional(SafeString(LIMITS.name)), type: Type.Optional(SafeString(64)) },
  { additionalProperties: true },
);
export const LambdaSearchBody = Type.Object({ search: Type.Optional(LambdaSearch) }, { additionalProperties: true });
