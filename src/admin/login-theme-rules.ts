import { isPlainObject } from '../lib/base64url.js';
import type { LoginTheme } from '../store/records.js';

const HEX_COLOUR = /^#[0-9A-Fa-f]{6}$/;
/** https, or a path on this server (one leading slash; `//host` and `/\host` are other hosts to a browser). */
const LOGO_URL = /^(https:\/\/[^\s"'<>\\]+|\/(?![/\\])[^\s"'<>\\]*)$/;
const LOCALES = ['en', 'nl', 'de'];

/**
 * The rules of a tenant's `loginTheme`, for every way a tenant is written (API, kickstart): the
 * colours go into a stylesheet and the logo URL into an `img` element, so each has one strict
 * form; texts are short strings by locale. The API's schema also limits the text keys to the
 * pages' own message keys. Returns `[field, message]` pairs.
 */
export function loginThemeProblems(theme: LoginTheme | undefined): [string, string][] {
  if (theme === undefined) return [];
  const problems: [string, string][] = [];
  const known = new Set(['logoUrl', 'primaryColor', 'backgroundColor', 'texts']);
  for (const key of Object.keys(theme)) if (!known.has(key)) problems.push([key, 'Not a loginTheme field (logoUrl, primaryColor, backgroundColor, texts).']);
  if (theme.logoUrl !== undefined && (typeof theme.logoUrl !== 'string' || theme.logoUrl.length > 2048 || !LOGO_URL.test(theme.logoUrl))) {
    problems.push(['logoUrl', 'An https URL, or a path on this server starting with a single /.']);
  }
  for (const key of ['primaryColor', 'backgroundColor'] as const) {
    if (theme[key] !== undefined && (typeof theme[key] !== 'string' || !HEX_COLOUR.test(theme[key]))) problems.push([key, 'A colour as #rrggbb.']);
  }
  if (theme.texts !== undefined) {
    const texts: unknown = theme.texts;
    const valid =
      isPlainObject(texts) &&
      Object.entries(texts).every(([locale, byKey]) => LOCALES.includes(locale) && isPlainObject(byKey) && Object.values(byKey).every((text) => typeof text === 'string' && text.length <= 512));
    if (!valid) problems.push(['texts', 'Texts by locale (en, nl, de) and message key, each at most 512 characters.']);
  }
  return problems;
}
