import type { Kysely } from 'kysely';
import type { Lambda } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class LambdaRepository extends DocumentRepository<Lambda, 'lambdas'> {
  constructor(db: Kysely<Database>) {
    super(db, 'lambdas');
  }
  protected columns(lambda: Lambda) {
    return { name: lambda.name, type: lambda.type };
  }
  list(type?: string): Promise<Lambda[]> {
    return this.findManyBy(type ? { type } : {});
  }
}
