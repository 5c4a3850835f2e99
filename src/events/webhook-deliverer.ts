import { postForStatus } from '../lib/bounded-fetch.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import type { Clock } from '../lib/clock.js';
import type { OutboxEntry } from '../store/repositories/webhook-outbox-repository.js';
import type { Webhook } from '../store/repositories/webhook-repository.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { EventLog } from './event-log.js';
import { backoffDelayMs } from './webhook-backoff.js';
import type { WebhookOutbox } from './webhook-outbox.js';
import { loadWebhookSigningKey, webhookSignatureJwt } from './webhook-signature.js';
import type { WebhookSigningKey } from './webhook-signature.js';

/** What one attempt came to, for metrics (`onDelivery`). */
export interface WebhookDeliveryResult {
  webhookId: string;
  eventId: string;
  eventType: string;
  outcome: 'delivered' | 'retry' | 'failed';
  /** The attempt number (1 for the first). */
  attempt: number;
  /** The receiver's status, when it answered. */
  status?: number;
  durationMs: number;
}

export interface WebhookDelivererOptions {
  store: Store;
  clock: Clock;
  eventLog: EventLog;
  /** The writing side: its `generation` tells when this node changed a webhook. */
  outbox: WebhookOutbox;
  /** How long the webhook list and imported signing keys are kept (the configuration cache lifetime). */
  cacheMs: number;
  metrics?: Metrics;
  /** Address and scheme rules of outbound requests; each webhook brings its own time budget. */
  fetchPolicy: Omit<FetchPolicy, 'timeoutMs'>;
  /** Opens encrypted secrets (signing keys, HTTP Basic passwords). */
  decrypt: (ciphertext: string) => string;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  batchSize?: number;
  random?: () => number;
  onDelivery?: (result: WebhookDeliveryResult) => void;
}

/** Connect plus read timeout are at most 2 × 30 s; a claim outlives the slowest attempt. */
export const CLAIM_LEASE_MS = 90_000;

/**
 * Delivers the outbox: claims due rows (with a lease, so a node that dies loses its claims and
 * another node takes them over), POSTs each body to its webhook through the SSRF-safe fetch, and
 * records the outcome. A 2xx answer is delivered; anything else is retried with capped,
 * jittered exponential backoff up to `maxAttempts`, then marked failed in the event log. At
 * least once: a receiver deduplicates by `event.id`.
 */
export class WebhookDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  /** One policy object per time budget: the bounded fetch pools connections per policy object. */
  private readonly policies = new Map<number, FetchPolicy>();
  /** Imported signing keys by key id: a key is read, decrypted and imported once per cache lifetime, not per request. */
  private readonly signingKeys = new Map<string, { key: Promise<WebhookSigningKey>; until: number }>();
  /** The Basic authorization header of a (cached, immutable) webhook object: decrypted once. */
  private readonly basicAuth = new WeakMap<Webhook, string>();
  /**
   * The webhooks, read once per cache lifetime instead of once per row. A cache of its own, not the
   * outbox's: an idle poll must not fill the list that decides whether an event is written (an
   * empty list cached here only delays a delivery; cached there it would skip an event).
   */
  private list: { webhooks: Webhook[]; until: number; generation: number } | undefined;

  constructor(private readonly options: WebhookDelivererOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Claims and delivers one batch of due rows; answers how many were claimed. */
  async runOnce(): Promise<number> {
    const { store, clock } = this.options;
    // No webhook, no row (a webhook's rows go with it): an idle poll of the default install is a
    // look at the cached list, not a claim. Another node's new webhook shows within the cache lifetime.
    const list = await this.webhooks();
    if (list.length === 0) return 0;
    const now = clock.now();
    const entries = await store.webhookOutbox.claimDue(now, now + CLAIM_LEASE_MS, this.options.batchSize ?? 50);
    if (entries.length === 0) return 0;
    const webhooks = new Map(list.map((webhook) => [webhook.id, webhook]));
    const delivered = (await Promise.all(entries.map((entry) => this.deliver(entry, webhooks)))).filter((id): id is string => id !== undefined);
    // The delivered rows of a batch are marked in one statement (one commit, not one per row).
    await store.webhookOutbox.completeDelivered(delivered, clock.now());
    return entries.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((claimed) => this.schedule(claimed >= (this.options.batchSize ?? 50) ? 0 : this.options.pollIntervalMs))
        .catch(async (error: unknown) => {
          await this.options.eventLog.write('Error', `Webhook delivery stopped for one poll: ${(error as Error).message}`).catch(() => undefined);
          this.schedule(this.options.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One attempt; answers the row's id when it was delivered (the caller marks it), else records the failure. */
  private async deliver(entry: OutboxEntry, webhooks: Map<string, Webhook>): Promise<string | undefined> {
    const { store, clock } = this.options;
    const started = clock.now();
    let status: number | undefined;
    let problem: string | undefined;
    try {
      // Not in this node's cached list: created on another node within the cache lifetime, or deleted.
      const webhook = webhooks.get(entry.webhookId) ?? (await store.webhooks.findById(entry.webhookId));
      if (!webhook) problem = 'the webhook was deleted';
      else {
        status = await postForStatus(webhook.url, this.policy(webhook.connectTimeout + webhook.readTimeout), await this.headers(webhook, entry), entry.body);
        if (status < 200 || status > 299) problem = `the receiver answered ${status}`;
      }
    } catch (error) {
      problem = (error as Error).message;
    }
    const now = clock.now();
    const result = { webhookId: entry.webhookId, eventId: entry.eventId, eventType: entry.eventType, attempt: entry.attempts, ...(status !== undefined ? { status } : {}), durationMs: now - started };
    if (problem === undefined) {
      this.options.metrics?.webhookAttempt(entry.eventType, 'delivered', result.durationMs / 1000);
      this.options.onDelivery?.({ ...result, outcome: 'delivered' });
      return entry.id;
    }
    const last = entry.attempts >= this.options.maxAttempts;
    const what = `Webhook ${entry.webhookId} event ${entry.eventType} ${entry.eventId}: attempt ${entry.attempts} of ${this.options.maxAttempts} failed (${problem})`;
    // Logged before the row moves on, so the log of attempt n precedes attempt n + 1.
    await this.options.eventLog.write('Error', last ? `${what}; giving up.` : `${what}; retrying.`);
    if (last) await store.webhookOutbox.complete(entry.id, 'failed', now, problem);
    else await store.webhookOutbox.retryAt(entry.id, now + backoffDelayMs(entry.attempts, this.options.backoffBaseMs, this.options.random), problem);
    this.options.metrics?.webhookAttempt(entry.eventType, last ? 'failed' : 'retry', result.durationMs / 1000);
    this.options.onDelivery?.({ ...result, outcome: last ? 'failed' : 'retry' });
    return undefined;
  }

  private policy(timeoutMs: number): FetchPolicy {
    let policy = this.policies.get(timeoutMs);
    if (!policy) this.policies.set(timeoutMs, (policy = { ...this.options.fetchPolicy, timeoutMs }));
    return policy;
  }

  private async headers(webhook: Webhook, entry: OutboxEntry): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...webhook.headers, 'content-type': 'application/json' };
    if (webhook.httpAuthenticationUsername !== undefined) {
      let authorization = this.basicAuth.get(webhook);
      if (authorization === undefined) {
        const password = webhook.encryptedHttpAuthenticationPassword ? this.options.decrypt(webhook.encryptedHttpAuthenticationPassword) : '';
        this.basicAuth.set(webhook, (authorization = `Basic ${Buffer.from(`${webhook.httpAuthenticationUsername}:${password}`).toString('base64')}`));
      }
      headers.authorization = authorization;
    }
    const { signatureConfiguration } = webhook;
    if (signatureConfiguration.enabled && signatureConfiguration.signingKeyId) {
      const key = await this.signingKey(signatureConfiguration.signingKeyId);
      headers['x-fusionauth-signature-jwt'] = webhookSignatureJwt(entry.body, key, Math.floor(this.options.clock.now() / 1000));
    }
    return headers;
  }

  private async webhooks(): Promise<Webhook[]> {
    const now = this.options.clock.now();
    const { generation } = this.options.outbox;
    if (this.list && this.list.until > now && this.list.generation === generation) return this.list.webhooks;
    const webhooks = await this.options.store.webhooks.list();
    this.list = { webhooks, until: now + this.options.cacheMs, generation };
    return webhooks;
  }

  private signingKey(keyId: string): Promise<WebhookSigningKey> {
    const now = this.options.clock.now();
    const cached = this.signingKeys.get(keyId);
    if (cached && cached.until > now) return cached.key;
    const key = loadWebhookSigningKey(this.options.store, keyId, this.options.decrypt);
    this.signingKeys.set(keyId, { key, until: now + this.options.cacheMs });
    // A key that cannot be loaded is not cached: the next attempt reads it again.
    key.catch(() => this.signingKeys.get(keyId)?.key === key && this.signingKeys.delete(keyId));
    return key;
  }
}
