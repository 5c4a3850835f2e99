import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { clientKey, jwks } from './client-keys.js';
import type { ClientKey } from './client-keys.js';
import { createTestDatabase } from './databases.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { createApplication, DEFAULT_TENANT, DEFAULT_TENANT_ID } from './fixtures.js';
import { startDocumentServer } from './jwks-server.js';
import type { DocumentServer } from './jwks-server.js';
import type { GatehouseConfig } from '../../src/config/options.js';
import { startTestServer } from './test-server.js';
import type { Reply, TestServer } from './test-server.js';

export const MIMOTO_ISSUER = 'https://mimoto-test.pie.azuma-health.tech/';
export const MIMOTO_CLIENT = '11186bbc-c07d-48ec-8ce5-8a9839e0ba0e';

/**
 * A running Gatehouse, an external issuer whose JWKS is served over HTTP, and an application
 * with roles and refresh tokens: what every External JWT login test starts from.
 */
export interface IdpWorld {
  db: TestDatabase;
  server: TestServer;
  documents: DocumentServer;
  issuerKey: ClientKey;
  jwksUri: string;
  application: { id: string; oauthConfiguration: { clientId: string; clientSecret?: string } };
  /** Creates a provider for the application (JWKS URL, issuer, audience) with the given fields. */
  provider(fields?: Record<string, unknown>): Promise<string>;
  lambda(body: string, fields?: Record<string, unknown>): Promise<string>;
  /** A mimoto-style ID token with fresh times; `undefined` values drop a claim. */
  idToken(claims?: Record<string, unknown>, key?: ClientKey): Promise<string>;
  login(identityProviderId: string, token: string, extra?: Record<string, unknown>): Promise<Reply>;
  /** Verifies a Gatehouse access token against the tenant's published JWKS (jose). */
  verifyAccessToken(token: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startIdpWorld(kind: DatabaseKind, applicationFields: Record<string, unknown> = {}, config: Partial<GatehouseConfig> = {}): Promise<IdpWorld> {
  const db = await createTestDatabase(kind);
  const documents = await startDocumentServer();
  const server = await startTestServer(db, { config });
  const issuerKey = await clientKey('ES256');
  documents.set('/mimoto/.well-known/jwks', jwks(issuerKey));
  const jwksUri = `${documents.baseUrl}/mimoto/.well-known/jwks`;
  const application = await createApplication(server, {
    name: `app-${randomUUID()}`,
    roles: [
      { name: 'patient', isDefault: true },
      { name: 'admin', isDefault: false },
    ],
    loginConfiguration: { generateRefreshTokens: true },
    ...applicationFields,
  });
  const tenantJwks = createRemoteJWKSet(new URL(`${server.url}/t/${DEFAULT_TENANT}/.well-known/jwks.json`));
  let sequence = 0;
  const world: IdpWorld = {
    db,
    server,
    documents,
    issuerKey,
    jwksUri,
    application,
    async provider(fields = {}) {
      const reply = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT',
          name: `mimoto-${randomUUID()}`,
          enabled: true,
          headerKeyParameter: 'kid',
          jwksUri,
          issuer: MIMOTO_ISSUER,
          audiences: [MIMOTO_CLIENT],
          oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
          applicationConfiguration: { [application.id]: { enabled: true, createRegistration: true } },
          ...fields,
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.identityProvider.id as string;
    },
    async lambda(body, fields = {}) {
      const reply = await server.api('POST', '/api/lambda', { lambda: { name: `reconcile-${randomUUID()}`, type: 'ExternalJWTReconcile', body, ...fields } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.lambda.id as string;
    },
    async idToken(claims = {}, key = issuerKey) {
      const now = Math.floor(Date.now() / 1000);
      sequence += 1;
      const payload: Record<string, unknown> = {
        iss: MIMOTO_ISSUER,
        aud: MIMOTO_CLIENT,
        sub: randomUUID(),
        iat: now,
        exp: now + 600,
        acr: 'gematik-ehealth-loa-high',
        'urn:telematik:claims:id': 'X110411675',
        'urn:telematik:claims:email': `patient-${sequence}-${randomUUID().slice(0, 8)}@example.de`,
        'urn:telematik:claims:given_name': 'Darius',
        'urn:telematik:claims:family_name': 'Boedefeld',
        'urn:telematik:claims:display_name': 'Darius Michael Boedefeld',
        birthdate: '1973-09-01',
        'ext-mimoto-original-sub-unique': `X11041167${sequence}-${randomUUID().slice(0, 10)}`,
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    },
    login(identityProviderId, token, extra = {}) {
      return server.api('POST', '/api/identity-provider/login', { applicationId: application.id, identityProviderId, encodedJWT: token, ...extra }, { authorization: '' });
    },
    async verifyAccessToken(token) {
      const { payload } = await jwtVerify(token, tenantJwks, { issuer: `${server.publicUrl}/t/${DEFAULT_TENANT}` });
      return payload as Record<string, unknown>;
    },
    async close() {
      await server.close();
      await documents.close();
      await db.drop();
    },
  };
  return world;
}

export { DEFAULT_TENANT_ID };
