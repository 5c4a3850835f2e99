import { namedStatement, statementName } from './named-statements.js';

/**
 * The control text a write set (`Store.write`) sends first in its transaction; the view answers
 * it itself and never sends it to the server.
 */
export const DEFER_WRITES = '/* gatehouse: defer writes */';

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

/** Kysely's texts that open and end a transaction. */
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const END = /^\s*(commit|rollback)\s*$/i;

/**
 * The writes of the write sets of a transaction (`Store.write` on PostgreSQL, one batch of them)
 * sent as few statements as possible instead of one round trip each: `WITH w0 AS (…), w1 AS (…)
 * SELECT 1`. PostgreSQL runs data-modifying statements in WITH even when nothing refers to them,
 * all in the one statement, and checks foreign keys at its end, so a new user's rows may
 * reference each other (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING).
 * Its sub-statements share one snapshot and do not see each other's rows, so one statement holds
 * at most one write per table. A write set must not read its writes' results (the view answers
 * them with no row count); a read or any other statement sends what is held first, so every
 * statement sees the writes before it.
 *
 * BEGIN waits too. A transaction that reaches COMMIT with nothing sent but BEGIN and one held
 * group — a returning login's update, link touch and refresh token — sends that group as ONE
 * statement outside a transaction block: a single statement is atomic on its own (PostgreSQL
 * docs, "Transactions": each statement not in a BEGIN block runs as a transaction of its own),
 * so three round trips become one and the server parses no BEGIN and COMMIT. If it fails, nothing
 * of it was kept, and the error comes from COMMIT, as a deferred constraint's would: the batch's
 * fallback (each write set alone) applies as before. Anything else first opens the transaction on
 * the server, then goes out as it would have.
 */
export class DeferredWrites {
  private active = false;
  /** Kysely's BEGIN, not sent yet (its text). */
  private begin: string | undefined;
  /** BEGIN went to the server: the transaction is open there. */
  private open = false;
  private held: { text: string; values: unknown[]; table: string }[] = [];

  constructor(private readonly send: Send) {}

  /** Answers a statement of the view: held, answered, or sent after what is held. */
  async query(text: string, values: unknown[] | undefined): Promise<unknown> {
    if (text === DEFER_WRITES) {
      this.active = true;
      return DEFERRED_RESULT;
    }
    if (!this.open && this.begin === undefined && BEGIN.test(text)) {
      this.begin = text;
      return DEFERRED_RESULT;
    }
    const end = END.exec(text)?.[1].toLowerCase();
    if (end && this.begin !== undefined && !this.open) {
      // Nothing of this transaction reached the server: what is held is all of it, one group.
      // A failing group leaves the transaction as it is (nothing open, nothing held), so that the
      // ROLLBACK Kysely sends next is answered here too.
      const held = this.held;
      this.held = [];
      if (end === 'commit') await this.sendGroup(held);
      this.reset();
      return DEFERRED_RESULT;
    }
    const table = this.active && !end ? deferredTable(text) : undefined;
    if (table !== undefined) {
      // The sub-statements of one statement share a snapshot and cannot see each other's rows:
      // a second write to a table sends the first group, so every write still sees the ones before.
      if (this.held.some((write) => write.table === table)) await this.flush();
      this.held.push({ text, values: values ?? [], table });
      return DEFERRED_RESULT;
    }
    if (end === 'rollback') this.held = [];
    else await this.flush();
    const result = await this.send(text, values);
    if (end) this.reset();
    return result;
  }

  /** Before a statement the view does not see (a cursor): the transaction open, nothing held. */
  async flush(): Promise<void> {
    if (this.begin !== undefined && !this.open) {
      const begin = this.begin;
      this.open = true;
      await this.send(begin, []);
    }
    const held = this.held;
    this.held = [];
    await this.sendGroup(held);
  }

  /** Forgets everything: the transaction ended, or the connection goes back to the pool. */
  reset(): void {
    this.active = false;
    this.begin = undefined;
    this.open = false;
    this.held = [];
  }

  private async sendGroup(held: { text: string; values: unknown[] }[]): Promise<void> {
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
