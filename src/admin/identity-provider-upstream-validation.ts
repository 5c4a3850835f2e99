import type { FieldErrors } from '../lib/api-error.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import { USERINFO_MODES } from '../idp/upstream-userinfo.js';
import { FORWARDABLE_PARAMETERS } from '../idp/upstream-oidc-client.js';
import { ANY_ADDRESS } from '../lib/address-policy.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';

/**
 * The upstream OpenID fields of a provider: `oauth2.discoveryUrl` (fetched by Gatehouse, so the
 * address policy applies; its document must name the provider's `issuer`, OpenID Connect
 * Discovery 1.0 §4.3, so that must be known), `userinfo_endpoint` (fetched) and
 * `end_session_endpoint` (followed by browsers), `oauth2.userinfo` and `oauth2.forwardParameters`.
 */
export function validateUpstreamDiscovery(errors: FieldErrors, options: { allowHttpJwksUri: boolean; addresses: AddressPolicy }, provider: ExternalJwtIdentityProvider): void {
  const at = (field: string) => `identityProvider.${field}`;
  const { oauth2 } = provider;
  for (const field of ['discoveryUrl', 'userinfo_endpoint', 'end_session_endpoint'] as const) {
    const url = oauth2[field];
    if (!url) continue;
    const problem = outboundUrlProblem(url, { allowHttp: options.allowHttpJwksUri, addresses: field === 'end_session_endpoint' ? ANY_ADDRESS : options.addresses });
    if (problem) errors.add(at(`oauth2.${field}`), problem.code, `Not an allowed URL: ${problem.message}.`);
  }
  if (oauth2.discoveryUrl && !provider.issuer) {
    errors.add(at('issuer'), 'blank', 'The discoveryUrl does not end in /.well-known/openid-configuration: give the issuer its document must name.');
  }
  if (oauth2.userinfo !== undefined && !USERINFO_MODES.includes(oauth2.userinfo)) errors.add(at('oauth2.userinfo'), 'invalid', `One of ${USERINFO_MODES.join(', ')}.`);
  for (const name of oauth2.forwardParameters ?? []) {
    if (!(FORWARDABLE_PARAMETERS as readonly string[]).includes(name)) errors.add(at('oauth2.forwardParameters'), 'invalid', `Each one of ${FORWARDABLE_PARAMETERS.join(', ')}.`);
  }
}
