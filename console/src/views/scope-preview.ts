/** SMART roles: the scope string an application would get now (`GET /api/smart/application/{id}/scopes`), refreshed live. */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { html } from '../html.js';

export function ScopePreview({ role }: { role: Json }) {
  const [applications, setApplications] = useState<Json[]>([]);
  const [applicationId, setApplicationId] = useState('');
  const [scopes, setScopes] = useState<string | null>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  useEffect(() => {
    api('GET', '/api/application').then((body) => {
      const list: Json[] = body?.applications ?? [];
      setApplications(list);
      const holder = list.find((a) => a.smartConfiguration?.roleId === role.id);
      setApplicationId(holder?.id ?? list[0]?.id ?? '');
    }, (error) => setErrors(asApiErrors(error)));
  }, [role.id]);
  useEffect(() => {
    if (!applicationId) return;
    api('GET', `/api/smart/application/${applicationId}/scopes`).then(
      (body) => {
        setErrors(null);
        setScopes(Array.isArray(body?.scopes) ? body.scopes.join(' ') : String(body?.scopes ?? ''));
      },
      (error) => {
        setScopes(null);
        setErrors(asApiErrors(error));
      },
    );
  }, [applicationId, role.lastUpdateInstant, JSON.stringify(role.permissions)]);
  return html`<section class="panel" aria-labelledby="scope-title">
    <h2 id="scope-title">Derived scopes</h2>
    <div class="field">
      <label for="scope-application">Application</label>
      <select id="scope-application" value=${applicationId} onChange=${(e: Event) => setApplicationId((e.target as HTMLSelectElement).value)}>
        ${applications.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
      </select>
    </div>
    <${ErrorSummary} errors=${errors} />
    ${scopes !== null ? html`<p>Scope string: <output class="scopes" for="scope-application">${scopes || '(none)'}</output></p>` : null}
  </section>`;
}
