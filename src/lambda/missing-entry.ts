import type { MissingEntry } from './lambda-types.js';

/** A `missing` entry bounded in shape and size: a string, or the four members of a field description. */
export function missingEntry(entry: unknown): MissingEntry {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return String(entry).slice(0, 200);
  const described = entry as Record<string, unknown>;
  const kept: Exclude<MissingEntry, string> = {};
  for (const key of ['name', 'label', 'type'] as const) if (typeof described[key] === 'string') kept[key] = (described[key] as string).slice(0, 200);
  if (typeof described.required === 'boolean') kept.required = described.required;
  return kept;
}
