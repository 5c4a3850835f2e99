import type { Tenant } from '../store/records.js';

/** The tenant's issuer, as in `oauth/context.ts`, computed from the public URL. */
export const issuerFor = (publicUrl: string, tenant: Tenant): string => `${publicUrl}/t/${tenant.slug}`;

/** The FHIR base URL a SMART tenant protects: configured, else `{issuer}/fhir`. */
export const fhirBaseOf = (publicUrl: string, tenant: Tenant): string => tenant.smartConfiguration?.fhirBaseUrl ?? `${issuerFor(publicUrl, tenant)}/fhir`;
