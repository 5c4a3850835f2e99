import { newId } from '../lib/ids.js';
import type { JsonObject } from '../store/records.js';

/** The FusionAuth event types Gatehouse sends (FusionAuth `EventType`). */
export const WEBHOOK_EVENT_TYPES = [
  'user.create',
  'user.update',
  'user.delete',
  'user.registration.create',
  'user.login.success',
  'user.login.failed',
  'user.identity-provider.link',
  'jwt.refresh-token.revoke',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const isWebhookEventType = (value: string): value is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);

/**
 * One event in FusionAuth's shape (`BaseEvent`: `id`, `type`, `createInstant`, `tenantId`, plus
 * the type's own fields such as `user`, `applicationId`, `registration`). The `id` is the
 * receiver's deduplication key: delivery is at least once, and a retry repeats it.
 */
export interface WebhookEvent extends JsonObject {
  id: string;
  type: WebhookEventType;
  createInstant: number;
  tenantId?: string;
}

/** A new event of `type` at `now`; `fields` are the type's own (FusionAuth's `UserCreateEvent` etc.). */
export function webhookEvent(type: WebhookEventType, now: number, tenantId: string | undefined, fields: JsonObject): WebhookEvent {
  return { ...fields, id: newId(), type, createInstant: now, ...(tenantId ? { tenantId } : {}) };
}

/** The request body FusionAuth sends: `{"event": {...}}`. */
export const webhookBody = (event: WebhookEvent): string => JSON.stringify({ event });
