import type { FastifyReply } from 'fastify';
import type { Tenant } from '../../store/records.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import { negotiateLocale, translator } from './locale.js';
import type { Locale, Translate } from './locale.js';

/** What every page is rendered with: the tenant (theme), the negotiated locale and its texts. */
export interface PageContext {
  tenant: Tenant;
  locale: Locale;
  t: Translate;
}

export function pageContext(tenant: Tenant, uiLocales: string | undefined, acceptLanguage: string | undefined): PageContext {
  const locale = negotiateLocale(uiLocales, acceptLanguage);
  return { tenant, locale, t: translator(locale, tenant.loginTheme?.texts) };
}

/** The frame of every page: language, title, the tenant's stylesheet and logo, no script at all. */
export function renderPage(page: PageContext, title: string, body: SafeHtml): string {
  const { tenant } = page;
  const logo = tenant.loginTheme?.logoUrl;
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} – ${tenant.name}</title>
<link rel="stylesheet" href="/t/${tenant.slug}/login/theme.css?v=${tenant.lastUpdateInstant}">
</head>
<body>
<main>
<header>${logo ? html`<img src="${logo}" alt="${tenant.name}">` : html`<p class="tenant">${tenant.name}</p>`}</header>
${body}
</main>
</body>
</html>
`.value;
}

/** A CSP source for where a page's form may end up (a redirect after the POST counts, CSP3 §6.4.2). */
function formTarget(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    // A native app's private-use scheme (RFC 8252 §7.1): its scheme source.
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends a page with the headers every hosted page has: a CSP that allows no script and no inline
 * style, images from here or https (the tenant's logo), forms only to here and to the client's
 * registered redirect URI (`formTargets`); never framed (CSP `frame-ancestors`, RFC 7034
 * `X-Frame-Options`, the clickjacking defence of RFC 6749 §10.13), no Referer, never cached.
 */
export function sendPage(reply: FastifyReply, status: number, page: string, formTargets: readonly string[] = []): FastifyReply {
  const targets = [...new Set(formTargets.map(formTarget).filter((t): t is string => t !== undefined))];
  const csp = ["default-src 'none'", "style-src 'self'", "img-src 'self' https:", `form-action 'self'${targets.map((t) => ` ${t}`).join('')}`, "frame-ancestors 'none'", "base-uri 'none'"].join('; ');
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(page);
}

/** Whether the request is a browser navigation that wants a page (else the JSON or redirect of before). */
export const acceptsHtml = (accept: string | undefined): boolean => /\btext\/html\b/i.test(accept ?? '');
