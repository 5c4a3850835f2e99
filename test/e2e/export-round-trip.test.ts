import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { exportKickstart, renderExport } from '../../src/kickstart/export.js';
import { sha256 } from '../../src/lib/hash.js';
import { clientKey, jwks } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const DEFAULT_TENANT = '00000000-0000-4000-8000-000000000001';
const UPSTREAM_SECRET = 'upstream-client-secret-of-the-round-trip-test-0001';
const POST_SECRET = 'client-secret-post-of-the-round-trip-test-000000001';
const TENANT_API_KEY = 'tenant-api-key-of-the-round-trip-test-00000000000001';
/** A lambda body kickstart would read as variables, were the export not to escape it. */
const LAMBDA_BODY = 'function reconcile(user, registration, jwt) {\n  user.data.origin = `${jwt.iss}`;\n  user.data.literal = "$${kept}";\n}';

const ok = (reply: { status: number; body: unknown }) => {
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** A configuration with one of everything the export writes; returns the secrets it was given or shown. */
async function buildConfiguration(server: TestServer): Promise<{ secrets: string[]; variables: Record<string, string>; providerId: string; pairId: string; consoleApplicationId: string }> {
  const tenant = ok(await server.api('POST', '/api/tenant', { tenant: { name: 'Domein Zorgafnemer', slug: 'domein', jwtConfiguration: { timeToLiveInSeconds: 300, signingAlgorithm: 'ES384', accessTokenType: 'at+jwt' }, smartConfiguration: { enabled: true, accessTokenAudience: 'fhir-server' }, data: { region: 'nl' } } })).tenant;
  const T = { 'x-fusionauth-tenantid': tenant.id };
  const D = { 'x-fusionauth-tenantid': DEFAULT_TENANT };
  const moduleKey = await clientKey('ES384', 'module-a-key');
  const portal = ok(await server.api('POST', '/api/application', { application: { name: 'Portal', oauthConfiguration: { clientId: 'portal-b', clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(moduleKey), enabledGrants: ['client_credentials'] } } }, T)).application;
  const role = ok(await server.api('POST', '/api/smart/role', { role: { name: 'eHealth Module', permissions: [{ resourceType: 'Patient', operations: ['read'], origin: 'all' }, { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [portal.id] }] } }, T)).role;
  ok(await server.api('POST', '/api/application', { application: { name: 'Module A', oauthConfiguration: { clientId: 'module-a', clientAuthenticationMethod: 'private_key_jwt', jwksUri: 'http://127.0.0.1:1/module-a/jwks.json', enabledGrants: ['client_credentials'] }, jwtConfiguration: { timeToLiveInSeconds: 300 }, smartConfiguration: { roleId: role.id, deviceId: 'module-a' } } }, T));
  const basic = ok(await server.api('POST', '/api/application', { application: { name: 'Reporting job', oauthConfiguration: { clientId: 'reporting-job', enabledGrants: ['client_credentials'], allowedScopes: ['reports.read'] } } }, D));
  ok(await server.api('POST', '/api/application', { application: { name: 'Batch', oauthConfiguration: { clientId: 'batch', clientSecret: POST_SECRET, clientAuthenticationMethod: 'client_secret_post', enabledGrants: ['client_credentials'] } } }, D));
  const mobile = ok(await server.api('POST', '/api/application', { application: { name: 'Patient app', roles: [{ name: 'patient', isDefault: true }], oauthConfiguration: { clientId: 'patient-app', clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'], authorizedRedirectURLs: ['com.example.app:/callback'] }, loginConfiguration: { generateRefreshTokens: true } } }, D)).application;

  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const upstreamKey = ok(await server.api('POST', '/api/key/import', { key: { name: 'Upstream signing key', kid: 'upstream-1', algorithm: 'ES256', publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() } })).key;
  ok(await server.api('POST', '/api/key/import', { key: { name: 'Partner certificate', certificate: readFileSync('test/fixtures/tls-test-cert.pem', 'utf8') } }));
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const imported = ok(await server.api('POST', '/api/key/import', { key: { name: 'Imported pair', privateKey: privatePem } })).key;
  ok(await server.api('POST', '/api/key/generate', { key: { name: 'Spare RSA key', algorithm: 'RS256', length: 2048 } }));

  const lambda = ok(await server.api('POST', '/api/lambda', { lambda: { name: 'Reconcile', type: 'ExternalJWTReconcile', body: LAMBDA_BODY, enabled: true } })).lambda;
  const provider = ok(await server.api('POST', '/api/identity-provider', {
    identityProvider: {
      type: 'ExternalJWT', name: 'Health-ID broker', enabled: true, headerKeyParameter: 'kid', verificationKeyIds: [upstreamKey.id], tenantId: DEFAULT_TENANT,
      issuer: 'http://127.0.0.1:1/', audiences: ['patient-app'], claimMap: { given_name: 'firstName', kvnr: 'UserData' }, lambdaConfiguration: { reconcileId: lambda.id },
      applicationConfiguration: { [mobile.id]: { enabled: true, createRegistration: true, allowPublicClients: true } }, linkingStrategy: 'LinkByEmail',
      oauth2: { client_id: 'gatehouse', client_secret: UPSTREAM_SECRET, clientAuthenticationMethod: 'client_secret_basic', authorization_endpoint: 'http://127.0.0.1:1/authorize', token_endpoint: 'http://127.0.0.1:1/token', scope: 'openid email' },
    },
  })).identityProvider;
  ok(await server.api('POST', '/api/api-key', { apiKey: { key: TENANT_API_KEY, tenantId: tenant.id, metaData: { attributes: { description: 'Domein deploy key' } }, permissions: { endpoints: { '/api/application': ['GET'] } } } }));
  ok(await server.api('POST', '/api/user', { user: { email: 'admin@domein.example', firstName: 'Ada', data: { kvnr: 'X1' }, verified: true } }, T));
  // The tenant's console application: the tenant names one of its own applications, applied after it.
  const consoleApp = ok(await server.api('POST', '/api/application', { application: { name: 'Console', roles: [{ name: 'admin' }], oauthConfiguration: { clientId: 'domein-console', clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [`${server.publicUrl}/admin`] } } }, T)).application;
  ok(await server.api('PATCH', `/api/tenant/${tenant.id}`, { tenant: { adminConsoleApplicationId: consoleApp.id } }));

  const clientSecret = basic.application.oauthConfiguration.clientSecret as string;
  const storedUpstream = (await server.gatehouse.services.store.identityProviders.findById(provider.id))!.oauth2.client_secret!;
  const storedPrivate = (await server.gatehouse.services.store.keys.secrets(imported.id))!.privateKey!;
  const pemBody = privatePem.split('\n').filter((line) => line && !line.startsWith('-----'));
  const plain = [clientSecret, POST_SECRET, UPSTREAM_SECRET, TENANT_API_KEY, server.apiKey];
  return {
    secrets: [...plain, ...plain.map(sha256), storedUpstream, storedPrivate, ...pemBody],
    variables: {
      APP_BATCH_CLIENT_SECRET: POST_SECRET,
      APP_REPORTING_JOB_CLIENT_SECRET: clientSecret,
      IDP_HEALTH_ID_BROKER_CLIENT_SECRET: UPSTREAM_SECRET,
      API_KEY_DOMEIN_DEPLOY_KEY: TENANT_API_KEY,
    },
    providerId: provider.id,
    pairId: imported.id,
    consoleApplicationId: consoleApp.id,
  };
}

for (const kind of selectedKinds()) {
  describe(`export round trip (${kind})`, () => {
    it('an export applied to an empty database exports the same again, and holds no secret', async () => {
      const source = await createTestDatabase(kind);
      const target = await createTestDatabase(kind);
      // One public URL for both: the console application's redirect URL is {publicUrl}/admin.
      const publicUrl = 'https://gatehouse.example';
      const server = await startTestServer(source, { config: { publicUrl } });
      let next: TestServer | undefined;
      try {
        const built = await buildConfiguration(server);
        const exported = await exportKickstart(server.gatehouse.services.store, { users: true });
        const first = renderExport(exported, 'yaml');
        assert.deepEqual(exported.variables.map((v) => v.name).sort(), Object.keys(built.variables).sort());
        for (const secret of built.secrets) assert.equal(first.includes(secret), false, `the export holds a secret (${secret.slice(0, 12)}…)`);
        assert.equal(/PRIVATE KEY/.test(first), false);
        assert.match(first, /accessTokenType: at\+jwt/, 'the tenant\'s access-token typ is part of its configuration');
        const json = renderExport(exported, 'json');
        assert.deepEqual(JSON.parse(json), parseYaml(first), 'YAML and JSON hold the same document');

        const file = join(target.dataDir, 'export.yaml');
        writeFileSync(file, first);
        for (const [name, value] of Object.entries(built.variables)) process.env[name] = value;
        next = await startTestServer(target, { apiKey: server.apiKey, config: { kickstart: file, publicUrl } });
        const again = renderExport(await exportKickstart(next.gatehouse.services.store, { users: true }), 'yaml');
        assert.equal(again, first);
        assert.match(first, new RegExp(`adminConsoleApplicationId: ${built.consoleApplicationId}`), 'the tenant names its console application');
        assert.equal((await next.gatehouse.services.store.tenants.findById((await next.gatehouse.services.store.applications.findById(built.consoleApplicationId))!.tenantId))!.adminConsoleApplicationId, built.consoleApplicationId);

        // The configuration works, not only reads alike: secrets from the variables, the lambda's template literals kept.
        const token = await next.form('/t/default/oauth2/token', { grant_type: 'client_credentials', client_id: 'batch', client_secret: POST_SECRET });
        assert.equal(token.status, 200, JSON.stringify(token.body));
        const viaTenantKey = await fetch(`${next.url}/api/application`, { headers: { authorization: TENANT_API_KEY } });
        assert.equal(viaTenantKey.status, 200);
        const lambdas = ok(await next.api('GET', '/api/lambda')).lambdas as { body: string }[];
        assert.equal(lambdas[0].body, LAMBDA_BODY);
        const pair = ok(await next.api('GET', `/api/key/${built.pairId}`)).key;
        assert.equal(pair.hasPrivateKey, true, 'a key pair is generated anew, under the same id');
        assert.equal((await next.gatehouse.services.store.identityProviders.findById(built.providerId))!.oauth2.client_secret !== undefined, true);

        // Without its variables the file is refused before anything is written.
        delete process.env.APP_BATCH_CLIENT_SECRET;
        await assert.rejects(next.gatehouse.applyKickstart(parseYaml(first)), /environment variable APP_BATCH_CLIENT_SECRET is not set/);
      } finally {
        for (const name of ['APP_BATCH_CLIENT_SECRET', 'APP_REPORTING_JOB_CLIENT_SECRET', 'IDP_HEALTH_ID_BROKER_CLIENT_SECRET', 'API_KEY_DOMEIN_DEPLOY_KEY']) delete process.env[name];
        await next?.close();
        await server.close();
        await source.drop();
        await target.drop();
      }
    });

    it('--tenant exports one tenant with its own providers and API keys, and the keys and lambdas they use', async () => {
      const db = await createTestDatabase(kind);
      const server = await startTestServer(db);
      try {
        await buildConfiguration(server);
        const { document } = await exportKickstart(server.gatehouse.services.store, { tenantSlug: 'domein' });
        assert.deepEqual((document.tenants as { slug: string }[]).map((t) => t.slug), ['domein']);
        assert.equal((document.tenants as { users?: unknown }[])[0].users, undefined, 'users only with --users');
        assert.equal(document.identityProviders, undefined, 'the provider belongs to the default tenant');
        assert.equal(document.keys, undefined);
        assert.deepEqual((document.apiKeys as { key: string }[]).map((k) => k.key), ['${API_KEY_DOMEIN_DEPLOY_KEY}']);
        const everything = await exportKickstart(server.gatehouse.services.store, { tenantSlug: 'default' });
        assert.deepEqual((everything.document.keys as { name: string }[]).map((k) => k.name), ['Upstream signing key']);
        assert.deepEqual((everything.document.lambdas as { name: string }[]).map((l) => l.name), ['Reconcile']);
        await assert.rejects(exportKickstart(server.gatehouse.services.store, { tenantSlug: 'nowhere' }), /no tenant with slug nowhere/);
      } finally {
        await server.close();
        await db.drop();
      }
    });
  });
}
