import type { MissingEntry } from '../lambda/lambda-types.js';

/**
 * What a reconcile lambda's `context.reject(code, message)` and `context.requireOnboarding(reason,
 * { missing })` may put in a reply. The texts come from user code and go verbatim to the client
 * (FusionAuth's generalErrors), so each is cut to a documented length: a lambda cannot make
 * Gatehouse answer with megabytes.
 */
export const VERDICT_LIMITS = Object.freeze({
  /** Characters of a reject code (the generalErrors `code`) and of an onboarding reason. */
  code: 64,
  /** Characters of a reject message. */
  message: 1024,
  /** Entries of an onboarding's `missing` list; each is cut like a code. */
  missingEntries: 32,
});

/** `text` cut to at most `max` UTF-16 units, never splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, end);
}

export function boundedReject(code: string, message: string): { code: string; message: string } {
  return { code: cutText(code, VERDICT_LIMITS.code), message: cutText(message, VERDICT_LIMITS.message) };
}

/** Names are cut like a code; a field description is validated as a whole (onboarding-fields.ts). */
export function boundedOnboarding(reason: string, missing: readonly MissingEntry[]): { reason: string; missing: MissingEntry[] } {
  return { reason: cutText(reason, VERDICT_LIMITS.code), missing: missing.slice(0, VERDICT_LIMITS.missingEntries).map((m) => (typeof m === 'string' ? cutText(m, VERDICT_LIMITS.code) : m)) };
}
