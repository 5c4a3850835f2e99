import { html } from './html.js';
import type { MessageKey } from './messages-en.js';
import { CATALOGUES } from './locale.js';
import { renderPage } from './page-layout.js';
import type { PageContext } from './page-layout.js';

export interface ErrorPageInput {
  /** The stable code: a GH_LOGIN_* code, an OAuth error, or a lambda's reject code. */
  code: string;
  /** The OAuth error the client is told (selects the page's own sentence). */
  error?: string;
  /** The text to show as it is (a lambda's reject message, the reason a request was refused). */
  message?: string;
  /** The registered redirect URI with the error for the client, when there is one to go back to. */
  backUrl?: string;
}

/**
 * A login that cannot continue: the page's own sentence for the error, the message the lambda or
 * the check gave (escaped like every text), the code, and a way back to the application — the
 * error redirect to its registered redirect URI when there is one (RFC 6749 §4.1.2.1), else the
 * advice to start again there (never a redirect to an unchecked URI).
 */
export function errorPage(page: PageContext, input: ErrorPageInput): string {
  const { t } = page;
  const own = [`error.${input.code}`, `error.${input.error}`].find((key) => key in CATALOGUES.en) as MessageKey | undefined;
  const body = html`<h1>${t('error.title')}</h1>
<p>${t(own ?? 'error.other')}</p>
${input.message ? html`<p class="message">${input.message}</p>` : undefined}
<p class="code">${t('error.code')}: ${input.code}</p>
${input.backUrl ? html`<a class="button" href="${input.backUrl}">${t('error.back')}</a>` : html`<p>${t('error.restart')}</p>`}`;
  return renderPage(page, t('error.title'), body);
}
