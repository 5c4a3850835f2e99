import type { MissingEntry } from '../lambda/lambda-types.js';
import type { JsonObject } from '../store/records.js';

/** The input types an onboarding field may have (HTML `<input type>`). */
export const ONBOARDING_FIELD_TYPES = ['text', 'email', 'date', 'tel', 'checkbox'] as const;
export type OnboardingFieldType = (typeof ONBOARDING_FIELD_TYPES)[number];

/** A field the lambda asks the user for, as `requireOnboarding(reason, { missing })` described it. */
export interface OnboardingField {
  name: string;
  /** The lambda's label; without one the page uses its own text for known names, else the name. */
  label?: string;
  type: OnboardingFieldType;
  required: boolean;
}

/** Bounds of a description: names are identifiers, labels short texts, at most 32 fields. */
export const FIELD_LIMITS = Object.freeze({ name: 64, label: 128, fields: 32, value: 256 });

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Control characters, bidi overrides and unpaired surrogates have no place in a label. */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A description the lambda gave that Gatehouse cannot show: the lambda's output is wrong. */
export class OnboardingFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnboardingFieldError';
  }
}

/**
 * Validates the lambda's `missing` list: each entry is a field name (a required text field, as
 * lambdas have always listed them) or, validated strictly, `{ name, label?, type?, required? }` with `type` one of ONBOARDING_FIELD_TYPES
 * (default `text`) and `required` a boolean (default true). Names are unique. Anything else is an
 * OnboardingFieldError naming the entry.
 */
export function parseOnboardingFields(missing: readonly MissingEntry[]): OnboardingField[] {
  if (missing.length > FIELD_LIMITS.fields) throw new OnboardingFieldError(`missing lists ${missing.length} fields; at most ${FIELD_LIMITS.fields}.`);
  const seen = new Set<string>();
  return missing.map((entry, index) => {
    const field = fieldOf(entry, index);
    if (seen.has(field.name)) throw new OnboardingFieldError(`missing[${index}]: the name ${field.name} is listed twice.`);
    seen.add(field.name);
    return field;
  });
}

function fieldOf(entry: MissingEntry, index: number): OnboardingField {
  const at = `missing[${index}]`;
  // A plain name is what lambdas have always given (cut to 64 characters before it gets here).
  if (typeof entry === 'string') return { name: entry, type: 'text', required: true };
  const { name, label, type = 'text', required = true } = entry;
  if (typeof name !== 'string' || !NAME.test(name)) throw new OnboardingFieldError(`${at}.name must be a letter then up to ${FIELD_LIMITS.name - 1} letters, digits, _ . or -.`);
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '' || label.length > FIELD_LIMITS.label || UNSAFE_TEXT.test(label))) {
    throw new OnboardingFieldError(`${at}.label must be a text of 1 to ${FIELD_LIMITS.label} characters without control characters.`);
  }
  if (typeof type !== 'string' || !(ONBOARDING_FIELD_TYPES as readonly string[]).includes(type)) throw new OnboardingFieldError(`${at}.type must be one of ${ONBOARDING_FIELD_TYPES.join(', ')}.`);
  if (typeof required !== 'boolean') throw new OnboardingFieldError(`${at}.required must be true or false.`);
  return { name, ...(label !== undefined ? { label: label.trim() } : {}), type: type as OnboardingFieldType, required };
}

/** Why a submitted value is refused: a stable code the page turns into a localized text. */
export type FieldProblem = 'required' | 'tooLong' | 'invalidEmail' | 'invalidDate' | 'invalidTel' | 'invalidText';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;
const TEL = /^\+?[0-9 ()./-]{3,32}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** HTML's date input value: a real calendar date, `YYYY-MM-DD`. */
function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Checks a submitted form against the fields (required, type, length): the input for the lambda
 * (`context.input`: trimmed strings, a checkbox as true/false, an empty optional field left out),
 * or the problems by field name. Names the fields do not list are ignored.
 */
export function validateOnboardingInput(fields: readonly OnboardingField[], form: ReadonlyMap<string, string>): { input: JsonObject } | { problems: Record<string, FieldProblem> } {
  const input: JsonObject = {};
  const problems: Record<string, FieldProblem> = {};
  for (const field of fields) {
    const raw = form.get(field.name);
    if (field.type === 'checkbox') {
      if (field.required && raw === undefined) problems[field.name] = 'required';
      else input[field.name] = raw !== undefined;
      continue;
    }
    const value = (raw ?? '').trim();
    if (value === '') {
      if (field.required) problems[field.name] = 'required';
      continue;
    }
    const problem = problemOf(field.type, value);
    if (problem) problems[field.name] = problem;
    else input[field.name] = value;
  }
  return Object.keys(problems).length > 0 ? { problems } : { input };
}

function problemOf(type: OnboardingFieldType, value: string): FieldProblem | undefined {
  if (value.length > FIELD_LIMITS.value) return 'tooLong';
  if (UNSAFE_TEXT.test(value)) return 'invalidText';
  if (type === 'email' && !EMAIL.test(value)) return 'invalidEmail';
  if (type === 'date' && !isCalendarDate(value)) return 'invalidDate';
  if (type === 'tel' && !TEL.test(value)) return 'invalidTel';
  return undefined;
}
