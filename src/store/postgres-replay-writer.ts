import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import { namedStatement } from './named-statements.js';
import { CONSUME_JTI_BATCH_SQL, CONSUME_JTI_SQL } from './replay-sql.js';
import type { Database } from './schema.js';

interface PendingConsume {
  key: string;
  expiresAt: number;
  now: number;
  resolve(fresh: boolean): void;
  reject(error: unknown): void;
}

/**
 * PostgreSQL's replay writer: the jti consumes that arrive while a batch is on its way are sent
 * together, as one `INSERT … SELECT FROM unnest(…) ON CONFLICT … RETURNING` (one statement, one
 * commit), and each caller learns from the returned keys whether its own jti was new. One batch
 * is in flight at a time, so under load a batch holds everything that arrived during the last.
 *
 * Replay protection is that of the single-row statement: a key is fresh only if this statement
 * inserted it or took over its expired record (RFC 7523 §3 item 7: a jti is used once). The same
 * key twice in one batch: the first decides, the later ones are replays. Keys are sent sorted, so
 * two batches (two nodes) inserting the same keys lock them in the same order. A failing batch
 * of several is run again one consume at a time, so one bad row fails alone.
 */
export class PostgresReplayWriter {
  private pending: PendingConsume[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;

  constructor(private readonly db: Kysely<Database>) {
    namedStatement(CONSUME_JTI_BATCH_SQL);
    namedStatement(CONSUME_JTI_SQL.postgres);
  }

  /** `key` is the replay store's fixed-size key; instants are epoch milliseconds. */
  consume(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('replay writer closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ key, expiresAt, now, resolve, reject });
      this.schedule();
    });
  }

  /** Waits for the batch in flight and refuses further consumes. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.pending.length > 0) await (this.flushing ?? this.flushNow());
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flushNow();
    });
  }

  private flushNow(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }

  private async write(batch: PendingConsume[]): Promise<void> {
    if (batch.length === 0) return;
    if (batch.length === 1) return this.writeOne(batch[0]);
    const first = new Map<string, PendingConsume>();
    for (const entry of batch) if (!first.has(entry.key)) first.set(entry.key, entry);
    const keys = [...first.keys()].sort();
    let fresh: Set<string>;
    try {
      const now = Math.min(...batch.map((entry) => entry.now));
      const result = await this.db.executeQuery<{ jti_key: string }>(CompiledQuery.raw(CONSUME_JTI_BATCH_SQL, [keys, keys.map((key) => first.get(key)!.expiresAt), now]));
      fresh = new Set(result.rows.map((row) => row.jti_key));
    } catch {
      for (const entry of batch) await this.writeOne(entry);
      return;
    }
    for (const entry of batch) entry.resolve(first.get(entry.key) === entry && fresh.has(entry.key));
  }

  private async writeOne(entry: PendingConsume): Promise<void> {
    try {
      const result = await this.db.executeQuery(CompiledQuery.raw(CONSUME_JTI_SQL.postgres, [entry.key, entry.expiresAt, entry.now]));
      entry.resolve(Number(result.numAffectedRows ?? 0) === 1);
    } catch (error) {
      entry.reject(error);
    }
  }
}
