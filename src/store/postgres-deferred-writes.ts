import { namedStatement, statementName } from './named-statements.js';

/**
 * Control texts a transaction sends to its pg connection view; the view answers them itself and
 * never sends them to the server.
 */
export const DEFER_WRITES = '/* gatehouse: defer writes */';
export const FLUSH_WRITES = '/* gatehouse: flush deferred writes */';

/** What the view answers for a deferred write or a control text: no rows, no row count (frozen: every caller gets this one). */
const DEFERRED_RESULT = Object.freeze({ command: 'DEFERRED', rowCount: null, rows: Object.freeze([]) as readonly unknown[], fields: Object.freeze([]) });

/** How many combined texts become named statements; others run unnamed (every named one stays prepared on its connection). */
const MAX_NAMED_COMBINATIONS = 32;
let namedCombinations = 0;

type Send = (text: string, values: unknown[] | undefined) => Promise<unknown>;

/**
 * A write whose result nobody reads can wait: a registered hot-path INSERT, UPDATE or DELETE
 * (our own text, so its `$n` are parameters and it holds no quoted literal) without RETURNING.
 */
export const isDeferrable = (text: string): boolean => deferredTable(text) !== undefined;

/** The table a deferrable write writes; undefined for any other statement. */
function deferredTable(text: string): string | undefined {
  if (statementName(text) === undefined || /\breturning\b/i.test(text) || text.includes("'")) return undefined;
  return /^\s*(?:insert\s+into|update|delete\s+from)\s+("[^"]+"|\w+)/i.exec(text)?.[1];
}

/**
 * The writes of one write set (`Store.write` on PostgreSQL), sent as ONE statement instead of one
 * round trip each: `WITH w0 AS (…), w1 AS (…) SELECT 1`. PostgreSQL runs data-modifying
 * statements in WITH even when nothing refers to them, all in the one statement, and checks
 * foreign keys at its end, so a new user's rows may reference each other
 * (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING). Its
 * sub-statements share one snapshot and do not see each other's rows, so one statement holds at
 * most one write per table. A write set must not read its writes' results
 * (the view answers them with no row count); a read, any other statement, the end of the write
 * set and COMMIT send what is held first, so an error surfaces inside the write set's
 * transaction and the batch's fallback (each write set alone) still applies.
 */
export class DeferredWrites {
  private active = false;
  private held: { text: string; values: unknown[]; table: string }[] = [];

  constructor(private readonly send: Send) {}

  /** Answers a statement of the view: held, answered, or sent after what is held. */
  async query(text: string, values: unknown[] | undefined): Promise<unknown> {
    if (text === DEFER_WRITES) {
      this.active = true;
      return DEFERRED_RESULT;
    }
    if (text === FLUSH_WRITES) {
      await this.flush();
      return DEFERRED_RESULT;
    }
    if (!this.active) return this.send(text, values);
    const table = deferredTable(text);
    if (table !== undefined) {
      // The sub-statements of one statement share a snapshot and cannot see each other's rows:
      // a second write to a table sends the first group, so every write still sees the ones before.
      if (this.held.some((write) => write.table === table)) await this.flush();
      this.held.push({ text, values: values ?? [], table });
      return DEFERRED_RESULT;
    }
    const end = /^\s*(commit|rollback)\s*$/i.exec(text)?.[1].toLowerCase();
    if (end) this.active = false;
    if (end === 'rollback') this.held = [];
    else await this.flush();
    return this.send(text, values);
  }

  /** Forgets everything: the connection goes back to the pool. */
  reset(): void {
    this.active = false;
    this.held = [];
  }

  private async flush(): Promise<void> {
    const held = this.held;
    this.held = [];
    if (held.length === 0) return;
    if (held.length === 1) {
      await this.send(held[0].text, held[0].values);
      return;
    }
    const values: unknown[] = [];
    const parts = held.map((write, i) => {
      const offset = values.length;
      values.push(...write.values);
      return `w${i} as (${write.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
    });
    const text = `with ${parts.join(', ')} select 1`;
    if (statementName(text) === undefined && namedCombinations < MAX_NAMED_COMBINATIONS) {
      namedCombinations += 1;
      namedStatement(text);
    }
    await this.send(text, values);
  }
}
