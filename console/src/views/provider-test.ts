/**
 * The identity-provider test (`POST /api/identity-provider/{id}/test`): paste an encoded JWT and
 * see every step of the login — key chosen, each check, the link decision, the lambda's logs —
 * and the user it would produce. Nothing is written; works on a disabled provider too.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { JsonView } from '../components/json-view.js';
import { html } from '../html.js';
import { Logs } from './lambda-dry-run.js';

export function ProviderTest({ provider }: { provider: Json }) {
  const [token, setToken] = useState('');
  const applicationIds = Object.keys(provider.applicationConfiguration ?? {});
  const [applications, setApplications] = useState<Json[]>([]);
  const [applicationId, setApplicationId] = useState(applicationIds[0] ?? '');
  const [result, setResult] = useState<Json>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  useEffect(() => {
    api('GET', '/api/application').then((body) => setApplications(body?.applications ?? []), () => setApplications([]));
  }, []);
  const run = async (event: Event) => {
    event.preventDefault();
    try {
      setErrors(null);
      const body: Json = { encodedJWT: token.trim() };
      if (applicationId) body.applicationId = applicationId;
      setResult((await api('POST', `/api/identity-provider/${provider.id}/test`, body)).result);
    } catch (error) {
      setResult(null);
      setErrors(asApiErrors(error));
    }
  };
  return html`<section class="panel" aria-labelledby="provider-test-title">
    <h2 id="provider-test-title">Test a token</h2>
    <form onSubmit=${run}>
      <div class="field">
        <label for="provider-test-token">Encoded JWT</label>
        <textarea id="provider-test-token" rows="4" spellcheck=${false} value=${token} onInput=${(e: Event) => setToken((e.target as HTMLTextAreaElement).value)}></textarea>
      </div>
      <div class="field">
        <label for="provider-test-application">Application</label>
        <select id="provider-test-application" value=${applicationId} onChange=${(e: Event) => setApplicationId((e.target as HTMLSelectElement).value)}>
          <option value="">(none: the tenant only)</option>
          ${applications.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
        </select>
      </div>
      <div class="actions"><button type="submit">Test token</button></div>
    </form>
    <${ErrorSummary} errors=${errors} />
    ${result
      ? html`<div class="result" role="status" aria-live="polite">
          <p class=${`outcome outcome-${result.success ? 'completed' : 'failed'}`}>
            <strong>${result.success ? 'Would succeed' : 'Would fail'}</strong>
            ${result.decision ? html` — link decision <code>${result.decision}</code>` : null}
            ${result.error ? html` — <code>${result.error.code}</code> ${result.error.message}` : null}
          </p>
          <h3>Steps</h3>
          <ol class="steps">
            ${(result.steps ?? []).map(
              (step: Json) => html`<li class=${step.success ? 'ok' : 'failed'}>
                <span class="mark">${step.success ? 'passed' : 'failed'}</span> <strong>${step.title}</strong>${step.detail ? html`: ${step.detail}` : null}
              </li>`,
            )}
          </ol>
          <dl class="facts">
            ${result.identityProviderUserId ? html`<dt>Unique id</dt><dd>${result.identityProviderUserId}</dd>` : null}
            ${result.email ? html`<dt>Email</dt><dd>${result.email}</dd>` : null}
            ${result.username ? html`<dt>Username</dt><dd>${result.username}</dd>` : null}
            ${result.onboarding ? html`<dt>Onboarding</dt><dd>${result.onboarding.reason} (missing: ${(result.onboarding.missing ?? []).join(', ')})</dd>` : null}
          </dl>
          <${Logs} logs=${result.logs} />
          <${JsonView} label="Resulting user" value=${result.user} />
          <${JsonView} label="Resulting registration" value=${result.registration} />
        </div>`
      : null}
  </section>`;
}

/** Fills an OpenID Connect provider from its discovery URL (`POST /api/identity-provider/import-config`); nothing is saved. */
export function DiscoveryImport({ draft, setDraft }: { draft: Json; setDraft: (next: Json) => void }) {
  const [url, setUrl] = useState('');
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [filled, setFilled] = useState(false);
  const run = async (event: Event) => {
    event.preventDefault();
    try {
      setErrors(null);
      const found = (await api('POST', '/api/identity-provider/import-config', { discoveryUrl: url.trim() })).identityProvider;
      setDraft({ ...draft, ...found, oauth2: { ...(draft.oauth2 ?? {}), ...(found.oauth2 ?? {}) } });
      setFilled(true);
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  return html`<form class="tool" onSubmit=${run}>
    <div class="field">
      <label for="discovery-url">OpenID Connect discovery URL</label>
      <input id="discovery-url" type="url" value=${url} onInput=${(e: Event) => setUrl((e.target as HTMLInputElement).value)} placeholder="https://op.example/.well-known/openid-configuration" />
    </div>
    <div class="actions"><button type="submit">Fill from discovery</button></div>
    <${ErrorSummary} errors=${errors} />
    ${filled ? html`<p role="status">Filled in issuer, JWKS URL and endpoints: check them, then save.</p>` : null}
  </form>`;
}
