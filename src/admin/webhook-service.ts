import { isWebhookEventType } from '../events/webhook-events.js';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import type { OutboundUrlRules } from '../lib/bounded-fetch.js';
import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import type { JsonObject } from '../store/records.js';
import type { Webhook } from '../store/repositories/webhook-repository.js';
import type { Store } from '../store/store.js';
import { optionalObject, optionalString, pageOf } from './input-values.js';

/** What a webhook is created or replaced from (FusionAuth's Webhook object; unknown fields are ignored). */
export interface WebhookInput {
  id?: string;
  url?: string;
  description?: string;
  eventsEnabled?: Record<string, boolean>;
  connectTimeout?: number;
  readTimeout?: number;
  headers?: Record<string, string>;
  httpAuthenticationUsername?: string;
  httpAuthenticationPassword?: string;
  global?: boolean;
  tenantIds?: string[];
  signatureConfiguration?: { enabled?: boolean; signingKeyId?: string };
  data?: JsonObject;
}

/** FusionAuth's Webhook as the API returns it: the Basic password is never sent back. */
export type WebhookView = Omit<Webhook, 'encryptedHttpAuthenticationPassword'>;

/** One event's delivery to a webhook as the API shows it (not the body: it carries user data). */
export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  tenantId?: string;
  status: 'pending' | 'delivered' | 'failed';
  /** Attempts started so far. */
  attempts: number;
  /** When a pending delivery is tried next. */
  nextAttemptInstant?: number;
  /** Why the last attempt failed. */
  lastError?: string;
  insertInstant: number;
  completedInstant?: number;
}

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export interface WebhookServiceOptions {
  /** Where a webhook may point (`--fetch-allow-http`, the address policy). */
  urls: OutboundUrlRules;
  encryptSecret: (plaintext: string) => string;
}

/** Timeouts in milliseconds: at least 1, at most 30 s each (the deliverer's claim outlives both). */
const MAX_TIMEOUT_MS = 30_000;
/** RFC 9110 §5.1 field names; the ones Gatehouse sets itself cannot be replaced. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'authorization', 'x-fusionauth-signature-jwt', 'transfer-encoding', 'connection']);

/**
 * Webhooks (FusionAuth `/api/webhook`): global objects that subscribe to event types, for all
 * tenants (`global`) or some (`tenantIds`). The URL is checked against the outbound rules when it
 * is registered, and again by the SSRF-safe fetch at every delivery.
 */
export class WebhookService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: WebhookServiceOptions,
    /** Called after every write (clears the outbox's cached subscriptions). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  async list(): Promise<WebhookView[]> {
    return (await this.store.webhooks.list()).map(view);
  }

  async get(id: string): Promise<WebhookView> {
    return view(await this.find(id));
  }

  async create(input: WebhookInput, id?: string): Promise<WebhookView> {
    const webhookId = id ?? optionalString(input.id) ?? newId();
    if (!isUuid(webhookId)) throw ApiError.field(400, 'webhook.id', 'invalid', 'The webhook id must be a UUID.');
    if (await this.store.webhooks.findById(webhookId)) throw ApiError.field(400, 'webhook.id', 'duplicate', 'A webhook with this id exists.');
    const webhook = await this.build(input, webhookId);
    await this.store.webhooks.insert(webhook);
    this.onChange();
    return view(webhook);
  }

  /** Replaces the webhook (PUT; a PATCH arrives merged). An absent password keeps the stored one. */
  async update(id: string, input: WebhookInput): Promise<WebhookView> {
    const existing = await this.find(id);
    const webhook = await this.build(input, id, existing);
    await this.store.webhooks.update(webhook);
    this.onChange();
    return view(webhook);
  }

  async delete(id: string): Promise<void> {
    await this.find(id);
    await this.store.webhooks.delete(id);
    this.onChange();
  }

  /**
   * The deliveries of one webhook, newest first: pending ones with their attempts so far and next
   * attempt, delivered and failed ones (kept for the outbox retention) with the last error. Each
   * failed attempt is also an `Error` in the event log.
   */
  async deliveries(id: string, criteria: { status?: string; startRow?: number | string; numberOfResults?: number | string }): Promise<{ deliveries: WebhookDeliveryView[]; total: number }> {
    await this.find(id);
    const errors = new FieldErrors();
    const { startRow, numberOfResults } = pageOf(criteria, errors, { defaultResults: 25, maxResults: 1000 });
    const status = criteria.status || undefined;
    if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) errors.add('status', 'invalid', `One of ${DELIVERY_STATUSES.join(', ')}.`);
    errors.throwIfAny();
    const { entries, total } = await this.store.webhookOutbox.listByWebhook(id, { status: status as WebhookDeliveryView['status'] | undefined, startRow, numberOfResults });
    const deliveries = entries.map(({ id, eventId, eventType, tenantId, status, attempts, nextAttemptAt, lastError, insertInstant, completedInstant }) => ({
      id, eventId, eventType, ...(tenantId ? { tenantId } : {}), status, attempts,
      ...(status === 'pending' ? { nextAttemptInstant: nextAttemptAt } : {}),
      ...(lastError ? { lastError } : {}), insertInstant, ...(completedInstant !== undefined ? { completedInstant } : {}),
    }));
    return { deliveries, total };
  }

  private async find(id: string): Promise<Webhook> {
    const webhook = await this.store.webhooks.findById(id);
    if (!webhook) throw ApiError.notFound();
    return webhook;
  }

  private async build(input: WebhookInput, id: string, existing?: Webhook): Promise<Webhook> {
    const errors = new FieldErrors();
    const url = optionalString(input.url);
    const problem = url ? outboundUrlProblem(url, this.options.urls) : undefined;
    if (!url) errors.add('webhook.url', 'blank', 'You must specify the [webhook.url] property.');
    else if (problem) errors.add('webhook.url', problem.code, `The URL would not be called: ${problem.message}.`);
    const timeout = (field: 'connectTimeout' | 'readTimeout', fallback: number): number => {
      const value = input[field] ?? fallback;
      if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) errors.add(`webhook.${field}`, 'invalid', `Milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
      return value;
    };
    const eventsEnabled: Record<string, boolean> = {};
    for (const [type, enabled] of Object.entries(optionalObject(input.eventsEnabled))) {
      if (enabled === true && !isWebhookEventType(type)) errors.add(`webhook.eventsEnabled.${type}`, 'notSupported', 'Gatehouse does not send this event type.');
      eventsEnabled[type] = enabled === true;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(optionalObject(input.headers))) {
      if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) errors.add('webhook.headers', 'invalid', `The header ${JSON.stringify(name.slice(0, 64))} cannot be set.`);
      else if (typeof value !== 'string') errors.add('webhook.headers', 'invalid', `The header ${name} needs a string value.`);
      else headers[name] = value;
    }
    const tenantIds = [...new Set(Array.isArray(input.tenantIds) ? input.tenantIds : [])];
    for (const tenantId of tenantIds) {
      if (!isUuid(tenantId) || !(await this.store.tenants.findById(tenantId))) errors.add('webhook.tenantIds', 'invalid', `No tenant has the id ${String(tenantId).slice(0, 64)}.`);
    }
    const signature = isPlainObject(input.signatureConfiguration) ? input.signatureConfiguration : {};
    const signingKeyId = optionalString(signature.signingKeyId);
    if (signature.enabled === true) await this.checkSigningKey(signingKeyId, errors);
    const connectTimeout = timeout('connectTimeout', 1000);
    const readTimeout = timeout('readTimeout', 2000);
    errors.throwIfAny();
    const username = optionalString(input.httpAuthenticationUsername);
    const password = optionalString(input.httpAuthenticationPassword);
    const encryptedPassword = password ? this.options.encryptSecret(password) : username ? existing?.encryptedHttpAuthenticationPassword : undefined;
    const now = this.clock.now();
    return {
      id,
      url: url!,
      ...(optionalString(input.description) ? { description: input.description } : {}),
      eventsEnabled,
      connectTimeout,
      readTimeout,
      headers,
      ...(username ? { httpAuthenticationUsername: username } : {}),
      ...(username && encryptedPassword ? { encryptedHttpAuthenticationPassword: encryptedPassword } : {}),
      global: input.global === true,
      tenantIds,
      signatureConfiguration: { enabled: signature.enabled === true, ...(signingKeyId ? { signingKeyId } : {}) },
      data: optionalObject(input.data),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  /** A signing key must exist and be able to sign: an HMAC secret, or a private key with its algorithm. */
  private async checkSigningKey(keyId: string | undefined, errors: FieldErrors): Promise<void> {
    const field = 'webhook.signatureConfiguration.signingKeyId';
    if (!keyId) return errors.add(field, 'blank', 'A signed webhook needs the id of a Key Master key.');
    const key = isUuid(keyId) ? await this.store.keys.findById(keyId) : undefined;
    const secrets = key ? await this.store.keys.secrets(keyId) : undefined;
    if (!key || !secrets) return errors.add(field, 'invalid', 'No key has this id.');
    const canSign = key.type === 'HMAC' ? secrets.secret !== null : secrets.privateKey !== null && key.algorithm !== undefined;
    if (!canSign) errors.add(field, 'invalid', 'The key cannot sign: it needs an HMAC secret or a private key with an algorithm.');
  }
}

function view(webhook: Webhook): WebhookView {
  const { encryptedHttpAuthenticationPassword: _p, ...rest } = webhook;
  return rest;
}
