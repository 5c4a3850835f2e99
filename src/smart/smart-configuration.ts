import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import type { Tenant } from '../store/records.js';
import { issuerUrl } from '../config/issuer-url.js';
import { fhirBaseOf } from './smart-urls.js';

/**
 * SMART App Launch v2 `.well-known/smart-configuration` for a SMART tenant (Koppeltaal
 * TOP-KT-016). It states what this server does: Backend Services with asymmetric (and
 * symmetric) client authentication, v2 permissions, and a standalone launch through the
 * authorization-code flow (GET or POST, PKCE S256, public clients allowed) whose login is
 * brokered to an upstream OpenID provider. No EHR launch (`launch` context) and no `fhirUser`.
 */
export function smartConfiguration(publicUrl: string, tenant: Tenant, grantTypes: string[]): Record<string, unknown> {
  const issuer = issuerUrl(publicUrl, tenant);
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', ...ASYMMETRIC_ALGORITHMS.filter((a) => a !== 'RS384' && a !== 'ES384')],
    scopes_supported: ['system/*.cruds', 'system/*.cruds?resource-origin=', 'openid', 'offline_access'],
    response_types_supported: ['code'],
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    capabilities: ['launch-standalone', 'authorize-post', 'client-public', 'client-confidential-asymmetric', 'client-confidential-symmetric', 'permission-v2'],
    code_challenge_methods_supported: ['S256'],
  };
}

/** A minimal FHIR R4 CapabilityStatement naming the OAuth endpoints (SMART `oauth-uris`). */
export function capabilityStatement(publicUrl: string, tenant: Tenant): Record<string, unknown> {
  const issuer = issuerUrl(publicUrl, tenant);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date(tenant.lastUpdateInstant).toISOString(),
    kind: 'instance',
    software: { name: 'Gatehouse' },
    implementation: { description: `Authorization for ${tenant.name}`, url: fhirBaseOf(publicUrl, tenant) },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: `${issuer}/oauth2/authorize` },
                { url: 'token', valueUri: `${issuer}/oauth2/token` },
                { url: 'introspect', valueUri: `${issuer}/oauth2/introspect` },
                { url: 'revoke', valueUri: `${issuer}/oauth2/revoke` },
              ],
            },
          ],
        },
      },
    ],
  };
}
