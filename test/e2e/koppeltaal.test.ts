import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Agent, fetch as undiciFetch } from 'undici';
import { createResourceGuard, fastifyResourceGuard } from '../../src/http/resource-guard-plugin.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ASSERTION_TYPE, clientKey, jwks, signAssertion } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { decodeJwt } from '../helpers/fixtures.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { freePort, readReply, startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const SLUG = 'domeinzorgafnemer';

/** Inferno's assertion (client_assertion_builder.rb): typ JWT, no iat, exp now+5 min, 64-hex jti. */
const infernoAssertion = (key: ClientKey, clientId: string, audience: string, header: Record<string, unknown> = {}) =>
  signAssertion(key, { clientId, audience, header, claims: { iat: undefined, exp: Math.floor(Date.now() / 1000) + 300, jti: randomBytes(32).toString('hex') } });

for (const kind of selectedKinds()) {
  describe(`Koppeltaal domain with SMART Backend Services (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let documents: DocumentServer;
    let tenantId: string;
    let key: ClientKey;
    let otherAppId: string;
    let moduleAppId: string;
    let roleId: string;
    let tokenUrl: string;
    let fhirBase: string;
    const T = () => ({ 'x-fusionauth-tenantid': tenantId });

    before(async () => {
      db = await createTestDatabase(kind);
      documents = await startDocumentServer();
      server = await startTestServer(db);
      key = await clientKey('ES384', '4b49a739d1eb115b3225f4cf9beb6d1b');
      documents.set('/module-a/jwks.json', jwks(key, await clientKey('RS384', 'b41528b6f37a9500edb8a905a595bdd7')), { 'cache-control': 'public, max-age=60' });
      const tenant = await server.api('POST', '/api/tenant', { tenant: { name: 'Domein Zorgafnemer', slug: SLUG, smartConfiguration: { enabled: true, accessTokenAudience: 'fhir-server' } } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
      tenantId = tenant.body.tenant.id;
      tokenUrl = `${server.publicUrl}/t/${SLUG}/oauth2/token`;
      fhirBase = `${server.url}/t/${SLUG}/fhir`;
      const other = await server.api('POST', '/api/application', { application: { name: 'Portal', oauthConfiguration: { clientId: 'portal-b', clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(key), enabledGrants: ['client_credentials'] } } }, T());
      otherAppId = other.body.application.id;
      const role = await server.api(
        'POST',
        '/api/smart/role',
        {
          role: {
            name: 'eHealth Module',
            permissions: [
              { resourceType: 'Patient', operations: ['read'], origin: 'all' },
              { resourceType: 'RelatedPerson', operations: ['read'], origin: 'all' },
              { resourceType: 'RelatedPerson', operations: ['create', 'read', 'update'], origin: 'own' },
              { resourceType: 'Task', operations: ['create', 'update'], origin: 'own' },
              { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [otherAppId] },
              { resourceType: 'Task', operations: ['read'], origin: 'own' },
            ],
          },
        },
        T(),
      );
      assert.equal(role.status, 200, JSON.stringify(role.body));
      roleId = role.body.role.id;
      const moduleApp = await server.api(
        'POST',
        '/api/application',
        {
          application: {
            name: 'Module A',
            oauthConfiguration: { clientId: 'module-a', clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${documents.baseUrl}/module-a/jwks.json`, enabledGrants: ['client_credentials'] },
            jwtConfiguration: { timeToLiveInSeconds: 3600 },
            smartConfiguration: { roleId },
          },
        },
        T(),
      );
      assert.equal(moduleApp.status, 200, JSON.stringify(moduleApp.body));
      moduleAppId = moduleApp.body.application.id;
    });
    after(async () => {
      await server?.close();
      await documents?.close();
      await db?.drop();
    });

    const tokenRequest = async (params: Record<string, string>) =>
      server.form(`/t/${SLUG}/oauth2/token`, params, { accept: 'application/json' });
    const validParams = async (scope?: string): Promise<Record<string, string>> => ({
      ...(scope !== undefined ? { scope } : {}),
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await infernoAssertion(key, 'module-a', tokenUrl),
    });

    describe('discovery (Inferno smart_discovery_stu2_2)', () => {
      it('1: smart-configuration answers 200 JSON whatever the Accept header', async () => {
        for (const accept of ['application/json', 'text/html', '*/*']) {
          const response = await fetch(`${fhirBase}/.well-known/smart-configuration`, { headers: { accept } });
          assert.equal(response.status, 200);
          assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
          const body = (await response.json()) as Record<string, unknown>;
          assert.equal(body.token_endpoint, tokenUrl);
        }
        const atIssuer = await fetch(`${server.url}/t/${SLUG}/.well-known/smart-configuration`);
        assert.equal(atIssuer.status, 200);
      });

      it('2: capabilities, authorization and token endpoints, PKCE methods and asymmetric authentication are advertised', async () => {
        const body = (await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
        // Inferno well_known_capabilities_stu2: a non-blank authorization_endpoint and authorization_code.
        assert.equal(body.authorization_endpoint, `${server.publicUrl}/t/${SLUG}/oauth2/authorize`);
        assert.ok((body.grant_types_supported as string[]).includes('authorization_code'));
        assert.deepEqual(body.response_types_supported, ['code']);
        assert.ok((body.capabilities as string[]).includes('launch-standalone'));
        assert.equal(typeof body.token_endpoint, 'string');
        assert.ok(Array.isArray(body.capabilities) && body.capabilities.every((c) => typeof c === 'string'));
        assert.ok((body.capabilities as string[]).includes('client-confidential-asymmetric'));
        assert.ok((body.capabilities as string[]).includes('permission-v2'));
        assert.ok((body.code_challenge_methods_supported as string[]).includes('S256'));
        assert.ok(!(body.code_challenge_methods_supported as string[]).includes('plain'));
        assert.ok((body.token_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
        assert.ok((body.token_endpoint_auth_signing_alg_values_supported as string[]).includes('RS384'));
        assert.ok((body.token_endpoint_auth_signing_alg_values_supported as string[]).includes('ES384'));
        assert.equal(body.issuer, `${server.publicUrl}/t/${SLUG}`);
        assert.equal(body.jwks_uri, `${server.publicUrl}/t/${SLUG}/.well-known/jwks.json`);
        assert.equal(typeof body.introspection_endpoint, 'string');
        assert.ok((body.grant_types_supported as string[]).includes('client_credentials'));
      });

      it('3: CORS on smart-configuration', async () => {
        const response = await fetch(`${fhirBase}/.well-known/smart-configuration`, { headers: { origin: 'https://inferno.example' } });
        assert.equal(response.status, 200);
        assert.ok(['*', 'https://inferno.example'].includes(response.headers.get('access-control-allow-origin') ?? ''));
        const preflight = await fetch(`${fhirBase}/.well-known/smart-configuration`, { method: 'OPTIONS', headers: { origin: 'https://inferno.example', 'access-control-request-method': 'GET' } });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      });

      it('4: CORS on the metadata CapabilityStatement, which names the OAuth endpoints', async () => {
        const response = await fetch(`${fhirBase}/metadata`, { headers: { origin: 'https://inferno.example' } });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
        const body = (await response.json()) as { resourceType: string; rest: { security: { extension: { extension: { url: string; valueUri: string }[] }[] } }[] };
        assert.equal(body.resourceType, 'CapabilityStatement');
        const uris = body.rest[0].security.extension[0].extension;
        assert.deepEqual(uris.find((u) => u.url === 'token')?.valueUri, tokenUrl);
        assert.deepEqual(uris.find((u) => u.url === 'authorize')?.valueUri, `${server.publicUrl}/t/${SLUG}/oauth2/authorize`);
      });

      it('the advertised authorization endpoint exists and requires aud = the FHIR base URL (SMART App Launch)', async () => {
        const app = await server.api(
          'POST',
          '/api/application',
          { application: { name: 'Patient app', oauthConfiguration: { clientId: 'patient-app', clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: ['https://patient.example/cb'] } } },
          T(),
        );
        assert.equal(app.status, 200, JSON.stringify(app.body));
        const discovered = (await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json()) as { authorization_endpoint: string };
        const authorize = async (aud: string | undefined) => {
          const url = new URL(discovered.authorization_endpoint.replace(server.publicUrl, server.url));
          const params = { response_type: 'code', client_id: 'patient-app', redirect_uri: 'https://patient.example/cb', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...(aud ? { aud } : {}) };
          for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
          const response = await fetch(url, { redirect: 'manual' });
          assert.equal(response.status, 302);
          return new URL(response.headers.get('location')!).searchParams;
        };
        for (const aud of [undefined, 'https://other.example/fhir']) {
          const refused = await authorize(aud);
          assert.equal(refused.get('error'), 'invalid_request');
          assert.equal(refused.get('error_description'), 'aud must be the FHIR base URL this server protects.');
        }
        // With the right aud the request passes; this domain has no identity provider for a browser login yet.
        const accepted = await authorize(`${server.publicUrl}/t/${SLUG}/fhir`);
        assert.equal(accepted.get('error_description'), 'No identity provider with a browser login is enabled for this client.');
      });

      it('non-SMART tenants have no smart-configuration', async () => {
        assert.equal((await fetch(`${server.url}/t/default/fhir/.well-known/smart-configuration`)).status, 404);
      });
    });

    describe('token endpoint (Inferno backend_services_authorization)', () => {
      it('6: a valid assertion with grant_type=not_a_grant_type is exactly 400', async () => {
        const reply = await tokenRequest({ ...(await validParams('system/*.read')), grant_type: 'not_a_grant_type' });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'unsupported_grant_type');
      });

      it('7 and 8: client_assertion_type=not_an_assertion_type is 400 or 401; a foreign iss is 401', async () => {
        const reply = await tokenRequest({ ...(await validParams('system/*.read')), client_assertion_type: 'not_an_assertion_type' });
        assert.ok([400, 401].includes(reply.status));
        assert.equal(reply.body.error, 'invalid_client');
        const foreign = await signAssertion(key, { clientId: 'module-a', audience: tokenUrl, claims: { iss: 'not_a_valid_iss' } });
        const foreignReply = await tokenRequest({ ...(await validParams('system/*.read')), client_assertion: foreign });
        assert.equal(foreignReply.status, 401);
      });

      it('9 and 10: a valid request is 200 with access_token, bearer token_type, numeric expires_in and non-blank scope', async () => {
        const reply = await tokenRequest(await validParams('system/*.read'));
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(typeof reply.body.access_token, 'string');
        assert.equal(String(reply.body.token_type).toLowerCase(), 'bearer');
        assert.equal(typeof reply.body.expires_in, 'number');
        assert.ok(reply.body.expires_in <= 300);
        assert.ok(typeof reply.body.scope === 'string' && reply.body.scope.trim() !== '');
      });

      it('Inferno refreshes add jku = the registered JWKS URL, and RS384 works too', async () => {
        const rs = await clientKey('RS384', 'b41528b6f37a9500edb8a905a595bdd7');
        documents.set('/module-a/jwks.json', jwks(key, rs), { 'cache-control': 'public, max-age=60' });
        const reply = await tokenRequest({ ...(await validParams()), client_assertion: await infernoAssertion(key, 'module-a', tokenUrl, { jku: `${documents.baseUrl}/module-a/jwks.json` }) });
        assert.equal(reply.status, 200);
      });
    });

    describe('scopes and tokens (Koppeltaal reference)', () => {
      const roleScopes = () =>
        'system/Patient.rs system/RelatedPerson.rs system/RelatedPerson.crus?resource-origin=Device/module-a system/Task.cus?resource-origin=Device/module-a system/Task.rs?resource-origin=Device/portal-b';

      it('no scope, an empty scope or * gets every role scope in the reference format', async () => {
        // Task: create+update own, read own merge into one own group: c r u s
        const expected = roleScopes().replace('system/Task.cus?resource-origin=Device/module-a', 'system/Task.crus?resource-origin=Device/module-a');
        for (const scope of [undefined, '*']) {
          const reply = await tokenRequest(await validParams(scope));
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          assert.equal(reply.body.scope, expected);
          assert.equal(decodeJwt(reply.body.access_token).payload.scope, expected);
        }
        const listed = await server.api('GET', `/api/smart/application/${moduleAppId}/scopes`, undefined, T());
        assert.equal(listed.body.scopes.join(' '), expected);
      });

      it('v2 and v1 requests get the intersection with the role', async () => {
        assert.equal((await tokenRequest(await validParams('system/Patient.rs'))).body.scope, 'system/Patient.rs');
        assert.equal((await tokenRequest(await validParams('system/Patient.r'))).body.scope, 'system/Patient.r');
        assert.equal(
          (await tokenRequest(await validParams('system/Task.read'))).body.scope,
          'system/Task.rs?resource-origin=Device/module-a system/Task.rs?resource-origin=Device/portal-b',
        );
        assert.equal((await tokenRequest(await validParams('system/Task.rs?resource-origin=Device/portal-b'))).body.scope, 'system/Task.rs?resource-origin=Device/portal-b');
      });

      it('nothing grantable is 400 invalid_scope', async () => {
        for (const scope of ['system/Observation.rs', 'patient/Patient.rs', 'openid', 'system/Patient.d']) {
          const reply = await tokenRequest(await validParams(scope));
          assert.equal(reply.status, 400, scope);
          assert.equal(reply.body.error, 'invalid_scope');
        }
      });

      it('tokens carry the reference claims, aud fhir-server, at most 300 s', async () => {
        const reply = await tokenRequest(await validParams());
        const { header, payload } = decodeJwt(reply.body.access_token);
        assert.equal(header.typ, 'JWT');
        assert.equal(payload.iss, `${server.publicUrl}/t/${SLUG}`);
        assert.equal(payload.aud, 'fhir-server');
        assert.equal(payload.azp, 'module-a');
        assert.equal(payload.client_id, 'module-a');
        assert.equal(payload.sub, 'module-a');
        assert.equal((payload.exp as number) - (payload.iat as number), 300);
        assert.equal(reply.body.expires_in, 300);
        for (const claim of ['nbf', 'jti']) assert.ok(payload[claim], claim);
      });

      it('a role change applies to the next token', async () => {
        const patched = await server.api('PATCH', `/api/smart/role/${roleId}`, { role: { permissions: [{ resourceType: 'Patient', operations: ['read'], origin: 'all' }] } }, T());
        assert.equal(patched.status, 200);
        assert.equal((await tokenRequest(await validParams())).body.scope, 'system/Patient.rs');
        const app = await server.api('GET', `/api/application/${moduleAppId}`, undefined, T());
        assert.equal(app.body.application.smartConfiguration.roleId, roleId);
      });

      it('an application without a role gets invalid_scope', async () => {
        const reply = await tokenRequest({ ...(await validParams()), client_assertion: await infernoAssertion(key, 'portal-b', tokenUrl) });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'invalid_scope');
      });

      it('role validation and in-use protection', async () => {
        const bad = await server.api('POST', '/api/smart/role', { role: { name: 'bad', permissions: [{ resourceType: 'patient', operations: ['read', 'read'], origin: 'mine', grantedApplicationIds: ['x'] }] } }, T());
        assert.equal(bad.status, 400);
        assert.deepEqual(Object.keys(bad.body.fieldErrors).sort(), [
          'role.permissions[0].grantedApplicationIds',
          'role.permissions[0].operations',
          'role.permissions[0].origin',
          'role.permissions[0].resourceType',
        ]);
        const inUse = await server.api('DELETE', `/api/smart/role/${roleId}`, undefined, T());
        assert.equal(inUse.status, 400);
        assert.equal(inUse.body.generalErrors[0].code, '[RoleInUse]');
        const noRole = await server.api('POST', '/api/application', { application: { name: 'x', smartConfiguration: { roleId: '00000000-0000-4000-8000-00000000ffff' } } }, T());
        assert.equal(noRole.body.fieldErrors['application.smartConfiguration.roleId'][0].code, '[notFound]application.smartConfiguration.roleId');
      });
    });

    describe('introspection (TOP-KT-021)', () => {
      it('a module authenticates with an assertion; live tokens are active with their claims, others inactive', async () => {
        const token = (await tokenRequest(await validParams())).body.access_token;
        const reply = await server.form(`/t/${SLUG}/oauth2/introspect`, { token, client_assertion_type: ASSERTION_TYPE, client_assertion: await infernoAssertion(key, 'portal-b', tokenUrl) });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.active, true);
        assert.equal(reply.body.aud, 'fhir-server');
        assert.equal(reply.body.client_id, 'module-a');
        const inactive = await server.form(`/t/${SLUG}/oauth2/introspect`, { token: 'x.y.z', client_assertion_type: ASSERTION_TYPE, client_assertion: await infernoAssertion(key, 'portal-b', tokenUrl) });
        assert.deepEqual(inactive.body, { active: false });
        const unauthenticated = await server.form(`/t/${SLUG}/oauth2/introspect`, { token });
        assert.equal(unauthenticated.status, 401);
      });
    });

    describe('resource guard in front of a FHIR service', () => {
      let fhir: FastifyInstance;
      let fhirUrl: string;
      const clock = new ManualClock(Date.now());
      const origins: Record<string, string> = { 'task-own': 'Device/module-a', 'task-other': 'Device/portal-b', 'task-third': 'Device/third' };

      before(async () => {
        // Broaden the role again for these checks.
        await server.api('PUT', `/api/smart/role/${roleId}`, {
          role: {
            name: 'eHealth Module',
            permissions: [
              { resourceType: 'Patient', operations: ['read'], origin: 'all' },
              { resourceType: 'Task', operations: ['create', 'read', 'update'], origin: 'own' },
              { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [otherAppId] },
            ],
          },
        }, T());
        fhir = Fastify();
        const guard = createResourceGuard({ smartConfigurationUrl: `${fhirBase}/.well-known/smart-configuration`, audience: 'fhir-server', allowHttp: true, clock });
        const protect = fastifyResourceGuard(fhir, guard);
        fhir.get('/fhir/Patient', { preHandler: protect.require({ resourceType: 'Patient', interaction: 'search' }) }, async (request) => ({ narrowed: request.authorization }));
        fhir.get('/fhir/Task', { preHandler: protect.require({ resourceType: 'Task', interaction: 'search' }) }, async (request) => ({ narrowed: request.authorization }));
        fhir.get<{ Params: { id: string } }>('/fhir/Task/:id', { preHandler: protect.require({ resourceType: 'Task', interaction: 'read', resourceOrigin: (r) => origins[(r.params as { id: string }).id] }) }, async (request) => ({ client: request.principal?.clientId }));
        fhir.put<{ Params: { id: string } }>('/fhir/Task/:id', { preHandler: protect.require({ resourceType: 'Task', interaction: 'update', resourceOrigin: (r) => origins[(r.params as { id: string }).id] }) }, async () => ({ updated: true }));
        fhir.post('/fhir/Task', { preHandler: protect.require({ resourceType: 'Task', interaction: 'create' }) }, async (request) => ({ origin: request.principal?.device }));
        fhirUrl = await fhir.listen({ port: 0, host: '127.0.0.1' });
      });
      after(() => fhir?.close());

      const call = async (method: string, path: string, token?: string) => {
        const response = await fetch(`${fhirUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown> };
      };

      it('401 with a Bearer challenge without a token or with a bad one', async () => {
        const none = await call('GET', '/fhir/Patient');
        assert.equal(none.status, 401);
        assert.match(none.challenge ?? '', /^Bearer realm="fhir"$/);
        const bad = await call('GET', '/fhir/Patient', 'not-a-token');
        assert.equal(bad.status, 401);
        assert.match(bad.challenge ?? '', /error="invalid_token"/);
        const token = (await tokenRequest(await validParams())).body.access_token as string;
        const tampered = await call('GET', '/fhir/Patient', `${token.slice(0, -6)}AAAAAA`);
        assert.equal(tampered.status, 401);
      });

      it('enforces scopes, origins and search narrowing with a real token', async () => {
        const token = (await tokenRequest(await validParams())).body.access_token as string;
        assert.deepEqual((await call('GET', '/fhir/Patient', token)).body, { narrowed: { allowed: true } });
        assert.deepEqual((await call('GET', '/fhir/Task', token)).body, { narrowed: { allowed: true, searchOrigins: ['Device/module-a', 'Device/portal-b'] } });
        assert.equal((await call('GET', '/fhir/Task/task-own', token)).status, 200);
        assert.equal((await call('GET', '/fhir/Task/task-other', token)).status, 200);
        assert.equal((await call('GET', '/fhir/Task/task-third', token)).status, 403);
        const forbidden = await call('PUT', '/fhir/Task/task-other', token);
        assert.equal(forbidden.status, 403);
        assert.match(forbidden.challenge ?? '', /error="insufficient_scope"/);
        assert.equal((await call('PUT', '/fhir/Task/task-own', token)).status, 200);
        assert.deepEqual((await call('POST', '/fhir/Task', token)).body, { origin: 'Device/module-a' });
      });

      it('refuses tokens of other tenants, expired tokens, and follows signing-key rotation', async () => {
        const otherTenantToken = await (async () => {
          const app = await server.api('POST', '/api/application', { application: { name: 'svc', oauthConfiguration: { clientId: 'svc', enabledGrants: ['client_credentials'] } } }, { 'x-fusionauth-tenantid': '00000000-0000-4000-8000-000000000001' });
          const secret = app.body.application.oauthConfiguration.clientSecret;
          return (await server.form('/t/default/oauth2/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`svc:${secret}`).toString('base64')}` })).body.access_token as string;
        })();
        assert.equal((await call('GET', '/fhir/Patient', otherTenantToken)).status, 401);

        const token = (await tokenRequest(await validParams())).body.access_token as string;
        assert.equal((await call('GET', '/fhir/Patient', token)).status, 200);
        await server.gatehouse.services.tenants.rotateSigningKey(tenantId);
        const rotated = (await tokenRequest(await validParams())).body.access_token as string;
        assert.notEqual(decodeJwt(rotated).header.kid, decodeJwt(token).header.kid);
        clock.advance(11_000); // past the guard's re-read cooldown for unknown kids
        assert.equal((await call('GET', '/fhir/Patient', rotated)).status, 200);
        assert.equal((await call('GET', '/fhir/Patient', token)).status, 200, 'the old key is still published');

        // Past the token's own exp plus the 60 s leeway. (The guard's clock started when this file
        // loaded, so a fixed advance from it fell short whenever the suite took more than 12 s.)
        clock.set((decodeJwt(rotated).payload.exp as number) * 1000 + 61_000);
        assert.equal((await call('GET', '/fhir/Patient', rotated)).status, 401, 'expired beyond the leeway');
      });
    });
  });
}

describe('TLS (Inferno token_tls_version)', () => {
  it('serves HTTPS with TLS 1.2 and refuses TLS 1.1', async () => {
    const db = await createTestDatabase(selectedKinds()[0]);
    const port = await freePort();
    const fixtures = join(process.cwd(), 'test/fixtures');
    const server = await startTestServer(db, {
      port,
      config: { tlsCert: join(fixtures, 'tls-test-cert.pem'), tlsKey: join(fixtures, 'tls-test-key.pem'), publicUrl: `https://127.0.0.1:${port}` },
    });
    const ca = readFileSync(join(fixtures, 'tls-test-cert.pem'));
    const dispatcher = new Agent({ connect: { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } });
    try {
      assert.match(server.url, /^https:/);
      const reply = await readReply(await undiciFetch(`https://127.0.0.1:${port}/health`, { dispatcher }));
      assert.equal(reply.status, 200);
      const tls13 = await readReply(await undiciFetch(`https://127.0.0.1:${port}/t/default/.well-known/openid-configuration`, { dispatcher: new Agent({ connect: { ca, minVersion: 'TLSv1.3' } }) }));
      assert.equal(tls13.status, 200);
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(true));
      });
      assert.equal(refused, true, 'TLS 1.1 must be refused');
    } finally {
      await dispatcher.close();
      await server.close();
      await db.drop();
    }
  });
});
