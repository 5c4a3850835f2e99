import { DE } from './messages-de.js';
import { EN } from './messages-en.js';
import type { Catalogue, MessageKey } from './messages-en.js';
import { NL } from './messages-nl.js';

export const LOCALES = ['en', 'nl', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const CATALOGUES: Record<Locale, Catalogue> = { en: EN, nl: NL, de: DE };

const supported = (tag: string): Locale | undefined => {
  const primary = tag.trim().toLowerCase().split('-')[0];
  return (LOCALES as readonly string[]).includes(primary) ? (primary as Locale) : undefined;
};

/**
 * The pages' language: the first supported tag of `ui_locales` (OIDC Core §3.1.2.1: space-separated
 * BCP 47 tags, most preferred first), else of `Accept-Language` by its q-values (RFC 9110 §12.5.4,
 * `q=0` meaning "not acceptable"), else English. Tags match on their primary subtag (`nl-BE` → nl).
 */
export function negotiateLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): Locale {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  const ranges = (acceptLanguage ?? '')
    .slice(0, 1024)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const locale = supported(range.tag);
    if (locale) return locale;
  }
  return 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string>) => string;

/**
 * The texts of one locale, a tenant's own texts first (`loginTheme.texts[locale][key]`); `{name}`
 * placeholders are filled with plain text (the template escapes the result).
 */
export function translator(locale: Locale, tenantTexts: Partial<Record<string, Partial<Record<string, string>>>> | undefined): Translate {
  const own = tenantTexts?.[locale] ?? {};
  return (key, params = {}) => (own[key] ?? CATALOGUES[locale][key]).replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
