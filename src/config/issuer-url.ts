/**
 * The issuer of a tenant (`iss` of every token it signs, RFC 8414 §2 `issuer`): `{publicUrl}/t/{slug}`.
 * The one place the URL is spelled; OAuth endpoints, SMART documents and the token signers use it.
 */
export const issuerUrl = (publicUrl: string, tenant: { readonly slug: string }): string => `${publicUrl}/t/${tenant.slug}`;

/** The tenant's token endpoint (RFC 6749 §3.2), the audience of client assertions (RFC 7523 §3). */
export const tokenEndpointUrl = (publicUrl: string, tenant: { readonly slug: string }): string => `${issuerUrl(publicUrl, tenant)}/oauth2/token`;
