import { Type } from 'typebox';
import type { Static } from 'typebox';
import { LIMITS, List, SafeString, Uuid } from './common.js';

const open = { additionalProperties: true } as const;

/**
 * `/api/api-key`. Unknown fields are accepted and ignored (FusionAuth's key object carries more).
 * `key` is declared so that an update naming it reaches the service and is refused there.
 */
export const ApiKey = Type.Object(
  {
    id: Type.Optional(Uuid()),
    key: Type.Optional(SafeString(512, { description: 'At least 32 characters; generated when absent; shown once.' })),
    tenantId: Type.Optional(SafeString(LIMITS.id, { description: 'Limits the key to one tenant.' })),
    keyManager: Type.Optional(Type.Boolean()),
    metaData: Type.Optional(Type.Object({ attributes: Type.Optional(Type.Record(Type.String(), SafeString(LIMITS.text))) }, open)),
    permissions: Type.Optional(
      Type.Object(
        {
          endpoints: Type.Optional(
            Type.Record(Type.String(), List(SafeString(16, { description: 'GET, POST, PUT, PATCH or DELETE.' })), {
              description: 'An /api path → the methods allowed on it; none listed: every endpoint.',
            }),
          ),
        },
        open,
      ),
    ),
  },
  open,
);

export const ApiKeyBody = Type.Object({ apiKey: ApiKey }, open);
export type ApiKeyBody = Static<typeof ApiKeyBody>;
