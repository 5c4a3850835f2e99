import type { Kysely } from 'kysely';
import type { JsonObject } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

/**
 * A webhook (FusionAuth's Webhook object). The HTTP Basic password is kept encrypted under the
 * master key (`encryptedHttpAuthenticationPassword`) and never returned by the API.
 */
export interface Webhook {
  id: string;
  url: string;
  description?: string;
  /** Event type → subscribed (FusionAuth `eventsEnabled`). */
  eventsEnabled: Record<string, boolean>;
  /** Milliseconds to connect, then milliseconds to read the answer (FusionAuth's two timeouts). */
  connectTimeout: number;
  readTimeout: number;
  headers: Record<string, string>;
  httpAuthenticationUsername?: string;
  encryptedHttpAuthenticationPassword?: string;
  /** All tenants' events, or only those of `tenantIds`. */
  global: boolean;
  tenantIds: string[];
  signatureConfiguration: { enabled: boolean; signingKeyId?: string };
  data: JsonObject;
  insertInstant: number;
  lastUpdateInstant: number;
}

export class WebhookRepository extends DocumentRepository<Webhook, 'webhooks'> {
  constructor(db: Kysely<Database>) {
    super(db, 'webhooks');
  }
  protected columns(webhook: Webhook) {
    return { url: webhook.url };
  }
  list(): Promise<Webhook[]> {
    return this.findManyBy({});
  }
}
