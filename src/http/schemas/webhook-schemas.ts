import { Type } from 'typebox';
import type { Static } from 'typebox';
import { FreeObject, LIMITS, List, SafeString, Uuid, QueryCount } from './common.js';

/** `/api/webhook`: FusionAuth's Webhook object. Unknown fields are accepted and ignored. */
export const Webhook = Type.Object(
  {
    id: Type.Optional(Uuid()),
    url: Type.Optional(SafeString(LIMITS.url, { description: 'Where events are POSTed; checked against the outbound address rules.' })),
    description: Type.Optional(SafeString(LIMITS.text)),
    eventsEnabled: Type.Optional(Type.Record(Type.String({ maxLength: LIMITS.token }), Type.Boolean(), { maxProperties: 200, description: 'Event type → subscribed, e.g. {"user.create": true}.' })),
    connectTimeout: Type.Optional(Type.Integer({ description: 'Milliseconds to connect (1…30000, default 1000).' })),
    readTimeout: Type.Optional(Type.Integer({ description: 'Milliseconds to read the answer (1…30000, default 2000).' })),
    headers: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), SafeString(LIMITS.text), { maxProperties: 50, description: 'Extra request headers.' })),
    httpAuthenticationUsername: Type.Optional(SafeString(LIMITS.name)),
    httpAuthenticationPassword: Type.Optional(SafeString(LIMITS.name, { description: 'Stored encrypted, never returned.' })),
    global: Type.Optional(Type.Boolean({ description: 'Events of every tenant; else those of tenantIds.' })),
    tenantIds: Type.Optional(List(Uuid())),
    signatureConfiguration: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), signingKeyId: Type.Optional(Uuid('A Key Master key: HMAC (HS256/384/512) or an asymmetric key pair.')) },
        { additionalProperties: true },
      ),
    ),
    data: Type.Optional(FreeObject()),
  },
  { additionalProperties: true },
);

export const WebhookBody = Type.Object({ webhook: Webhook }, { additionalProperties: true });
export type WebhookBody = Static<typeof WebhookBody>;

/** `GET /api/webhook/{id}/delivery`: which deliveries, and which page of them. */
export const WebhookDeliveryQuery = Type.Object(
  {
    status: Type.Optional(SafeString(16, { description: 'pending, delivered or failed; absent: all.' })),
    startRow: Type.Optional(QueryCount),
    numberOfResults: Type.Optional(QueryCount),
  },
  { additionalProperties: true },
);
export type WebhookDeliveryQuery = Static<typeof WebhookDeliveryQuery>;

const WebhookDelivery = Type.Object({
  id: Type.String({ description: 'The outbox row: one event for one webhook.' }),
  eventId: Type.String({ description: 'The event\'s `id`, the receiver\'s deduplication key.' }),
  eventType: Type.String(),
  tenantId: Type.Optional(Type.String()),
  status: Type.String({ description: 'pending, delivered or failed (after the last attempt).' }),
  attempts: Type.Integer({ description: 'Attempts started so far.' }),
  nextAttemptInstant: Type.Optional(Type.Integer({ description: 'Pending: when the next attempt is due (ms since the epoch).' })),
  lastError: Type.Optional(Type.String({ description: 'Why the last attempt failed: the receiver\'s status, a timeout, a refused address.' })),
  insertInstant: Type.Integer(),
  completedInstant: Type.Optional(Type.Integer()),
});

export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery), total: Type.Integer() });
