/** The console's shell: header with the tenant chooser, navigation, and the view of the current route. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import type { Json } from './api.js';
import { html } from './html.js';
import { RESOURCES } from './resources.js';
import { href, useRoute } from './router.js';
import { session } from './session.js';
import { EventLogView } from './views/event-log-view.js';
import { PendingLinksView } from './views/pending-links-view.js';
import { ResourceDetail, ResourceList } from './views/resource-view.js';
import { SignIn } from './views/sign-in.js';
import { UserDetail, UserList } from './views/users-view.js';

const NAV: { id: string; label: string }[] = [
  ...RESOURCES.map((r) => ({ id: r.id, label: r.title })),
  { id: 'users', label: 'Users' },
  { id: 'pending-links', label: 'Pending links' },
  { id: 'event-log', label: 'Event log' },
];

function TenantChooser({ onChange }: { onChange: () => void }) {
  const [tenants, setTenants] = useState<Json[] | null>(null);
  useEffect(() => {
    api('GET', '/api/tenant').then(
      (body) => {
        const list: Json[] = body?.tenants ?? [];
        setTenants(list);
        if (!session.tenantId() && list.length > 0) {
          session.chooseTenant((list.find((t) => t.slug === 'default') ?? list[0]).id);
          onChange();
        }
      },
      () => setTenants([]),
    );
  }, []);
  if (!tenants || tenants.length === 0) return null;
  return html`<div class="tenant">
    <label for="tenant-chooser">Tenant</label>
    <select id="tenant-chooser" value=${session.tenantId() ?? ''} onChange=${(e: Event) => (session.chooseTenant((e.target as HTMLSelectElement).value), onChange())}>
      ${tenants.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
    </select>
  </div>`;
}

function View({ route }: { route: string[] }) {
  const [section, id] = route;
  const spec = RESOURCES.find((r) => r.id === section);
  if (spec) return id ? html`<${ResourceDetail} key=${spec.id} spec=${spec} id=${id} />` : html`<${ResourceList} key=${spec.id} spec=${spec} />`;
  if (section === 'users') return id ? html`<${UserDetail} id=${id} />` : html`<${UserList} />`;
  if (section === 'pending-links') return html`<${PendingLinksView} />`;
  if (section === 'event-log') return html`<${EventLogView} />`;
  return html`<section aria-labelledby="page-title">
    <h1 id="page-title">Overview</h1>
    <ul class="overview">${NAV.map((n) => html`<li><a href=${href(n.id)}>${n.label}</a></li>`)}</ul>
  </section>`;
}

export function App() {
  const [signedIn, setSignedIn] = useState(Boolean(session.apiKey()));
  const [tenantVersion, setTenantVersion] = useState(0);
  const route = useRoute();
  useEffect(() => {
    const title = NAV.find((n) => n.id === route[0])?.label ?? 'Overview';
    document.title = `${signedIn ? title : 'Sign in'} · Gatehouse admin`;
  }, [route.join('/'), signedIn]);
  if (!signedIn) return html`<${SignIn} onSignedIn=${() => setSignedIn(true)} />`;
  return html`<a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>Skip to content</a>
    <header class="top">
      <p class="brand"><a href="#/">Gatehouse admin</a></p>
      <${TenantChooser} onChange=${() => setTenantVersion(tenantVersion + 1)} />
      <button type="button" class="sign-out" onClick=${() => (session.signOut(), setSignedIn(false))}>Sign out</button>
    </header>
    <nav class="side" aria-label="Sections">
      <ul>${NAV.map((n) => html`<li><a href=${href(n.id)} aria-current=${route[0] === n.id ? 'page' : undefined}>${n.label}</a></li>`)}</ul>
    </nav>
    <main id="main" tabindex="-1"><${View} key=${tenantVersion} route=${route} /></main>`;
}
