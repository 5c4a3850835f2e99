import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { NewOutboxEntry } from '../store/repositories/webhook-outbox-repository.js';
import type { Webhook } from '../store/repositories/webhook-repository.js';
import type { Store } from '../store/store.js';
import { webhookBody, webhookEvent } from './webhook-events.js';
import type { WebhookEvent, WebhookEventType } from './webhook-events.js';
import type { JsonObject } from '../store/records.js';

export interface WebhookOutboxOptions {
  clock: Clock;
  /** `--webhooks`: when off, nothing is written. */
  enabled: boolean;
  /** How long this node keeps the list of webhooks (another node's change shows within this). */
  cacheMs: number;
}

/** Does `webhook` want `event` (FusionAuth: the type enabled, and global or for the event's tenant)? */
export function subscribes(webhook: Webhook, event: WebhookEvent): boolean {
  if (webhook.eventsEnabled[event.type] !== true) return false;
  return webhook.global || (event.tenantId !== undefined && webhook.tenantIds.includes(event.tenantId));
}

/**
 * The writing side of the transactional outbox: `emit(tx, …)` adds one row per subscribed
 * webhook through the caller's transaction, so an event exists exactly when its change was
 * committed. No subscriber, or webhooks off: no row and no write.
 */
export class WebhookOutbox {
  private cached: { webhooks: Webhook[]; until: number } | undefined;

  constructor(private readonly options: WebhookOutboxOptions) {}

  /** A new event of `type` now (its id is fixed here, so a rerun write set sends the same event). */
  event(type: WebhookEventType, tenantId: string | undefined, fields: JsonObject): WebhookEvent {
    return webhookEvent(type, this.options.clock.now(), tenantId, fields);
  }

  /** Writes `events` through `tx`: call inside the transaction of the change they report. */
  async emit(tx: Store, events: readonly WebhookEvent[]): Promise<void> {
    if (!this.options.enabled || events.length === 0) return;
    const webhooks = await this.webhooks(tx);
    if (webhooks.length === 0) return;
    const now = this.options.clock.now();
    const entries: NewOutboxEntry[] = [];
    for (const event of events) {
      const body = webhookBody(event);
      for (const webhook of webhooks) {
        if (!subscribes(webhook, event)) continue;
        entries.push({ id: newId(), eventId: event.id, eventType: event.type, webhookId: webhook.id, tenantId: event.tenantId, body, insertInstant: now });
      }
    }
    await tx.webhookOutbox.insert(entries);
  }

  /** Forgets the cached webhooks (after a webhook is created, changed or deleted). */
  changed(): void {
    this.cached = undefined;
  }

  private async webhooks(tx: Store): Promise<Webhook[]> {
    const now = this.options.clock.now();
    if (this.cached && this.cached.until > now) return this.cached.webhooks;
    const webhooks = await tx.webhooks.list();
    this.cached = { webhooks, until: now + this.options.cacheMs };
    return webhooks;
  }
}
