/**
 * Pending links (`GET /api/identity-provider/link/pending/{id}`, 232 of a CreatePendingLink login)
 * and completing one to a user (`POST /api/identity-provider/link`).
 */
import { useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary, errorsFor, FieldErrors } from '../components/errors.js';
import { JsonView } from '../components/json-view.js';
import { html } from '../html.js';

export function PendingLinksView() {
  const [pendingId, setPendingId] = useState('');
  const [pending, setPending] = useState<Json>(null);
  const [userId, setUserId] = useState('');
  const [linked, setLinked] = useState<Json>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const lookUp = async (event: Event) => {
    event.preventDefault();
    try {
      setErrors(null);
      setLinked(null);
      setPending(await api('GET', `/api/identity-provider/link/pending/${encodeURIComponent(pendingId.trim())}`));
    } catch (error) {
      setPending(null);
      setErrors(asApiErrors(error));
    }
  };
  const complete = async (event: Event) => {
    event.preventDefault();
    try {
      setErrors(null);
      setLinked(await api('POST', '/api/identity-provider/link', { pendingIdPLinkId: pendingId.trim(), identityProviderLink: { userId: userId.trim() } }));
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  const userErrors = errorsFor(errors, 'identityProviderLink.userId');
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Pending links</h1>
    <p class="intro">A login through a provider with the CreatePendingLink strategy answers 232 with a pending link id; look it up and link it to a user. Pending onboardings are completed by the app that started them.</p>
    <form onSubmit=${lookUp}>
      <div class="field"><label for="pending-id">Pending link id</label><input id="pending-id" type="text" value=${pendingId} onInput=${(e: Event) => setPendingId((e.target as HTMLInputElement).value)} /></div>
      <div class="actions"><button type="submit">Look up</button></div>
    </form>
    <${ErrorSummary} errors=${errors} claimed=${['identityProviderLink.userId']} />
    ${pending
      ? html`<${JsonView} label="Pending link" value=${pending} />
          <form onSubmit=${complete}>
            <div class="field">
              <label for="pending-user">Link to user id</label>
              <input id="pending-user" type="text" value=${userId} aria-invalid=${userErrors.length ? 'true' : undefined} aria-describedby=${userErrors.length ? 'pending-user-errors' : undefined} onInput=${(e: Event) => setUserId((e.target as HTMLInputElement).value)} />
              <${FieldErrors} id="pending-user-errors" messages=${userErrors} />
            </div>
            <div class="actions"><button type="submit">Complete link</button></div>
          </form>`
      : null}
    ${linked ? html`<p role="status">Linked.</p><${JsonView} label="Link" value=${linked} />` : null}
  </section>`;
}
