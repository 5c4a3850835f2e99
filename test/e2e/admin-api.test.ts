import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const T = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

for (const kind of selectedKinds()) {
  describe(`admin API (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    describe('authentication', () => {
      it('refuses a missing or unknown API key with 401 and an empty body', async () => {
        for (const headers of [{ authorization: '' }, { authorization: 'not-a-key-at-all-but-long-enough' }]) {
          const response = await fetch(`${server.url}/api/tenant`, { headers });
          assert.equal(response.status, 401);
          assert.equal(await response.text(), '');
        }
      });

      it('a key limited to endpoints and methods gets only those', async () => {
        const created = await server.api('POST', '/api/api-key', { apiKey: { permissions: { endpoints: { '/api/user': ['GET'] } } } });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        const limited = created.body.apiKey.key as string;
        assert.ok(limited.length >= 32);
        const get = await fetch(`${server.url}/api/user?email=nobody@example.org`, { headers: { authorization: limited } });
        assert.equal(get.status, 404);
        const post = await fetch(`${server.url}/api/user`, { method: 'POST', headers: { authorization: limited, 'content-type': 'application/json' }, body: '{"user":{"email":"x@example.org"}}' });
        assert.equal(post.status, 401);
        const tenants = await fetch(`${server.url}/api/tenant`, { headers: { authorization: limited } });
        assert.equal(tenants.status, 401);
        const keys = await fetch(`${server.url}/api/api-key`, { headers: { authorization: limited } });
        assert.equal(keys.status, 401);
      });

      it('API keys are stored hashed and shown only at creation', async () => {
        const created = await server.api('POST', '/api/api-key', { apiKey: { metaData: { attributes: { description: 'ci' } } } });
        const id = created.body.apiKey.id;
        const fetched = await server.api('GET', `/api/api-key/${id}`);
        assert.equal(fetched.status, 200);
        assert.equal('key' in fetched.body.apiKey, false);
        assert.equal(fetched.body.apiKey.metaData.attributes.description, 'ci');
        const rows = await server.gatehouse.services.store.db.selectFrom('api_keys').select('key_hash').execute();
        assert.ok(rows.every((r) => r.key_hash !== created.body.apiKey.key));
        const short = await server.api('POST', '/api/api-key', { apiKey: { key: 'short' } });
        assert.equal(short.status, 400);
        assert.equal(short.body.fieldErrors['apiKey.key'][0].code, '[invalid]apiKey.key');
        const self = await server.api('GET', '/api/api-key');
        const selfId = self.body.apiKeys.find((k: { metaData: { attributes: { description?: string } } }) => k.metaData.attributes.description?.startsWith('Bootstrap')).id;
        const deleteSelf = await server.api('DELETE', `/api/api-key/${selfId}`);
        assert.equal(deleteSelf.status, 400);
      });
    });

    describe('tenants', () => {
      let tenantId: string;

      it('creates a tenant with a derived slug and its own signing key', async () => {
        const reply = await server.api('POST', '/api/tenant', { tenant: { name: 'Domein Zorgafnemer' } });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        tenantId = reply.body.tenant.id;
        assert.equal(reply.body.tenant.slug, 'domein-zorgafnemer');
        assert.equal(reply.body.tenant.jwtConfiguration.signingAlgorithm, 'ES256');
        assert.ok(reply.body.tenant.jwtConfiguration.accessTokenKeyId);
        const jwks = (await (await fetch(`${server.url}/t/domein-zorgafnemer/.well-known/jwks.json`)).json()) as { keys: unknown[] };
        assert.equal(jwks.keys.length, 1);
      });

      it('rejects duplicates and bad fields with FusionAuth field errors', async () => {
        const duplicate = await server.api('POST', '/api/tenant', { tenant: { name: 'Domein Zorgafnemer' } });
        assert.equal(duplicate.status, 400);
        assert.equal(duplicate.body.fieldErrors['tenant.name'][0].code, '[duplicate]tenant.name');
        assert.equal(duplicate.body.fieldErrors['tenant.slug'][0].code, '[duplicate]tenant.slug');
        const bad = await server.api('POST', '/api/tenant', { tenant: { name: '', slug: 'Not Valid', jwtConfiguration: { signingAlgorithm: 'HS256', timeToLiveInSeconds: 0 } } });
        assert.equal(bad.status, 400);
        assert.deepEqual(Object.keys(bad.body.fieldErrors).sort(), ['tenant.jwtConfiguration.signingAlgorithm', 'tenant.jwtConfiguration.timeToLiveInSeconds', 'tenant.name', 'tenant.slug']);
        const unwrapped = await server.api('POST', '/api/tenant', { name: 'no wrapper' });
        assert.equal(unwrapped.status, 400);
        assert.equal(unwrapped.body.fieldErrors.tenant[0].code, '[missing]tenant');
        const notJson = await server.api('POST', '/api/tenant', '{"tenant":');
        assert.equal(notJson.status, 400);
        assert.equal(notJson.body.generalErrors[0].code, '[GH_INVALID_JSON]');
      });

      it('PATCH merges, PUT replaces, GET lists, unknown ids are 404', async () => {
        const patched = await server.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { data: { region: 'nl' } } });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        assert.equal(patched.body.tenant.slug, 'domein-zorgafnemer');
        assert.deepEqual(patched.body.tenant.data, { region: 'nl' });
        const list = await server.api('GET', '/api/tenant');
        assert.ok(list.body.tenants.some((t: { id: string }) => t.id === tenantId));
        assert.equal((await server.api('GET', '/api/tenant/00000000-0000-4000-8000-00000000ffff')).status, 404);
        assert.equal((await server.api('GET', '/api/tenant/not-a-uuid')).status, 404);
      });

      it('with several tenants /api needs the tenant header; unknown or mismatched tenants are 400', async () => {
        const noHeader = await server.api('GET', '/api/application');
        assert.equal(noHeader.status, 400);
        assert.equal(noHeader.body.generalErrors[0].code, '[TenantIdRequired]');
        const unknown = await server.api('GET', '/api/application', undefined, { 'x-fusionauth-tenantid': '00000000-0000-4000-8000-00000000ffff' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.generalErrors[0].code, '[InvalidTenantId]');
        const mismatch = await server.api('GET', '/api/application', undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID, 'x-tenant-id': tenantId });
        assert.equal(mismatch.status, 400);
        const viaAlias = await server.api('GET', '/api/application', undefined, { 'x-tenant-id': tenantId });
        assert.equal(viaAlias.status, 200);
      });

      it('a tenant-scoped key sees only its tenant and cannot manage tenants or keys', async () => {
        const created = await server.api('POST', '/api/api-key', { apiKey: { tenantId } });
        const scoped = created.body.apiKey.key as string;
        const own = await fetch(`${server.url}/api/application`, { headers: { authorization: scoped } });
        assert.equal(own.status, 200);
        const other = await fetch(`${server.url}/api/application`, { headers: { authorization: scoped, 'x-fusionauth-tenantid': DEFAULT_TENANT_ID } });
        assert.equal(other.status, 401);
        const createTenant = await fetch(`${server.url}/api/tenant`, { method: 'POST', headers: { authorization: scoped, 'content-type': 'application/json' }, body: '{"tenant":{"name":"x"}}' });
        assert.equal(createTenant.status, 401);
        const keys = await fetch(`${server.url}/api/key`, { headers: { authorization: scoped } });
        assert.equal(keys.status, 401);
      });

      it('DELETE removes the tenant with its applications', async () => {
        const created = await server.api('POST', '/api/tenant', { tenant: { name: 'Temporary' } });
        const id = created.body.tenant.id;
        await server.api('POST', '/api/application', { application: { name: 'tmp' } }, { 'x-fusionauth-tenantid': id });
        assert.equal((await server.api('DELETE', `/api/tenant/${id}`)).status, 200);
        assert.equal((await server.api('GET', `/api/tenant/${id}`)).status, 404);
        assert.equal((await fetch(`${server.url}/t/temporary/.well-known/jwks.json`)).status, 404);
      });
    });

    describe('applications', () => {
      it('creates an OAuth client with a generated secret shown once and stored hashed', async () => {
        const reply = await server.api('POST', '/api/application', { application: { name: 'Portal', roles: [{ name: 'admin' }, { name: 'user', isDefault: true }] } }, T);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        const app = reply.body.application;
        assert.equal(app.oauthConfiguration.clientId, app.id);
        assert.equal(app.oauthConfiguration.clientAuthenticationMethod, 'client_secret_basic');
        assert.ok(app.oauthConfiguration.clientSecret.length >= 40);
        assert.equal(app.roles.length, 2);
        const fetched = await server.api('GET', `/api/application/${app.id}`, undefined, T);
        assert.equal('clientSecret' in fetched.body.application.oauthConfiguration, false);
        const updated = await server.api('PATCH', `/api/application/${app.id}`, { application: { name: 'Portal 2' } }, T);
        assert.equal(updated.body.application.name, 'Portal 2');
        assert.equal('clientSecret' in updated.body.application.oauthConfiguration, false, 'no new secret on update');
      });

      it('validates client configuration', async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ clientAuthenticationMethod: 'private_key_jwt' }, 'application.oauthConfiguration.jwksUri'],
          [{ clientAuthenticationMethod: 'private_key_jwt', jwksUri: 'https://a.example/jwks', jwks: { keys: [] } }, 'application.oauthConfiguration.jwksUri'],
          [{ clientAuthenticationMethod: 'private_key_jwt', jwksUri: 'ftp://a.example/jwks' }, 'application.oauthConfiguration.jwksUri'],
          [{ clientAuthenticationMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'abc' }] } }, 'application.oauthConfiguration.jwks'],
          [{ clientAuthenticationMethod: 'none', enabledGrants: ['client_credentials'] }, 'application.oauthConfiguration.enabledGrants'],
          [{ enabledGrants: ['password'] }, 'application.oauthConfiguration.enabledGrants'],
          [{ clientAuthenticationMethod: 'magic' }, 'application.oauthConfiguration.clientAuthenticationMethod'],
          [{ clientSecret: 'too-short' }, 'application.oauthConfiguration.clientSecret'],
          [{ clientId: 'has space' }, 'application.oauthConfiguration.clientId'],
        ];
        for (const [oauthConfiguration, field] of cases) {
          const reply = await server.api('POST', '/api/application', { application: { name: 'bad', oauthConfiguration } }, T);
          assert.equal(reply.status, 400, JSON.stringify(oauthConfiguration));
          assert.ok(reply.body.fieldErrors[field], `${field} for ${JSON.stringify(oauthConfiguration)}: ${JSON.stringify(reply.body)}`);
        }
        const first = await server.api('POST', '/api/application', { application: { name: 'dup', oauthConfiguration: { clientId: 'dup-client' } } }, T);
        assert.equal(first.status, 200);
        const second = await server.api('POST', '/api/application', { application: { name: 'dup2', oauthConfiguration: { clientId: 'dup-client' } } }, T);
        assert.equal(second.body.fieldErrors['application.oauthConfiguration.clientId'][0].code, '[duplicate]application.oauthConfiguration.clientId');
      });

      it('nothing is half-written when validation fails', async () => {
        const before = (await server.api('GET', '/api/application', undefined, T)).body.applications.length;
        await server.api('POST', '/api/application', { application: { name: 'x', roles: [{ name: 'a' }, { name: 'a' }] } }, T);
        const after = (await server.api('GET', '/api/application', undefined, T)).body.applications.length;
        assert.equal(after, before);
      });
    });

    describe('users and registrations', () => {
      let applicationId: string;
      let userId: string;

      before(async () => {
        const app = await server.api('POST', '/api/application', { application: { name: 'Registrations', roles: [{ name: 'patient', isDefault: true }, { name: 'admin' }] } }, T);
        applicationId = app.body.application.id;
      });

      it('creates, finds and updates users', async () => {
        const reply = await server.api('POST', '/api/user', { user: { email: 'Darius@Example.org', firstName: 'Darius', birthDate: '1973-09-01', data: { kvnr: 'X110411675' } } }, T);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        userId = reply.body.user.id;
        const found = await server.api('GET', '/api/user?email=darius@example.org', undefined, T);
        assert.equal(found.body.user.id, userId);
        assert.deepEqual(found.body.user.registrations, []);
        const patched = await server.api('PATCH', `/api/user/${userId}`, { user: { lastName: 'Bödefeld' } }, T);
        assert.equal(patched.body.user.lastName, 'Bödefeld');
        assert.equal(patched.body.user.data.kvnr, 'X110411675');
      });

      it('refuses passwords, missing identifiers and duplicates', async () => {
        const password = await server.api('POST', '/api/user', { user: { email: 'p@example.org', password: 'secret' } }, T);
        assert.equal(password.body.fieldErrors['user.password'][0].code, '[notSupported]user.password');
        const empty = await server.api('POST', '/api/user', { user: {} }, T);
        assert.equal(empty.body.fieldErrors['user.email'][0].code, '[blank]user.email');
        const duplicate = await server.api('POST', '/api/user', { user: { email: 'darius@example.org' } }, T);
        assert.equal(duplicate.body.fieldErrors['user.email'][0].code, '[duplicate]user.email');
        const badDate = await server.api('POST', '/api/user', { user: { email: 'd@example.org', birthDate: '01.09.1973' } }, T);
        assert.equal(badDate.body.fieldErrors['user.birthDate'][0].code, '[invalid]user.birthDate');
      });

      it('registers with default roles, refuses unknown roles and double registration', async () => {
        const reply = await server.api('POST', `/api/user/registration/${userId}`, { registration: { applicationId } }, T);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.deepEqual(reply.body.registration.roles, ['patient']);
        assert.equal(reply.body.user.registrations.length, 1);
        const again = await server.api('POST', `/api/user/registration/${userId}`, { registration: { applicationId } }, T);
        assert.equal(again.status, 400);
        const unknownRole = await server.api('PUT', `/api/user/registration/${userId}`, { registration: { applicationId, roles: ['root'] } }, T);
        assert.equal(unknownRole.status, 400);
        const update = await server.api('PUT', `/api/user/registration/${userId}`, { registration: { applicationId, roles: ['admin'] } }, T);
        assert.deepEqual(update.body.registration.roles, ['admin']);
        const fetched = await server.api('GET', `/api/user/registration/${userId}/${applicationId}`, undefined, T);
        assert.deepEqual(fetched.body.registration.roles, ['admin']);
      });

      it('creates a user and registration in one call, or neither', async () => {
        const both = await server.api('POST', '/api/user/registration', { user: { email: 'combo@example.org' }, registration: { applicationId } }, T);
        assert.equal(both.status, 200, JSON.stringify(both.body));
        const neither = await server.api('POST', '/api/user/registration', { user: { email: 'half@example.org' }, registration: { applicationId: '00000000-0000-4000-8000-00000000ffff' } }, T);
        assert.equal(neither.status, 400);
        assert.equal((await server.api('GET', '/api/user?email=half@example.org', undefined, T)).status, 404, 'no half-written user');
      });

      it('deletes users with their registrations', async () => {
        assert.equal((await server.api('DELETE', `/api/user/${userId}`, undefined, T)).status, 200);
        assert.equal((await server.api('GET', `/api/user/${userId}`, undefined, T)).status, 404);
        assert.equal((await server.api('GET', `/api/user/registration/${userId}/${applicationId}`, undefined, T)).status, 404);
      });
    });

    describe('keys', () => {
      it('generates EC, RSA and Ed25519 keys and never returns private material', async () => {
        for (const [algorithm, type] of [['ES256', 'EC'], ['ES384', 'EC'], ['RS256', 'RSA'], ['Ed25519', 'OKP']]) {
          const reply = await server.api('POST', '/api/key/generate', { key: { algorithm, name: `gen ${algorithm}` } });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          assert.equal(reply.body.key.type, type);
          assert.equal(reply.body.key.hasPrivateKey, true);
          assert.match(reply.body.key.publicKey, /BEGIN PUBLIC KEY/);
          assert.equal(JSON.stringify(reply.body).includes('PRIVATE'), false);
        }
        const rows = await server.gatehouse.services.store.db.selectFrom('keys').select('private_key').execute();
        assert.ok(rows.every((r) => r.private_key === null || r.private_key.startsWith('v1.')), 'encrypted at rest');
        const bad = await server.api('POST', '/api/key/generate', { key: { algorithm: 'HS256', name: 'hmac' } });
        assert.equal(bad.body.fieldErrors['key.algorithm'][0].code, '[invalid]key.algorithm');
        const weak = await server.api('POST', '/api/key/generate', { key: { algorithm: 'RS256', name: 'weak', length: 1024 } });
        assert.equal(weak.body.fieldErrors['key.length'][0].code, '[invalid]key.length');
      });

      it('imports a PEM public key and a JWK; refuses garbage and short RSA keys', async () => {
        const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
        const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
        const imported = await server.api('POST', '/api/key/import', { key: { name: 'mimoto', publicKey: pem, algorithm: 'ES384', kid: 'mimoto-1' } });
        assert.equal(imported.status, 200, JSON.stringify(imported.body));
        assert.equal(imported.body.key.kid, 'mimoto-1');
        assert.equal(imported.body.key.hasPrivateKey, false);
        const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid: 'jwk-1' };
        const fromJwk = await server.api('POST', '/api/key/import', { key: { name: 'jwk', jwk } });
        assert.equal(fromJwk.status, 200, JSON.stringify(fromJwk.body));
        assert.equal(fromJwk.body.key.kid, 'jwk-1');
        const sameKid = await server.api('POST', '/api/key/import', { key: { name: 'jwk again', jwk } });
        assert.equal(sameKid.body.fieldErrors['key.kid'][0].code, '[duplicate]key.kid');
        const garbage = await server.api('POST', '/api/key/import', { key: { name: 'garbage', publicKey: 'not a key' } });
        assert.equal(garbage.body.fieldErrors['key.publicKey'][0].code, '[invalid]key.publicKey');
        const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
        const shortReply = await server.api('POST', '/api/key/import', { key: { name: 'short', publicKey: short } });
        assert.equal(shortReply.status, 400);
        const mismatch = await server.api('POST', '/api/key/import', { key: { name: 'mismatch', publicKey: pem, algorithm: 'RS256' } });
        assert.equal(mismatch.body.fieldErrors['key.algorithm'][0].code, '[invalid]key.algorithm');
      });

      it('refuses to delete a tenant signing key', async () => {
        const tenant = (await server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`)).body.tenant;
        const reply = await server.api('DELETE', `/api/key/${tenant.jwtConfiguration.accessTokenKeyId}`);
        assert.equal(reply.status, 400);
        assert.equal(reply.body.generalErrors[0].code, '[KeyInUse]');
      });
    });
  });
}
