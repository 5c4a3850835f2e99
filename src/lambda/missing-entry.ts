import type { MissingEntry, MissingMember } from './lambda-types.js';

const member = (value: unknown): MissingMember => {
  if (typeof value === 'string') return value.slice(0, 200);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
};

/**
 * A `missing` entry bounded in shape and size: a string, or the four members of a field
 * description, each kept with its type (so a wrong one is refused by the pipeline, not defaulted).
 */
export function missingEntry(entry: unknown): MissingEntry {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return String(entry).slice(0, 200);
  const described = entry as Record<string, unknown>;
  const kept: Exclude<MissingEntry, string> = {};
  for (const key of ['name', 'label', 'type', 'required'] as const) if (key in described && described[key] !== undefined) kept[key] = member(described[key]);
  return kept;
}
