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
  /** Where "link to my account" posts, and the account of the browser's SSO session, when it has one. */
  confirm?: { action: string; userId: string; label: string };
}

/**
 * The pending-link page of the CreatePendingLink strategy. Gatehouse has no password of its own
 * to prove an existing account with: the proof is a login with that account in this browser (its
 * SSO session). With one, the page offers to link to that account, named; without, it says how to
 * get one. Either way the user may go on without linking, which returns to the application with
 * the pending id (which it may complete through the Link API).
 */
export function pendingLinkPage(page: PageContext, input: PendingLinkInput): string {
  const { t } = page;
  const app = input.applicationName;
  const body = html`<h1>${t('link.title')}</h1>
<p>${t('link.intro', { provider: input.providerName, name: input.displayName, app })}</p>
${
    input.confirm
      ? html`<p>${t('link.signedIn', { account: input.confirm.label })}</p>
<form method="post" action="${input.confirm.action}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<input type="hidden" name="user_id" value="${input.confirm.userId}">
<button class="button" type="submit">${t('link.confirm', { account: input.confirm.label })}</button>
</form>`
      : html`<p>${t('link.prove', { app })}</p>`
  }
<form method="post" action="${input.action}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<button class="button${input.confirm ? ' secondary' : ''}" type="submit">${t('link.decline')}</button>
</form>`;
  return renderPage(page, t('link.title'), body);
}
