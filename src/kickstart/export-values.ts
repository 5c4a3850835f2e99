import { isPlainObject } from '../lib/base64url.js';
import type { JsonObject } from '../store/records.js';

/** What kickstart reads as a variable reference: `${name}`, `${env.NAME}`, `${env.NAME:-fallback}`. */
const REFERENCE = /\$\{[A-Za-z0-9_.]+(?::-[^}]*)?\}/g;

/**
 * A string that kickstart would otherwise read as a variable reference, written so that it reads
 * back as itself: `$${…}` is kickstart's literal `${…}` (lambda bodies use template literals).
 */
export const escapeLiteral = (text: string): string => text.replace(REFERENCE, (match) => `$${match}`);

/** A value the export leaves to the operator: written as `${NAME}`, never escaped. */
export class Placeholder {
  constructor(readonly name: string) {}
  toString(): string {
    return `\${${this.name}}`;
  }
}

/** One value the operator fills in before applying the export, and what it is. */
export interface VariableToFill {
  name: string;
  description: string;
}

/**
 * The `variables` section of an export: one variable per secret the export leaves out (client
 * secrets, upstream client secrets, API keys), named after its object and unique in the file.
 * Each reads the environment variable of the same name unless the operator writes a value in.
 */
export class ExportVariables {
  private readonly toFill: VariableToFill[] = [];

  /** A fresh variable for `base` (upper-cased, `[A-Z0-9_]`, `_2`, `_3`… when taken). */
  placeholder(base: string, description: string): Placeholder {
    const stem = base.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'SECRET';
    let name = stem;
    for (let n = 2; this.toFill.some((v) => v.name === name); n++) name = `${stem}_${n}`;
    this.toFill.push({ name, description });
    return new Placeholder(name);
  }

  get list(): readonly VariableToFill[] {
    return this.toFill;
  }

  /** The `variables` section: each variable defaults to the environment variable of its name. */
  section(): JsonObject {
    return Object.fromEntries(this.toFill.map((v) => [v.name, new Placeholder(`env.${v.name}`)]));
  }
}

/** The export's plain JSON: literal strings escaped, placeholders written as references, undefined dropped. */
export function toKickstartValue(value: unknown): unknown {
  if (value instanceof Placeholder) return value.toString();
  if (typeof value === 'string') return escapeLiteral(value);
  if (Array.isArray(value)) return value.map(toKickstartValue);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toKickstartValue(v)]));
  }
  return value;
}

/** Sorts objects by a label, then id, so two exports of the same configuration list them alike. */
export function byLabel<T extends { id: string }>(label: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compare(label(a), label(b)) || compare(a.id, b.id);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
