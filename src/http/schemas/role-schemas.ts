import { Type } from 'typebox';
import type { Static } from 'typebox';
import { LIMITS, List, SafeString, Uuid } from './common.js';

/**
 * `/api/smart/role` (Gatehouse; a Koppeltaal role). Unknown fields are accepted and ignored, like
 * the FusionAuth-shaped bodies, so a role read with GET can be sent back with PUT.
 */
export const Role = Type.Object(
  {
    id: Type.Optional(Uuid()),
    name: Type.Optional(SafeString(LIMITS.name)),
    permissions: Type.Optional(
      List(
        Type.Object(
          {
            resourceType: Type.Optional(SafeString(64, { description: 'A FHIR resource type, or *.' })),
            operations: Type.Optional(List(SafeString(16, { description: 'create, read, update or delete.' }))),
            origin: Type.Optional(SafeString(16, { description: 'all, own or granted.' })),
            grantedApplicationIds: Type.Optional(List(SafeString(LIMITS.id))),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { additionalProperties: true },
);

export const RoleBody = Type.Object({ role: Role }, { additionalProperties: true });
export type RoleBody = Static<typeof RoleBody>;
