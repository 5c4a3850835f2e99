import { BENCH_IDP_AUDIENCE, BENCH_IDP_ISSUER, BENCH_LAMBDA } from './id-tokens.js';

const TENANT_ID = 'b0000000-0000-4000-8000-000000000001';
const APP_ID = 'b0000000-0000-4000-8000-000000000002';
const KT_TENANT_ID = 'b0000000-0000-4000-8000-000000000011';
const KT_ROLE_ID = 'b0000000-0000-4000-8000-000000000012';
const KT_APP_ID = 'b0000000-0000-4000-8000-000000000013';
const KT_OTHER_APP_ID = 'b0000000-0000-4000-8000-000000000014';
export const PATIENT_APP_ID = 'b0000000-0000-4000-8000-000000000021';
const LAMBDA_ID = 'b0000000-0000-4000-8000-000000000022';
export const IDP_ID = 'b0000000-0000-4000-8000-000000000023';
/** A Koppeltaal role of ten permissions: all, own and granted origins. */
const KOPPELTAAL_PERMISSIONS = [
  { resourceType: 'Patient', operations: ['read'], origin: 'all' },
  { resourceType: 'Practitioner', operations: ['read'], origin: 'all' },
  { resourceType: 'Organization', operations: ['read'], origin: 'all' },
  { resourceType: 'ActivityDefinition', operations: ['create', 'read', 'update', 'delete'], origin: 'own' },
  { resourceType: 'ActivityDefinition', operations: ['read'], origin: 'all' },
  { resourceType: 'Task', operations: ['create', 'read', 'update'], origin: 'own' },
  { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [KT_OTHER_APP_ID] },
  { resourceType: 'Endpoint', operations: ['create', 'read', 'update'], origin: 'own' },
  { resourceType: 'CareTeam', operations: ['read'], origin: 'all' },
  { resourceType: 'AuditEvent', operations: ['create'], origin: 'own' },
];

/**
 * The bench's kickstart document: a private_key_jwt client (JWKS URL) on a plain tenant, a
 * Koppeltaal tenant with a role of ten permissions, and an External JWT provider (JWKS URL,
 * reconcile lambda unless BENCH_NO_LAMBDA) for a patient app with refresh tokens.
 */
export function benchKickstart(jwksUri: string, idpJwksUri: string): Record<string, unknown> {
  return {
    tenants: [
      {
        id: TENANT_ID,
        name: 'Bench',
        slug: 'bench',
        jwtConfiguration: { timeToLiveInSeconds: 300 },
        applications: [
          {
            id: APP_ID,
            name: 'bench client',
            oauthConfiguration: { clientId: 'bench-client', clientAuthenticationMethod: 'private_key_jwt', jwksUri, enabledGrants: ['client_credentials'], allowedScopes: ['system/*.rs'] },
          },
          {
            id: PATIENT_APP_ID,
            name: 'patient app',
            roles: [{ name: 'patient', isDefault: true }],
            loginConfiguration: { generateRefreshTokens: true },
            oauthConfiguration: { clientId: 'patient-app', clientAuthenticationMethod: 'none', enabledGrants: [] },
          },
        ],
      },
      {
        id: KT_TENANT_ID,
        name: 'Koppeltaal domain',
        slug: 'koppeltaal',
        smartConfiguration: { enabled: true, accessTokenAudience: 'fhir-server' },
        roles: [{ id: KT_ROLE_ID, name: 'eHealth module', permissions: KOPPELTAAL_PERMISSIONS }],
        applications: [
          { id: KT_OTHER_APP_ID, name: 'portal', oauthConfiguration: { clientId: 'portal', clientAuthenticationMethod: 'private_key_jwt', jwksUri, enabledGrants: ['client_credentials'] } },
          {
            id: KT_APP_ID,
            name: 'module',
            oauthConfiguration: { clientId: 'kt-module', clientAuthenticationMethod: 'private_key_jwt', jwksUri, enabledGrants: ['client_credentials'] },
            smartConfiguration: { roleId: KT_ROLE_ID },
          },
        ],
      },
    ],
    lambdas: [{ id: LAMBDA_ID, name: 'mimoto reconcile', type: 'ExternalJWTReconcile', body: BENCH_LAMBDA }],
    identityProviders: [
      {
        id: IDP_ID,
        type: 'ExternalJWT',
        name: 'mimoto',
        enabled: true,
        headerKeyParameter: 'kid',
        jwksUri: idpJwksUri,
        issuer: BENCH_IDP_ISSUER,
        audiences: [BENCH_IDP_AUDIENCE],
        oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
        ...(process.env.BENCH_NO_LAMBDA ? {} : { lambdaConfiguration: { reconcileId: LAMBDA_ID } }),
        applicationConfiguration: { [PATIENT_APP_ID]: { enabled: true, createRegistration: true } },
      },
    ],
  };
}
