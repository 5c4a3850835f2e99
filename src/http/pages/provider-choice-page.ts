import { html } from './html.js';
import { renderPage } from './page-layout.js';
import type { PageContext } from './page-layout.js';

export interface ProviderChoiceInput {
  applicationName: string;
  /** Each provider with its link: the client's own authorization request plus `idp_hint`. */
  choices: { name: string; href: string }[];
}

/**
 * The provider choice of an application with several identity providers and a request without
 * `idp_hint`: one link per provider that repeats the client's request with `idp_hint` (links, not
 * a form: choosing changes nothing here, the authorization request then runs as any other).
 */
export function providerChoicePage(page: PageContext, input: ProviderChoiceInput): string {
  const { t } = page;
  const body = html`<h1>${t('choice.title')}</h1>
<p>${t('choice.intro', { app: input.applicationName })}</p>
<nav aria-label="${t('choice.title')}">
${input.choices.map((choice) => html`<a class="button" href="${choice.href}">${t('choice.button', { provider: choice.name })}</a>\n`)}
</nav>`;
  return renderPage(page, t('choice.title'), body);
}
