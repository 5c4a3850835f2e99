import { ApiError, FieldErrors } from '../lib/api-error.js';
import type { Clock } from '../lib/clock.js';
import type { EventLogEntry, EventLogType } from '../store/repositories/event-log-repository.js';
import type { Store } from '../store/store.js';

const TYPES: readonly EventLogType[] = ['Information', 'Debug', 'Error'];
const MAX_MESSAGE = 65_536;

/**
 * The event log (FusionAuth `/api/system/event-log`): what an integrator needs to see when an
 * integration misbehaves — lambda console output, reconcile traces, kickstart and key events.
 * Messages never carry secrets or tokens; callers pass what is safe to show.
 */
export class EventLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  write(type: EventLogType, message: string): Promise<void> {
    return this.store.eventLog.insert(type, message.slice(0, MAX_MESSAGE), this.clock.now());
  }

  async get(id: string): Promise<EventLogEntry> {
    const entry = /^\d{1,15}$/.test(id) ? await this.store.eventLog.findById(Number(id)) : undefined;
    if (!entry) throw ApiError.notFound();
    return entry;
  }

  /** Search by FusionAuth's criteria: `start`, `end`, `message` (`*` wildcards), `type`, paging, `orderBy`. */
  async search(criteria: Record<string, unknown>): Promise<{ eventLogs: EventLogEntry[]; total: number }> {
    const errors = new FieldErrors();
    const number = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
      const raw = criteria[name];
      if (raw === undefined || raw === '') return fallback;
      const value = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        errors.add(`search.${name}`, 'invalid', `An integer from ${min} to ${max}.`);
        return fallback;
      }
      return value;
    };
    const start = number('start', undefined, 0, Number.MAX_SAFE_INTEGER);
    const end = number('end', undefined, 0, Number.MAX_SAFE_INTEGER);
    const numberOfResults = number('numberOfResults', 25, 1, 1000)!;
    const startRow = number('startRow', 0, 0, 1_000_000)!;
    const type = criteria.type as EventLogType | undefined;
    if (type !== undefined && !TYPES.includes(type)) errors.add('search.type', 'invalid', `One of ${TYPES.join(', ')}.`);
    const message = criteria.message;
    if (message !== undefined && typeof message !== 'string') errors.add('search.message', 'invalid', 'A string.');
    const orderBy = typeof criteria.orderBy === 'string' ? criteria.orderBy.trim() : 'insertInstant DESC';
    if (!/^insertInstant( (ASC|DESC))?$/i.test(orderBy)) errors.add('search.orderBy', 'invalid', 'insertInstant ASC or insertInstant DESC.');
    errors.throwIfAny();
    const { entries, total } = await this.store.eventLog.search({
      start,
      end,
      message: (message as string | undefined) || undefined,
      type,
      numberOfResults,
      startRow,
      ascending: / asc$/i.test(orderBy),
    });
    return { eventLogs: entries, total };
  }
}
