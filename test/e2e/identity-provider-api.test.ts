import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

/** FusionAuth's documented request (json/identity-providers/external-jwt-request.json), unchanged. */
const FUSIONAUTH_EXAMPLE = {
  identityProvider: {
    claimMap: { first_name: 'firstName', last_name: 'lastName', dept: 'RegistrationData' },
    debug: false,
    defaultKeyId: '8b0f67e9-e0e7-4359-b6a5-ac66e02278ca',
    domains: ['acme.com', 'acme.org'],
    enabled: true,
    headerKeyParameter: 'kid',
    name: 'Acme Corp. ADFS',
    oauth2: {
      authorization_endpoint: 'https://acme.com/adfs/oauth2/authorize?client_id=cf3b00da-9551-460a-ad18-33232e6cbff0&response_type=code&redirect_uri=https://acme.com/oauth2/redirect',
      emailClaim: 'email',
      emailVerifiedClaim: 'email_verified',
      token_endpoint: 'https://acme.com/adfs/oauth2/token',
      uniqueIdClaim: 'sub',
      usernameClaim: 'preferred_username',
    },
    tenantConfiguration: { 'e872a880-b14f-6d62-c312-cb40f22af465': { limitUserLinkCount: { enabled: false, maximumLinks: 42 } } },
    type: 'ExternalJWT',
    uniqueIdentityClaim: 'email',
    verificationKeyIds: ['8b0f67e9-e0e7-4359-b6a5-ac66e02278ca', '22b254ee-a258-447c-b42c-28d0dec1e9bf'],
  },
};

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

for (const kind of selectedKinds()) {
  describe(`identity provider API (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let providerId: string;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      // What the example refers to: two Key Master keys and a tenant.
      for (const [id, name] of [['8b0f67e9-e0e7-4359-b6a5-ac66e02278ca', 'acme-1'], ['22b254ee-a258-447c-b42c-28d0dec1e9bf', 'acme-2']]) {
        assert.equal((await server.api('POST', `/api/key/import/${id}`, { key: { name, publicKey: pem() } })).status, 200);
      }
      assert.equal((await server.api('POST', '/api/tenant/e872a880-b14f-6d62-c312-cb40f22af465', { tenant: { name: 'Acme' } })).status, 200);
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it("accepts FusionAuth's documented example as it is, and answers in FusionAuth's shape", async () => {
      const reply = await server.api('POST', '/api/identity-provider', FUSIONAUTH_EXAMPLE);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const provider = reply.body.identityProvider;
      providerId = provider.id;
      assert.equal(provider.type, 'ExternalJWT');
      assert.equal(provider.defaultKeyId, '8b0f67e9-e0e7-4359-b6a5-ac66e02278ca');
      assert.deepEqual(provider.domains, ['acme.com', 'acme.org']);
      assert.equal(provider.linkingStrategy, 'LinkByEmail', 'FusionAuth default');
      assert.equal(provider.source, 'System');
      assert.equal(provider.uniqueIdentityClaim, 'email');
      assert.deepEqual(provider.claimMap, FUSIONAUTH_EXAMPLE.identityProvider.claimMap);
      assert.ok(provider.allowedAlgorithms.includes('ES256') && !provider.allowedAlgorithms.some((a: string) => a === 'none' || a.startsWith('HS')));
      const fetched = await server.api('GET', `/api/identity-provider/${providerId}`);
      assert.deepEqual(fetched.body.identityProvider, provider);
      assert.equal((await server.api('GET', '/api/identity-provider')).body.identityProviders.length, 1);
      assert.equal((await server.api('POST', '/api/identity-provider/search', { search: { name: 'acme' } })).body.total, 1);
    });

    it('validates every field and the objects it names', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'x', headerKeyParameter: 'kid' }, 'identityProvider.verificationKeyIds'],
        [{ name: 'x', headerKeyParameter: 'kid', verificationKeyIds: ['00000000-0000-4000-8000-00000000ffff'] }, 'identityProvider.verificationKeyIds'],
        [{ name: 'x', keys: { k1: pem() } }, 'identityProvider.headerKeyParameter'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: 'not a key' } }, 'identityProvider.keys.k1'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: pem() }, linkingStrategy: 'LinkByMagic' }, 'identityProvider.linkingStrategy'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: pem() }, claimMap: { given_name: 'nickname' } }, 'identityProvider.claimMap.given_name'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: pem() }, allowedAlgorithms: ['HS256'] }, 'identityProvider.allowedAlgorithms'],
        [{ name: 'x', headerKeyParameter: 'kid', jwksUri: 'ftp://idp.example/jwks' }, 'identityProvider.jwksUri'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: pem() }, lambdaConfiguration: { reconcileId: '00000000-0000-4000-8000-00000000ffff' } }, 'identityProvider.lambdaConfiguration.reconcileId'],
        [{ name: 'x', headerKeyParameter: 'kid', keys: { k1: pem() }, applicationConfiguration: { '00000000-0000-4000-8000-00000000ffff': { enabled: true } } }, 'identityProvider.applicationConfiguration.00000000-0000-4000-8000-00000000ffff'],
        [{ name: 'x', type: 'OpenIDConnect', headerKeyParameter: 'kid', keys: { k1: pem() } }, 'identityProvider.type'],
        [{ name: 'Acme Corp. ADFS', headerKeyParameter: 'kid', keys: { k1: pem() } }, 'identityProvider.name'],
        [{ name: 'x', headerKeyParameter: 'kid', defaultKeyId: '22b254ee-a258-447c-b42c-28d0dec1e9bf', verificationKeyIds: ['8b0f67e9-e0e7-4359-b6a5-ac66e02278ca'] }, 'identityProvider.defaultKeyId'],
      ];
      for (const [identityProvider, field] of cases) {
        const reply = await server.api('POST', '/api/identity-provider', { identityProvider });
        assert.equal(reply.status, 400, JSON.stringify(identityProvider));
        assert.ok(reply.body.fieldErrors?.[field], `${field}: ${JSON.stringify(reply.body)}`);
      }
      const missing = await server.api('POST', '/api/identity-provider', { name: 'flat' });
      assert.equal(missing.body.fieldErrors.identityProvider[0].code, '[missing]identityProvider');
    });

    it('refuses a verification key Gatehouse holds the private part of (FusionAuth #2585)', async () => {
      const generated = await server.api('POST', '/api/key/generate', { key: { name: `own-${Date.now()}`, algorithm: 'ES256' } });
      assert.equal(generated.status, 200, JSON.stringify(generated.body));
      const reply = await server.api('POST', '/api/identity-provider', { identityProvider: { name: 'mirror', headerKeyParameter: 'kid', verificationKeyIds: [generated.body.key.id] } });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.fieldErrors['identityProvider.verificationKeyIds'][0].code, '[notAllowed]identityProvider.verificationKeyIds');
    });

    it('accepts Gatehouse additions: a JWKS URL, issuer, audiences and limits', async () => {
      const reply = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          name: 'mimoto TU',
          headerKeyParameter: 'kid',
          jwksUri: 'https://mimoto-test.pie.azuma-health.tech/.well-known/jwks',
          issuer: 'https://mimoto-test.pie.azuma-health.tech/',
          audiences: ['11186bbc-c07d-48ec-8ce5-8a9839e0ba0e'],
          allowedAlgorithms: ['ES256', 'RS256'],
          clockSkewSeconds: 5,
          maximumTokenAgeSeconds: 600,
          oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.identityProvider.oauth2.usernameClaim, 'preferred_username');
      assert.equal(reply.body.identityProvider.maximumTokenAgeSeconds, 600);
    });

    it('the linking strategy changes only while disabled; tenant and type never', async () => {
      const refused = await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { linkingStrategy: 'CreatePendingLink' } });
      assert.equal(refused.body.fieldErrors['identityProvider.linkingStrategy'][0].code, '[notAllowed]identityProvider.linkingStrategy');
      assert.equal((await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { enabled: false } })).status, 200);
      const changed = await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { linkingStrategy: 'CreatePendingLink' } });
      assert.equal(changed.body.identityProvider.linkingStrategy, 'CreatePendingLink');
      assert.deepEqual(changed.body.identityProvider.domains, ['acme.com', 'acme.org'], 'PATCH keeps the rest');
      const tenant = await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { tenantId: 'e872a880-b14f-6d62-c312-cb40f22af465' } });
      assert.equal(tenant.body.fieldErrors['identityProvider.tenantId'][0].code, '[notAllowed]identityProvider.tenantId');
    });

    it('is for global API keys; DELETE removes it', async () => {
      const scoped = await server.api('POST', '/api/api-key', { apiKey: { tenantId: 'e872a880-b14f-6d62-c312-cb40f22af465' } });
      assert.equal((await fetch(`${server.url}/api/identity-provider`, { headers: { authorization: scoped.body.apiKey.key } })).status, 401);
      assert.equal((await server.api('DELETE', `/api/identity-provider/${providerId}`)).status, 200);
      assert.equal((await server.api('GET', `/api/identity-provider/${providerId}`)).status, 404);
    });
  });
}

describe('identity providers in kickstart', () => {
  it('creates a provider that names a key, an application and a lambda from the same file, idempotently', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const db = await createTestDatabase(selectedKinds()[0]);
    const file = join(db.dataDir, 'kickstart.json');
    const ids = { key: '6d2c1a10-0000-4000-8000-0000000000d1', tenant: '6d2c1a10-0000-4000-8000-0000000000d2', app: '6d2c1a10-0000-4000-8000-0000000000d3', lambda: '6d2c1a10-0000-4000-8000-0000000000d4', idp: '6d2c1a10-0000-4000-8000-0000000000d5' };
    writeFileSync(
      file,
      JSON.stringify({
        keys: [{ id: ids.key, name: 'mimoto key', publicKey: pem() }],
        lambdas: [{ id: ids.lambda, name: 'mimoto reconcile', type: 'ExternalJWTReconcile', body: 'function reconcile(user, registration, jwt) { user.data = { kvnr: jwt["urn:telematik:claims:id"] }; }' }],
        tenants: [{ id: ids.tenant, name: 'Health app', applications: [{ id: ids.app, name: 'App' }] }],
        identityProviders: [
          {
            id: ids.idp,
            name: 'mimoto',
            headerKeyParameter: 'kid',
            verificationKeyIds: [ids.key],
            lambdaConfiguration: { reconcileId: ids.lambda },
            applicationConfiguration: { [ids.app]: { enabled: true, createRegistration: true } },
            oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
          },
        ],
      }),
    );
    let server = await startTestServer(db, { config: { kickstart: file } });
    try {
      assert.ok(server.gatehouse.kickstart?.created.includes(`identityProvider ${ids.idp}`));
      const port = Number(new URL(server.url).port);
      await server.close();
      server = await startTestServer(db, { port, apiKey: server.apiKey, config: { kickstart: file } });
      assert.ok(server.gatehouse.kickstart?.updated.includes(`identityProvider ${ids.idp}`));
      const provider = (await server.api('GET', `/api/identity-provider/${ids.idp}`)).body.identityProvider;
      assert.equal(provider.applicationConfiguration[ids.app].enabled, true);
      assert.equal(provider.lambdaConfiguration.reconcileId, ids.lambda);
    } finally {
      await server.close();
      await db.drop();
    }
  });
});
