import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Rows that hold a FusionAuth-shaped object: indexed columns for lookups plus the whole object
 * as JSON in `data`. The object is the source of truth; columns are derived from it on write.
 */
type DocumentTable = 'tenants' | 'applications' | 'users' | 'registrations' | 'api_keys' | 'keys' | 'smart_roles' | 'lambdas' | 'identity_providers' | 'webhooks';

export abstract class DocumentRepository<T extends { id: string }, Table extends DocumentTable> {
  /** The same handle without table typing: this class is generic over the table name. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly loose: Kysely<any>;
  private readonly tableName: string;

  constructor(
    protected readonly db: Kysely<Database>,
    table: Table,
  ) {
    this.loose = db;
    this.tableName = table;
  }

  /** Indexed columns derived from the object (besides id, data and instants). */
  protected abstract columns(value: T): Record<string, unknown>;

  protected toObject(row: { data: string }): T {
    return JSON.parse(row.data) as T;
  }

  async insert(value: T & { insertInstant: number; lastUpdateInstant: number }): Promise<void> {
    const row = {
      id: value.id,
      ...this.columns(value),
      data: JSON.stringify(value),
      insert_instant: value.insertInstant,
      last_update_instant: value.lastUpdateInstant,
    };
    await this.loose.insertInto(this.tableName).values(row).execute();
  }

  async update(value: T & { lastUpdateInstant: number }): Promise<boolean> {
    const row = { ...this.columns(value), data: JSON.stringify(value), last_update_instant: value.lastUpdateInstant };
    const result = await this.loose.updateTable(this.tableName).set(row).where('id', '=', value.id).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findById(id: string): Promise<T | undefined> {
    const row = await this.loose.selectFrom(this.tableName).select('data').where('id', '=', id).executeTakeFirst();
    return row ? this.toObject(row as { data: string }) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.loose.deleteFrom(this.tableName).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  protected async findOneBy(where: Record<string, string>): Promise<T | undefined> {
    let query = this.loose.selectFrom(this.tableName).select('data');
    for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
    const row = await query.executeTakeFirst();
    return row ? this.toObject(row as { data: string }) : undefined;
  }

  protected async findManyBy(where: Record<string, string | null>, limit = 10000): Promise<T[]> {
    let query = this.loose.selectFrom(this.tableName).select('data').orderBy('insert_instant').orderBy('id').limit(limit);
    for (const [column, value] of Object.entries(where)) {
      query = value === null ? query.where(column, 'is', null) : query.where(column, '=', value);
    }
    const rows = (await query.execute()) as { data: string }[];
    return rows.map((row) => this.toObject(row));
  }

  async count(): Promise<number> {
    const row = await this.loose
      .selectFrom(this.tableName)
        .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number((row as { n: number | string }).n);
  }
}
