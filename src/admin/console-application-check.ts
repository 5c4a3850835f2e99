import type { FieldErrors } from '../lib/api-error.js';
import type { Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';

/** The console's own page: where the authorization-code flow of a console sign-in comes back to. */
export const consoleRedirectUri = (publicUrl: string): string => `${publicUrl}/admin`;

/**
 * Checks `tenant.adminConsoleApplicationId`: an application of this tenant that the console, a
 * browser app, can use as a public client — the authorization_code grant (PKCE S256 is always
 * required by the authorize endpoint), no client secret (`none`, RFC 7591 §2
 * `token_endpoint_auth_method`; OAuth 2.0 for Browser-Based Apps §6) and `{publicUrl}/admin` among
 * its exact redirect URLs (RFC 6749 §3.1.2.2).
 */
export async function checkConsoleApplication(store: Pick<Store, 'applications'>, publicUrl: string | undefined, tenant: Tenant, errors: FieldErrors): Promise<void> {
  const id = tenant.adminConsoleApplicationId;
  if (id === undefined) return;
  const field = 'tenant.adminConsoleApplicationId';
  const application = await store.applications.findById(id);
  if (!application || application.tenantId !== tenant.id) return errors.add(field, 'invalid', 'No application of this tenant has this id.');
  const oauth = application.oauthConfiguration;
  if (!oauth.enabledGrants.includes('authorization_code')) errors.add(field, 'invalid', 'The console application needs the authorization_code grant.');
  if (oauth.clientAuthenticationMethod !== 'none') errors.add(field, 'invalid', 'The console application is a public client: clientAuthenticationMethod none.');
  if (publicUrl !== undefined && !(oauth.authorizedRedirectURLs ?? []).includes(consoleRedirectUri(publicUrl))) {
    errors.add(field, 'invalid', `The console application needs the redirect URL ${consoleRedirectUri(publicUrl)}.`);
  }
}
