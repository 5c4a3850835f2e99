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

/** The cached webhook list, and which event types any of them wants: of every tenant, or per tenant. */
interface Subscriptions {
  webhooks: Webhook[];
  until: number;
  global: Set<string>;
  byTenant: Map<string, Set<string>>;
}

function subscriptionsOf(webhooks: Webhook[], until: number): Subscriptions {
  const global = new Set<string>();
  const byTenant = new Map<string, Set<string>>();
  for (const webhook of webhooks) {
    const types = Object.keys(webhook.eventsEnabled).filter((type) => webhook.eventsEnabled[type] === true);
    if (webhook.global) types.forEach((type) => global.add(type));
    else for (const tenantId of webhook.tenantIds) {
      const set = byTenant.get(tenantId) ?? new Set<string>();
      types.forEach((type) => set.add(type));
      byTenant.set(tenantId, set);
    }
  }
  return { webhooks, until, global, byTenant };
}

/**
 * The writing side of the transactional outbox: `emit(tx, …)` adds one row per subscribed
 * webhook through the caller's transaction, so an event exists exactly when its change was
 * committed. No subscriber, or webhooks off: no row and no write, and a hot path that asks
 * `wants` first does not even build the event.
 */
export class WebhookOutbox {
  private cached: Subscriptions | undefined;

  constructor(private readonly options: WebhookOutboxOptions) {}

  /** A new event of `type` now (its id is fixed here, so a rerun write set sends the same event). */
  event(type: WebhookEventType, tenantId: string | undefined, fields: JsonObject): WebhookEvent {
    return webhookEvent(type, this.options.clock.now(), tenantId, fields);
  }

  /**
   * Might a webhook want an event of `type` for `tenantId`? False only when it is certain that
   * none does (webhooks off, or the cached list says so); while the cache is cold or expired the
   * answer is true, and `emit` decides on the fresh list. Synchronous: no query on the hot path.
   */
  wants(type: WebhookEventType, tenantId: string | undefined): boolean {
    if (!this.options.enabled) return false;
    const cached = this.cached;
    if (!cached || cached.until <= this.options.clock.now()) return true;
    return cached.global.has(type) || (tenantId !== undefined && cached.byTenant.get(tenantId)?.has(type) === true);
  }

  /** Writes `events` through `tx`: call inside the transaction of the change they report. */
  async emit(tx: Store, events: readonly WebhookEvent[]): Promise<void> {
    if (!this.options.enabled || events.length === 0) return;
    const webhooks = await this.webhooks(tx);
    if (webhooks.length === 0) return;
    const now = this.options.clock.now();
    const entries: NewOutboxEntry[] = [];
    for (const event of events) {
      // Serialized once per event, and only when some webhook wants it: every subscriber gets the same bytes.
      let body: string | undefined;
      for (const webhook of webhooks) {
        if (!subscribes(webhook, event)) continue;
        body ??= webhookBody(event);
        entries.push({ id: newId(), eventId: event.id, eventType: event.type, webhookId: webhook.id, tenantId: event.tenantId, body, insertInstant: now });
      }
    }
    await tx.webhookOutbox.insert(entries);
  }

  /** Counts this node's webhook writes: a reader with a cache of its own (the deliverer) drops it when this moves. */
  generation = 0;

  /** Forgets the cached webhooks (after a webhook is created, changed or deleted). */
  changed(): void {
    this.cached = undefined;
    this.generation += 1;
  }

  /** Every webhook, cached for `cacheMs` (read through `store`, which may be a transaction). */
  private async webhooks(store: Store): Promise<Webhook[]> {
    const now = this.options.clock.now();
    if (this.cached && this.cached.until > now) return this.cached.webhooks;
    const webhooks = await store.webhooks.list();
    this.cached = subscriptionsOf(webhooks, now + this.options.cacheMs);
    return webhooks;
  }
}
