import type { Kysely } from 'kysely';
import type { ExternalJwtIdentityProvider } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class IdentityProviderRepository extends DocumentRepository<ExternalJwtIdentityProvider, 'identity_providers'> {
  constructor(db: Kysely<Database>) {
    super(db, 'identity_providers');
  }
  protected columns(provider: ExternalJwtIdentityProvider) {
    return { tenant_id: provider.tenantId ?? null, name: provider.name, type: provider.type };
  }
  list(): Promise<ExternalJwtIdentityProvider[]> {
    return this.findManyBy({});
  }
  findByName(name: string): Promise<ExternalJwtIdentityProvider | undefined> {
    return this.findOneBy({ name });
  }
}
