/** FusionAuth errors as the console shows them: each field's beside the field, the rest in a list. */
import type { ApiErrors, ApiMessage } from '../api.js';
import { html } from '../html.js';

/** The messages of `fieldErrors` that belong to `key` (exactly, or to a part of it: `key.x`, `key[0]`). */
export function errorsFor(errors: ApiErrors | null, key: string): ApiMessage[] {
  if (!errors) return [];
  return Object.entries(errors.fieldErrors)
    .filter(([name]) => name === key || name.startsWith(`${key}.`) || name.startsWith(`${key}[`))
    .flatMap(([, messages]) => messages);
}

export function FieldErrors({ id, messages }: { id: string; messages: ApiMessage[] }) {
  if (messages.length === 0) return null;
  return html`<ul class="field-errors" id=${id}>
    ${messages.map((m) => html`<li><span class="code">${m.code}</span> ${m.message}</li>`)}
  </ul>`;
}

/** General errors, plus field errors no field on screen claims. */
export function ErrorSummary({ errors, claimed = [] }: { errors: ApiErrors | null; claimed?: string[] }) {
  if (!errors) return null;
  const unclaimed = Object.entries(errors.fieldErrors).filter(([name]) => !claimed.some((key) => name === key || name.startsWith(`${key}.`) || name.startsWith(`${key}[`)));
  const messages = [...errors.generalErrors.map((m) => ({ ...m, field: '' })), ...unclaimed.flatMap(([field, list]) => list.map((m) => ({ ...m, field })))];
  if (messages.length === 0) return null;
  return html`<div class="error-summary" role="alert">
    <p><strong>The request was refused.</strong></p>
    <ul>
      ${messages.map((m) => html`<li>${m.field ? html`<span class="code">${m.field}</span> ` : null}<span class="code">${m.code}</span> ${m.message}</li>`)}
    </ul>
  </div>`;
}
