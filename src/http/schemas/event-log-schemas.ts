import { Type } from 'typebox';
import { LIMITS, NO_CONTROL_CHARACTERS, SafeString } from './common.js';

/** A number given as a JSON number (POST body) or as digits (query string); the service checks its range. */
const Count = Type.Unsafe<number | string>({ type: ['integer', 'string'], maxLength: 20, pattern: NO_CONTROL_CHARACTERS });

const criteria = {
  start: Type.Optional(Count),
  end: Type.Optional(Count),
  numberOfResults: Type.Optional(Count),
  startRow: Type.Optional(Count),
  message: Type.Optional(SafeString(LIMITS.text, { description: '`*` wildcards, case-insensitive.' })),
  type: Type.Optional(SafeString(16, { description: 'Information, Debug or Error.' })),
  orderBy: Type.Optional(SafeString(32, { description: 'insertInstant ASC or insertInstant DESC.' })),
};

/** FusionAuth event log search: in the query string, or in the POST body's `search` object. Unknown fields are ignored. */
export const EventLogSearch = Type.Object(criteria, { additionalProperties: true });
export const EventLogSearchBody = Type.Object({ search: Type.Optional(EventLogSearch) }, { additionalProperties: true });
export const EventLogIdParams = Type.Object({ id: SafeString(20, { description: 'The numeric id of an event.' }) });
