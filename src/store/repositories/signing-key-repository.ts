import type { Kysely } from 'kysely';
import type { Database, TenantSigningKeyRow } from '../schema.js';

/** Which key signs for a tenant now, and which earlier keys its JWKS still publishes. */
export class SigningKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Makes `keyId` the tenant's active key; the previous one stays published until `publishOldUntil`. */
  async activate(tenantId: string, keyId: string, now: number, publishOldUntil: number): Promise<void> {
    await this.db
      .updateTable('tenant_signing_keys')
      .set({ retired_instant: now, publish_until: publishOldUntil })
      .where('tenant_id', '=', tenantId)
      .where('retired_instant', 'is', null)
      .execute();
    await this.db
      .insertInto('tenant_signing_keys')
      .values({ tenant_id: tenantId, key_id: keyId, activated_instant: now, retired_instant: null, publish_until: null })
      .onConflict((oc) => oc.columns(['tenant_id', 'key_id']).doUpdateSet({ activated_instant: now, retired_instant: null, publish_until: null }))
      .execute();
  }

  async active(tenantId: string): Promise<TenantSigningKeyRow | undefined> {
    return this.db
      .selectFrom('tenant_signing_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('retired_instant', 'is', null)
      .executeTakeFirst();
  }

  /** The active key and every retired key still inside its publication window. */
  async published(tenantId: string, now: number): Promise<TenantSigningKeyRow[]> {
    return this.db
      .selectFrom('tenant_signing_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '>', now)]))
      .orderBy('activated_instant', 'desc')
      .execute();
  }
}
