import type { FieldProblem, OnboardingField } from '../../login/onboarding-fields.js';
import { html } from './html.js';
import type { MessageKey } from './messages-en.js';
import { CATALOGUES } from './locale.js';
import { renderPage } from './page-layout.js';
import type { PageContext } from './page-layout.js';

export interface OnboardingPageInput {
  action: string;
  csrfToken: string;
  applicationName: string;
  fields: readonly OnboardingField[];
  /** What the user typed, shown again beside the problems. */
  values?: ReadonlyMap<string, string>;
  problems?: Readonly<Record<string, FieldProblem>>;
}

/** The lambda's label, else the page's own text for a known profile field, else the name. */
function labelOf(page: PageContext, field: OnboardingField): string {
  if (field.label) return field.label;
  const key = `field.${field.name}`;
  return key in CATALOGUES.en ? page.t(key as MessageKey) : field.name;
}

/**
 * The first-login form (Keycloak's "review profile", driven by the lambda's `requireOnboarding`):
 * one labelled input per field, `required` and typed as described; a refused value is marked with
 * `aria-invalid` and its message is tied to the input by `aria-describedby`.
 */
export function onboardingPage(page: PageContext, input: OnboardingPageInput): string {
  const { t } = page;
  const problems = input.problems ?? {};
  const hasProblems = Object.keys(problems).length > 0;
  const fields = input.fields.map((field, index) => {
    const id = `f${index}`;
    const problem = problems[field.name];
    const describedBy = problem ? `${id}-problem` : undefined;
    const value = input.values?.get(field.name);
    const optional = field.required ? undefined : html` <span class="optional">${t('onboarding.optional')}</span>`;
    const note = problem ? html`<p class="problem" id="${id}-problem">${t(`problem.${problem}`)}</p>` : undefined;
    if (field.type === 'checkbox') {
      return html`<div class="field"><div class="check"><input type="checkbox" id="${id}" name="${field.name}"${value !== undefined ? html` checked` : undefined}${field.required ? html` required` : undefined}${problem ? html` aria-invalid="true" aria-describedby="${describedBy}"` : undefined}><label for="${id}">${labelOf(page, field)}${optional}</label></div>${note}</div>`;
    }
    const autocomplete = { email: 'email', tel: 'tel', date: 'bday', text: 'on' }[field.type];
    return html`<div class="field"><label for="${id}">${labelOf(page, field)}${optional}</label><input type="${field.type}" id="${id}" name="${field.name}" value="${value ?? ''}" autocomplete="${autocomplete}" maxlength="256"${field.required ? html` required` : undefined}${problem ? html` aria-invalid="true" aria-describedby="${describedBy}"` : undefined}>${note}</div>`;
  });
  const body = html`<h1>${t('onboarding.title')}</h1>
<p>${t('onboarding.intro', { app: input.applicationName })}</p>
${hasProblems ? html`<p class="summary" role="alert">${t('onboarding.errors')}</p>` : undefined}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
${fields}
<button class="button" type="submit">${t('onboarding.submit')}</button>
</form>`;
  return renderPage(page, t('onboarding.title'), body);
}
