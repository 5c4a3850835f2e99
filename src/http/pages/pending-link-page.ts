import { html } from './html.js';
import { renderPage } from './page-layout.js';
import type { PageContext } from './page-layout.js';

export interface PendingLinkInput {
  action: string;
  csrfToken: string;
  applicationName: string;
  providerName: string;
  /** The external identity's display name, email or username. */
  displayName: string;
}

/**
 * The pending-link page of the CreatePendingLink strategy: Gatehouse has no password of its own
 * to prove an existing account with, so the page says how to link (log in with the existing
 * account, then confirm in the application, which completes the pending link through the Link
 * API) and offers to go on without linking, which returns to the application with the pending id.
 */
export function pendingLinkPage(page: PageContext, input: PendingLinkInput): string {
  const { t } = page;
  const app = input.applicationName;
  const body = html`<h1>${t('link.title')}</h1>
<p>${t('link.intro', { provider: input.providerName, name: input.displayName, app })}</p>
<p>${t('link.prove', { app })}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<button class="button" type="submit">${t('link.decline')}</button>
</form>`;
  return renderPage(page, t('link.title'), body);
}
