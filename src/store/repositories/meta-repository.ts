import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Small named values about the installation itself (e.g. the master-key check value). */
export class MetaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` unless `name` is already set; returns the value that is stored now. */
  async setIfAbsent(name: string, value: string): Promise<string> {
    await this.db
      .insertInto('meta')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    return (await this.get(name)) as string;
  }
}
