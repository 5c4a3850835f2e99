import { Type } from 'typebox';
import type { TString } from 'typebox';

/**
 * Text without NUL, other C0 control characters, DEL or unpaired UTF-16 surrogates. No OAuth
 * parameter may hold them (RFC 6749 Appendix A: VSCHAR, NQCHAR, UNICODECHARNOCRLF exclude
 * controls and surrogates), and PostgreSQL refuses NUL in text where SQLite stores it, so
 * letting one through would make the two databases answer differently. The second alternative
 * accepts a surrogate pair where the regular expression is not evaluated in Unicode mode.
 */
export const SAFE_TEXT_PATTERN = '^(?:[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';

/** Multi-line text (lambda code, PEM): as SAFE_TEXT_PATTERN, but tab, line feed and carriage return are allowed. */
export const SAFE_LINES_PATTERN = '^(?:[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';

const SAFE_TEXT = new RegExp(SAFE_TEXT_PATTERN, 'u');

export const isSafeText = (value: string): boolean => SAFE_TEXT.test(value);

/** A string schema of at most `maxLength` characters, with the characters of `SAFE_TEXT_PATTERN` only. */
export const SafeString = (maxLength: number, options: { minLength?: number; description?: string } = {}): TString =>
  Type.String({ maxLength, pattern: SAFE_TEXT_PATTERN, ...options });

/** Multi-line text of at most `maxLength` characters, with the characters of `SAFE_LINES_PATTERN` only. */
export const SafeText = (maxLength: number, options: { description?: string } = {}): TString =>
  Type.String({ maxLength, pattern: SAFE_LINES_PATTERN, ...options });
