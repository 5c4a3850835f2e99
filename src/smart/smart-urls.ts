import { issuerUrl } from '../config/issuer-url.js';
import type { Tenant } from '../store/records.js';

/** The FHIR base URL a SMART tenant protects: configured, else `{issuer}/fhir`. */
export const fhirBaseOf = (publicUrl: string, tenant: Tenant): string => tenant.smartConfiguration?.fhirBaseUrl ?? `${issuerUrl(publicUrl, tenant)}/fhir`;
