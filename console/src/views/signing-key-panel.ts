/** A tenant's active signing key, and rotating it (`POST /api/tenant/{id}/rotate-signing-key`). */
import { useEffect, useState } from 'preact/hooks';
import { api, asApiErrors } from '../api.js';
import type { ApiErrors, Json } from '../api.js';
import { ErrorSummary } from '../components/errors.js';
import { html } from '../html.js';
import { href } from '../router.js';

export function SigningKeyPanel({ tenant }: { tenant: Json }) {
  const [keyId, setKeyId] = useState<string | undefined>(tenant.jwtConfiguration?.accessTokenKeyId);
  const [key, setKey] = useState<Json>(null);
  const [errors, setErrors] = useState<ApiErrors | null>(null);
  const [rotated, setRotated] = useState(false);
  useEffect(() => {
    if (keyId) api('GET', `/api/key/${keyId}`).then((body) => setKey(body.key), () => setKey(null));
  }, [keyId]);
  const rotate = async () => {
    try {
      setErrors(null);
      const body = await api('POST', `/api/tenant/${tenant.id}/rotate-signing-key`);
      setKeyId(body.tenant.jwtConfiguration.accessTokenKeyId);
      setRotated(true);
    } catch (error) {
      setErrors(asApiErrors(error));
    }
  };
  return html`<section class="panel" aria-labelledby="signing-key-title">
    <h2 id="signing-key-title">Signing key</h2>
    <p>
      Active key: ${keyId ? html`<a href=${href('keys', keyId)}>${key ? `${key.name ?? keyId} (${key.algorithm}, kid ${key.kid})` : keyId}</a>` : 'none'}
    </p>
    <p class="help">Rotating makes a new key active now; the old key stays in the JWKS until the tokens it signed have expired.</p>
    <div class="actions"><button type="button" onClick=${rotate}>Rotate signing key</button></div>
    ${rotated ? html`<p role="status">Rotated: new tokens are signed with the new key.</p>` : null}
    <${ErrorSummary} errors=${errors} />
  </section>`;
}
