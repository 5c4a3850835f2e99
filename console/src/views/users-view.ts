/** Users (`POST /api/user/search`) and one user with registrations, identity-provider links and refresh tokens. */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { JsonView } from '../components/json-view.js';
import { Pager } from '../components/search-page.js';
import { html } from '../html.js';
import { href } from '../router.js';

const PAGE = 25;

export function UserList() {
  const [query, setQuery] = useState('');
  const [startRow, setStartRow] = useState(0);
  const [result, setResult] = useState<{ users: Json[]; total: number } | null>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const search = async (row: number) => {
    try {
      setResult(await api('POST', '/api/user/search', { search: { queryString: query.trim() || '*', numberOfResults: PAGE, startRow: row, sortFields: [{ name: 'email', order: 'asc' }] } }));
      setStartRow(row);
      setErrors(null);
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  useEffect(() => {
    search(0);
  }, []);
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Users</h1>
    <form class="search" role="search" onSubmit=${(e: Event) => (e.preventDefault(), search(0))}>
      <div class="field"><label for="user-query">Email, username or name (* matches anything)</label><input id="user-query" type="search" value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} /></div>
      <div class="actions"><button type="submit">Search</button></div>
    </form>
    <${ErrorSummary} errors=${errors} />
    ${result
      ? html`<table>
            <caption class="visually-hidden">Users</caption>
            <thead><tr><th scope="col">Email or username</th><th scope="col">Name</th><th scope="col">Registrations</th></tr></thead>
            <tbody>
              ${result.users.map(
                (u) => html`<tr><td><a href=${href('users', u.id)}>${u.email ?? u.username ?? u.id}</a></td><td>${[u.firstName, u.lastName].filter(Boolean).join(' ')}</td><td>${(u.registrations ?? []).length}</td></tr>`,
              )}
            </tbody>
          </table>
          <${Pager} startRow=${startRow} pageSize=${PAGE} total=${result.total} onPage=${search} />`
      : null}
  </section>`;
}

export function UserDetail({ id }: { id: string }) {
  const [user, setUser] = useState<Json>(null);
  const [links, setLinks] = useState<Json[] | null>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  useEffect(() => {
    api('GET', `/api/user/${id}`).then((body) => setUser(body.user), (error) => setErrors(asApiErrors(error)));
    api('GET', `/api/identity-provider/link?userId=${encodeURIComponent(id)}`).then((body) => setLinks(body?.identityProviderLinks ?? []), () => setLinks([]));
  }, [id]);
  return html`<section aria-labelledby="page-title">
    <p class="breadcrumb"><a href=${href('users')}>Users</a></p>
    <h1 id="page-title">User: ${user ? (user.email ?? user.username ?? user.id) : ''}</h1>
    <${ErrorSummary} errors=${errors} />
    ${user
      ? html`<h2>Registrations</h2>
          ${(user.registrations ?? []).length === 0
            ? html`<p>None.</p>`
            : html`<table>
                <caption class="visually-hidden">Registrations</caption>
                <thead><tr><th scope="col">Application</th><th scope="col">Roles</th><th scope="col">Since</th></tr></thead>
                <tbody>${user.registrations.map((r: Json) => html`<tr><td><a href=${href('applications', r.applicationId)}>${r.applicationId}</a></td><td>${(r.roles ?? []).join(', ')}</td><td>${r.insertInstant ? new Date(r.insertInstant).toLocaleString() : ''}</td></tr>`)}</tbody>
              </table>`}
          <h2>Identity-provider links</h2>
          ${links && links.length > 0
            ? html`<table>
                <caption class="visually-hidden">Links</caption>
                <thead><tr><th scope="col">Provider</th><th scope="col">Unique id</th><th scope="col">Display name</th></tr></thead>
                <tbody>${links.map((l) => html`<tr><td><a href=${href('identity-providers', l.identityProviderId)}>${l.identityProviderName ?? l.identityProviderId}</a></td><td>${l.identityProviderUserId}</td><td>${l.displayName ?? ''}</td></tr>`)}</tbody>
              </table>`
            : html`<p>None.</p>`}
          <${JsonView} label="User object" value=${user} />`
      : null}
  </section>`;
}
