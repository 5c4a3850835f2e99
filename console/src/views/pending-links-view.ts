/**
 * What waits to be completed: the tenant's pending links and onboardings
 * (`GET /api/identity-provider/pending`), a pending link looked up
 * (`GET /api/identity-provider/link/pending/{id}`, 232 of a CreatePendingLink login) and completed
 * to a user (`POST /api/identity-provider/link`).
 */
import { useEffect, useState } from 'preact/hooks';
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
  const [listed, setListed] = useState<PendingEntry[] | null>(null);
  useEffect(() => {
    api('GET', '/api/identity-provider/pending?numberOfResults=100')
      .then((reply) => setListed(((reply as { pending?: PendingEntry[] }).pending ?? []) as PendingEntry[]))
      .catch((error: unknown) => setErrors(asApiErrors(error)));
  }, []);
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
    <p class="intro">A login through a provider with the CreatePendingLink strategy answers 232 with a pending link id; look it up and link it to a user. Pending onboardings (a lambda's requireOnboarding) are completed by the app or the hosted onboarding page that started them.</p>
    <h2>Waiting now</h2>
    ${listed === null
      ? html`<p>Loading…</p>`
      : listed.length === 0
        ? html`<p>Nothing is pending.</p>`
        : html`<table class="pending">
            <caption>Unexpired pending links and onboardings, newest first</caption>
            <thead><tr><th scope="col">Kind</th><th scope="col">Id</th><th scope="col">Identity</th><th scope="col">Reason / missing</th><th scope="col">Expires</th></tr></thead>
            <tbody>
              ${listed.map(
                (entry) => html`<tr>
                  <td>${entry.kind}</td>
                  <td>${entry.kind === 'link' ? html`<button type="button" onClick=${() => setPendingId(entry.id)}>${entry.id}</button>` : entry.id}</td>
                  <td>${entry.email ?? entry.username ?? entry.identityProviderUserId}</td>
                  <td>${entry.kind === 'onboarding' ? `${entry.reason ?? ''}: ${(entry.missing ?? []).map((m) => (typeof m === 'string' ? m : (m as { name?: string }).name ?? '')).join(', ')}` : ''}</td>
                  <td>${new Date(entry.expiresAt).toISOString()}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    <h2>Look up and complete a pending link</h2>
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

interface PendingEntry {
  id: string;
  kind: 'link' | 'onboarding';
  identityProviderUserId: string;
  email?: string;
  username?: string;
  reason?: string;
  missing?: unknown[];
  expiresAt: number;
}
