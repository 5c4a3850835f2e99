import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, EventLogRow } from '../schema.js';

export type EventLogType = EventLogRow['type'];

export interface EventLogEntry {
  id: number;
  insertInstant: number;
  message: string;
  type: EventLogType;
}

export interface EventLogQuery {
  start?: number;
  end?: number;
  /** Substring to find (FusionAuth: `*` wildcards, implicitly `*value*`). */
  message?: string;
  type?: EventLogType;
  numberOfResults: number;
  startRow: number;
  ascending: boolean;
}

/** The event log: integration diagnostics (lambda console output, reconcile traces, failures). */
export class EventLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(type: EventLogType, message: string, insertInstant: number): Promise<void> {
    await this.db.insertInto('event_log').values({ type, message, insert_instant: insertInstant }).execute();
  }

  async findById(id: number): Promise<EventLogEntry | undefined> {
    const row = await this.db.selectFrom('event_log').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  async search(query: EventLogQuery): Promise<{ entries: EventLogEntry[]; total: number }> {
    let base = this.db.selectFrom('event_log');
    if (query.start !== undefined) base = base.where('insert_instant', '>=', query.start);
    if (query.end !== undefined) base = base.where('insert_instant', '<=', query.end);
    if (query.type) base = base.where('type', '=', query.type);
    if (query.message) {
      // `*` is the only wildcard; % and _ are escaped so they match themselves.
      const pattern = `%${query.message.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%')}%`;
      base = base.where(sql<boolean>`lower(message) like lower(${pattern}) escape '\\'`);
    }
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await base
      .selectAll()
      .orderBy('insert_instant', query.ascending ? 'asc' : 'desc')
      .orderBy('id', query.ascending ? 'asc' : 'desc')
      .limit(query.numberOfResults)
      .offset(query.startRow)
      .execute();
    return { entries: rows.map(toEntry), total };
  }
}

function toEntry(row: { id: number; type: EventLogType; message: string; insert_instant: number }): EventLogEntry {
  return { id: Number(row.id), insertInstant: row.insert_instant, message: row.message, type: row.type };
}
