/**
 * Signing in with an API key: the key is tried against `/api` before it is kept (in this tab's
 * sessionStorage only). A global key lists tenants; a tenant-scoped key reaches its own tenant.
 * Or through a tenant's login (`brokered-sign-in.ts`), for users with the role `admin` in the
 * tenant's console application.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, asApiErrors } from '../api.js';
import type { ApiErrors } from '../api.js';
import { ErrorSummary, FieldErrors } from '../components/errors.js';
import { html } from '../html.js';
import { session } from '../session.js';
import { completeBrokeredSignIn, startBrokeredSignIn } from '../brokered-sign-in.js';

const general = (message: string): ApiErrors => ({ fieldErrors: {}, generalErrors: [{ code: 'signIn', message }] });

/** The tenant's login: a slug, then the authorization-code flow; on return, the token is tried against `/api`. */
function TenantLogin({ onSignedIn }: { onSignedIn: () => void }) {
  const [tenant, setTenant] = useState('');
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    completeBrokeredSignIn()
      .then(async (returned) => {
        if (!returned) return;
        setBusy(true);
        try {
          await api('GET', '/api/application');
          onSignedIn();
        } catch (error) {
          session.signOut();
          throw error instanceof ApiFailure && error.status === 401 ? new Error('You signed in, but you do not hold the role admin in this tenant’s console application.') : error;
        }
      })
      .catch((error: unknown) => setErrors(general(error instanceof Error ? error.message : String(error))))
      .finally(() => setBusy(false));
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (tenant.trim() === '') return setErrors({ fieldErrors: { tenant: [{ code: '[blank]tenant', message: 'Enter the tenant (its slug, as in /t/{tenant}).' }] }, generalErrors: [] });
    setBusy(true);
    try {
      await startBrokeredSignIn(tenant.trim());
    } catch (error) {
      setErrors(general(error instanceof Error ? error.message : String(error)));
      setBusy(false);
    }
  };
  const messages = errors?.fieldErrors.tenant ?? [];
  return html`<form onSubmit=${submit} aria-labelledby="tenant-login-title">
    <h2 id="tenant-login-title">Sign in through your tenant’s login</h2>
    <div class="field">
      <label for="tenant-slug">Tenant</label>
      <input id="tenant-slug" autocomplete="off" value=${tenant} aria-invalid=${messages.length ? 'true' : undefined} aria-describedby="tenant-slug-help${messages.length ? ' tenant-slug-errors' : ''}" onInput=${(e: Event) => setTenant((e.target as HTMLInputElement).value)} />
      <p class="help" id="tenant-slug-help">The slug of /t/{tenant}. For users with the role admin in the tenant’s console application.</p>
      <${FieldErrors} id="tenant-slug-errors" messages=${messages} />
    </div>
    <${ErrorSummary} errors=${errors} claimed=${['tenant']} />
    <div class="actions"><button type="submit" disabled=${busy}>Sign in with ${tenant.trim() || 'tenant login'}</button></div>
  </form>`;
}

/** Which tenants the key reaches: all (a global key), or its own (a tenant-scoped key). */
async function probe(apiKey: string): Promise<void> {
  try {
    await api('GET', '/api/tenant', undefined, apiKey);
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status !== 401) throw error;
    await api('GET', '/api/application', undefined, apiKey);
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [apiKey, setApiKey] = useState('');
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (apiKey.trim() === '') return setErrors({ fieldErrors: { apiKey: [{ code: '[blank]apiKey', message: 'Enter an API key.' }] }, generalErrors: [] });
    setBusy(true);
    try {
      await probe(apiKey.trim());
      session.signIn(apiKey.trim());
      onSignedIn();
    } catch (error) {
      const failure = asApiErrors(error);
      setErrors(error instanceof ApiFailure && error.status === 401 ? { fieldErrors: { apiKey: [{ code: 'unauthorized', message: 'This API key was refused: it is unknown or not allowed.' }] }, generalErrors: [] } : failure);
    } finally {
      setBusy(false);
    }
  };
  const messages = errors?.fieldErrors.apiKey ?? [];
  return html`<main id="main" class="sign-in">
    <h1>Gatehouse admin console</h1>
    <form onSubmit=${submit}>
      <div class="field">
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" value=${apiKey} aria-invalid=${messages.length ? 'true' : undefined} aria-describedby="api-key-help${messages.length ? ' api-key-errors' : ''}" onInput=${(e: Event) => setApiKey((e.target as HTMLInputElement).value)} />
        <p class="help" id="api-key-help">Kept in this tab only (session storage), sent as the Authorization header.</p>
        <${FieldErrors} id="api-key-errors" messages=${messages} />
      </div>
      <${ErrorSummary} errors=${errors} claimed=${['apiKey']} />
      <div class="actions"><button type="submit" disabled=${busy}>Sign in</button></div>
    </form>
    <${TenantLogin} onSignedIn=${onSignedIn} />
  </main>`;
}
