import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ASSERTION_TYPE, clientKey, jwks, signAssertion } from '../helpers/client-keys.js';
import { createApplication, decodeJwt, tokenPath, tokenUrl } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const kind of selectedKinds()) {
  describe(`OAuth endpoints (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let basicClient: { id: string; secret: string };
    let postClient: { id: string; secret: string };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      const a = await createApplication(server, { name: 'basic', oauthConfiguration: { clientId: 'svc:basic', enabledGrants: ['client_credentials'], allowedScopes: ['read', 'write'] } });
      basicClient = { id: a.oauthConfiguration.clientId, secret: a.oauthConfiguration.clientSecret! };
      const b = await createApplication(server, {
        name: 'post',
        oauthConfiguration: { clientId: 'svc-post', clientAuthenticationMethod: 'client_secret_post', enabledGrants: ['client_credentials'] },
        jwtConfiguration: { timeToLiveInSeconds: 120 },
      });
      postClient = { id: b.oauthConfiguration.clientId, secret: b.oauthConfiguration.clientSecret! };
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    const basicToken = (params: Record<string, string> = {}) =>
      server.form(tokenPath(), { grant_type: 'client_credentials', ...params }, { authorization: basic(basicClient.id, basicClient.secret) });

    describe('client secrets', () => {
      it('client_secret_basic with a form-urlencoded client id (RFC 6749 §2.3.1)', async () => {
        const reply = await basicToken({ scope: 'read' });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.scope, 'read');
        assert.equal(reply.body.expires_in, 3600);
        const { header, payload } = decodeJwt(reply.body.access_token);
        assert.equal(header.typ, 'JWT');
        assert.equal(payload.sub, 'svc:basic');
        assert.equal(payload.aud, 'svc:basic');
      });

      it('no scope requested grants every allowed scope; a scope outside them is invalid_scope', async () => {
        assert.equal((await basicToken()).body.scope, 'read write');
        const refused = await basicToken({ scope: 'read admin' });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, 'invalid_scope');
        const malformed = await basicToken({ scope: 'read  write' });
        assert.equal(malformed.status, 400);
        assert.equal(malformed.body.error, 'invalid_scope');
      });

      it('client_secret_post, with the application token lifetime and no scope claim when none is granted', async () => {
        const reply = await server.form(tokenPath(), { grant_type: 'client_credentials', client_id: postClient.id, client_secret: postClient.secret });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.expires_in, 120);
        assert.equal('scope' in reply.body, false);
        assert.equal('scope' in decodeJwt(reply.body.access_token).payload, false);
      });

      it('a wrong secret is invalid_client; with Basic it carries WWW-Authenticate', async () => {
        const reply = await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization: basic(basicClient.id, 'wrong') });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error, 'invalid_client');
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic realm=/);
        const post = await server.form(tokenPath(), { grant_type: 'client_credentials', client_id: postClient.id, client_secret: 'wrong' });
        assert.equal(post.status, 401);
        assert.equal(post.headers.get('www-authenticate'), null);
      });

      it('a secret client may use either secret method (deliberately no longer refused: Keycloak and FusionAuth accept both)', async () => {
        const postWithBasic = await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization: basic(postClient.id, postClient.secret) });
        assert.equal(postWithBasic.status, 200, JSON.stringify(postWithBasic.body));
        const basicWithPost = await server.form(tokenPath(), { grant_type: 'client_credentials', client_id: basicClient.id, client_secret: basicClient.secret });
        assert.equal(basicWithPost.status, 200, JSON.stringify(basicWithPost.body));
        assert.equal(decodeJwt(basicWithPost.body.access_token).payload.client_id, basicClient.id);
        const wrongSecret = await server.form(tokenPath(), { grant_type: 'client_credentials', client_id: basicClient.id, client_secret: 'wrong' });
        assert.equal(wrongSecret.status, 401);
      });

      it('two authentication methods at once are invalid_request (RFC 6749 §2.3)', async () => {
        const reply = await server.form(tokenPath(), { grant_type: 'client_credentials', client_secret: 'x' }, { authorization: basic(basicClient.id, basicClient.secret) });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'invalid_request');
      });

      it('no authentication at all is invalid_client', async () => {
        const reply = await server.form(tokenPath(), { grant_type: 'client_credentials' });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error, 'invalid_client');
      });

      it('malformed Basic credentials are invalid_client', async () => {
        for (const authorization of ['Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from('%zz:x').toString('base64')}`]) {
          const reply = await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization });
          assert.equal(reply.status, 401, authorization);
          assert.equal(reply.body.error, 'invalid_client');
        }
      });
    });

    describe('request validation', () => {
      it('an unknown grant type is unsupported_grant_type (400), a missing one invalid_request', async () => {
        const unknown = await basicToken({ grant_type: 'not_a_grant_type' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.error, 'unsupported_grant_type');
        const missing = await server.form(tokenPath(), {}, { authorization: basic(basicClient.id, basicClient.secret) });
        assert.equal(missing.status, 400);
        assert.equal(missing.body.error, 'invalid_request');
      });

      it('a grant the client has not enabled is unauthorized_client', async () => {
        const app = await createApplication(server, { name: 'no grants', oauthConfiguration: { clientId: 'no-grants' } });
        const reply = await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization: basic('no-grants', app.oauthConfiguration.clientSecret!) });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'unauthorized_client');
      });

      it('a repeated parameter is invalid_request (RFC 6749 §3.2)', async () => {
        const response = await fetch(`${server.url}${tokenPath()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(basicClient.id, basicClient.secret) },
          body: 'grant_type=client_credentials&scope=read&scope=write',
        });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
      });

      it('malformed percent-encoding is invalid_request', async () => {
        const response = await fetch(`${server.url}${tokenPath()}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=%E0%A4%A' });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
      });

      it('JSON instead of a form is invalid_request; an unknown media type is 415', async () => {
        const json = await fetch(`${server.url}${tokenPath()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
        assert.equal(json.status, 400);
        assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
        const xml = await fetch(`${server.url}${tokenPath()}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
        assert.equal(xml.status, 415);
        assert.equal(((await xml.json()) as { error: string }).error, 'invalid_request');
      });

      it('an oversized body is 413', async () => {
        const response = await fetch(`${server.url}${tokenPath()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&pad=${'a'.repeat(70_000)}`,
        });
        assert.equal(response.status, 413);
        assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
      });

      it('an unknown tenant is 404 invalid_tenant on every OAuth endpoint', async () => {
        for (const path of ['/t/nope/oauth2/token', '/t/nope/oauth2/introspect', '/t/nope/oauth2/revoke']) {
          const reply = await server.form(path, { grant_type: 'client_credentials' });
          assert.equal(reply.status, 404, path);
          assert.equal(reply.body.error, 'invalid_tenant');
        }
        for (const path of ['/t/nope/.well-known/jwks.json', '/t/nope/.well-known/openid-configuration', '/t/Bad%20Slug/.well-known/jwks.json']) {
          const response = await fetch(`${server.url}${path}`);
          assert.equal(response.status, 404, path);
        }
      });

      it('an unknown path answers 404 JSON', async () => {
        const response = await fetch(`${server.url}/t/default/oauth2/nowhere`);
        assert.equal(response.status, 404);
        assert.equal(((await response.json()) as { error: string }).error, 'not_found');
      });

      it('echoes a sane X-Request-Id and replaces an insane one', async () => {
        const sane = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
        assert.equal(sane.headers.get('x-request-id'), 'abc-123');
        const insane = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'a b<script>' } });
        assert.match(insane.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      });
    });

    describe('introspection and revocation', () => {
      it('introspection (RFC 7662) answers active with the claims for a live token, inactive otherwise', async () => {
        const token = (await basicToken({ scope: 'read' })).body.access_token as string;
        const auth = { authorization: basic(postClient.id, postClient.secret) };
        const active = await server.form('/t/default/oauth2/introspect', { token, client_id: postClient.id, client_secret: postClient.secret });
        assert.equal(active.status, 200, JSON.stringify(active.body));
        assert.equal(active.body.active, true);
        assert.equal(active.body.client_id, 'svc:basic');
        assert.equal(active.body.scope, 'read');
        assert.equal(active.body.token_type, 'Bearer');
        assert.equal(typeof active.body.exp, 'number');
        for (const bogus of ['garbage', `${token.slice(0, -4)}AAAA`, 'a.b.c']) {
          const reply = await server.form('/t/default/oauth2/introspect', { token: bogus, client_id: postClient.id, client_secret: postClient.secret });
          assert.equal(reply.status, 200);
          assert.deepEqual(reply.body, { active: false });
        }
        const unauthenticated = await server.form('/t/default/oauth2/introspect', { token });
        assert.equal(unauthenticated.status, 401);
        // Deliberately changed (was 401): the post client may present its secret with HTTP Basic too.
        const otherSecretMethod = await server.form('/t/default/oauth2/introspect', { token }, auth);
        assert.equal(otherSecretMethod.status, 200, JSON.stringify(otherSecretMethod.body));
        assert.equal(otherSecretMethod.body.active, true);
        const wrongSecret = await server.form('/t/default/oauth2/introspect', { token }, { authorization: basic(postClient.id, 'wrong') });
        assert.equal(wrongSecret.status, 401);
        const missing = await server.form('/t/default/oauth2/introspect', { client_id: postClient.id, client_secret: postClient.secret });
        assert.equal(missing.status, 400);
        assert.equal(missing.body.error, 'invalid_request');
      });

      it('a token of another tenant is inactive here', async () => {
        const created = await server.api('POST', '/api/tenant', { tenant: { name: 'Other', slug: 'other' } });
        assert.equal(created.status, 200);
        const otherApp = await createApplication(server, { name: 'o', oauthConfiguration: { clientId: 'o', enabledGrants: ['client_credentials'] } }, { 'x-fusionauth-tenantid': created.body.tenant.id });
        const token = (await server.form('/t/other/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic('o', otherApp.oauthConfiguration.clientSecret!) })).body.access_token;
        assert.ok(token);
        const reply = await server.form('/t/default/oauth2/introspect', { token, client_id: postClient.id, client_secret: postClient.secret });
        assert.deepEqual(reply.body, { active: false });
      });

      it('revocation (RFC 7009): the owner revokes, introspection then says inactive; others are refused', async () => {
        const token = (await basicToken()).body.access_token as string;
        const byOther = await server.form('/t/default/oauth2/revoke', { token, client_id: postClient.id, client_secret: postClient.secret });
        assert.equal(byOther.status, 400);
        assert.equal(byOther.body.error, 'unauthorized_client');
        const revoke = await server.form('/t/default/oauth2/revoke', { token, token_type_hint: 'access_token' }, { authorization: basic(basicClient.id, basicClient.secret) });
        assert.equal(revoke.status, 200);
        const introspected = await server.form('/t/default/oauth2/introspect', { token, client_id: postClient.id, client_secret: postClient.secret });
        assert.deepEqual(introspected.body, { active: false });
        const unknown = await server.form('/t/default/oauth2/revoke', { token: 'not-a-token' }, { authorization: basic(basicClient.id, basicClient.secret) });
        assert.equal(unknown.status, 200);
      });
    });

    describe('signing keys', () => {
      it('rotation keeps earlier tokens verifiable and publishes both keys', async () => {
        const before = (await basicToken()).body.access_token as string;
        const oldKid = decodeJwt(before).header.kid;
        const tenant = await server.gatehouse.services.tenants.findBySlug('default');
        await server.gatehouse.services.tenants.rotateSigningKey(tenant!.id);
        const afterRotation = (await basicToken()).body.access_token as string;
        const newKid = decodeJwt(afterRotation).header.kid;
        assert.notEqual(newKid, oldKid);
        const response = await fetch(`${server.url}/t/default/.well-known/jwks.json`);
        assert.equal(response.headers.get('cache-control'), 'public, max-age=60');
        const published = (await response.json()) as JSONWebKeySet;
        assert.deepEqual(published.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());
        assert.ok(published.keys.every((k) => !('d' in k)), 'no private parts');
        for (const token of [before, afterRotation]) {
          await jwtVerify(token, createLocalJWKSet(published));
          const introspected = await server.form('/t/default/oauth2/introspect', { token, client_id: postClient.id, client_secret: postClient.secret });
          assert.equal(introspected.body.active, true);
        }
      });

      it('a tenant can sign with RS256, PS256, ES384 or EdDSA', async () => {
        for (const alg of ['RS256', 'PS256', 'ES384', 'EdDSA']) {
          const slug = `alg-${alg.toLowerCase()}`;
          const created = await server.api('POST', '/api/tenant', { tenant: { name: `Alg ${alg}`, slug, jwtConfiguration: { signingAlgorithm: alg } } });
          assert.equal(created.status, 200, JSON.stringify(created.body));
          const app = await createApplication(server, { name: 'a', oauthConfiguration: { clientId: 'a', enabledGrants: ['client_credentials'] } }, { 'x-fusionauth-tenantid': created.body.tenant.id });
          const token = (await server.form(`/t/${slug}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('a', app.oauthConfiguration.clientSecret!) })).body.access_token;
          assert.equal(decodeJwt(token).header.alg, alg);
          const published = (await (await fetch(`${server.url}/t/${slug}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
          await jwtVerify(token, createLocalJWKSet(published), { issuer: `${server.publicUrl}/t/${slug}` });
        }
      });
    });

    describe('discovery', () => {
      it('RFC 8414 metadata states only what is true, at both well-known locations', async () => {
        const a = (await (await fetch(`${server.url}/t/default/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
        const b = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server/t/default`)).json()) as Record<string, unknown>;
        assert.deepEqual(a, b);
        assert.equal(a.issuer, `${server.publicUrl}/t/default`);
        assert.equal(a.token_endpoint, tokenUrl(server));
        assert.equal(a.jwks_uri, `${server.publicUrl}/t/default/.well-known/jwks.json`);
        assert.deepEqual(a.grant_types_supported, ['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:grant-type:jwt-bearer']);
        assert.equal(a.authorization_endpoint, `${server.publicUrl}/t/default/oauth2/authorize`);
        assert.deepEqual(a.response_types_supported, ['code']);
        assert.deepEqual(a.code_challenge_methods_supported, ['S256']);
        assert.equal(a.authorization_response_iss_parameter_supported, true);
        assert.deepEqual(a.subject_types_supported, ['public']);
        assert.equal((a.id_token_signing_alg_values_supported as string[]).length, 1);
        assert.ok((a.token_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
        assert.ok((a.token_endpoint_auth_signing_alg_values_supported as string[]).includes('ES384'));
        assert.ok(!(a.token_endpoint_auth_signing_alg_values_supported as string[]).some((alg) => alg === 'none' || alg.startsWith('HS')));
      });
    });

    describe('rate limiting', () => {
      it('is off by default and, when configured, answers 429 too_many_requests on the token and authorization endpoints only', async () => {
        const limited = await startTestServer(db, { config: { rateLimitTokenPerMinute: 2 } });
        try {
          const auth = { authorization: basic(basicClient.id, basicClient.secret) };
          assert.equal((await limited.form(tokenPath(), { grant_type: 'client_credentials' }, auth)).status, 200);
          assert.equal((await limited.form(tokenPath(), { grant_type: 'client_credentials' }, auth)).status, 200);
          const third = await limited.form(tokenPath(), { grant_type: 'client_credentials' }, auth);
          assert.equal(third.status, 429);
          assert.equal(third.body.error, 'too_many_requests');
          assert.ok(Number(third.headers.get('retry-after')) > 0);
          const introspect = await limited.form('/t/default/oauth2/introspect', { token: 'x', client_id: postClient.id, client_secret: postClient.secret });
          assert.equal(introspect.status, 200, 'other endpoints are not limited');
          const authorize = () => fetch(`${limited.url}/t/default/oauth2/authorize?client_id=nobody`, { redirect: 'manual' });
          assert.equal((await authorize()).status, 400);
          assert.equal((await authorize()).status, 400);
          const limitedAuthorize = await authorize();
          assert.equal(limitedAuthorize.status, 429);
          assert.equal(((await limitedAuthorize.json()) as { error: string }).error, 'too_many_requests');
        } finally {
          await limited.close();
        }
        for (let i = 0; i < 5; i++) assert.equal((await basicToken()).status, 200, 'no limit by default');
      });
    });

    describe('health', () => {
      it('/health and /ready answer', async () => {
        assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { status: 'ok' });
        assert.deepEqual(await (await fetch(`${server.url}/ready`)).json(), { status: 'ready' });
      });
    });

    describe('introspection with a client assertion (TOP-KT-021)', () => {
      it('a private_key_jwt caller introspects', async () => {
        const key = await clientKey('RS384');
        await createApplication(server, { name: 'kt', oauthConfiguration: { clientId: 'kt-module', clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(key), enabledGrants: ['client_credentials'] } });
        const token = (await basicToken()).body.access_token as string;
        const reply = await server.form('/t/default/oauth2/introspect', {
          token,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await signAssertion(key, { clientId: 'kt-module', audience: `${server.publicUrl}/t/default/oauth2/introspect` }),
        });
        // The assertion's aud must be the token endpoint or the issuer; the introspection URL is neither.
        assert.equal(reply.status, 401);
        const ok = await server.form('/t/default/oauth2/introspect', {
          token,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await signAssertion(key, { clientId: 'kt-module', audience: `${server.publicUrl}/t/default` }),
        });
        assert.equal(ok.status, 200);
        assert.equal(ok.body.active, true);
      });
    });
  });
}

describe('Fastify inject() (bypasses the Node server)', () => {
  it('answers requests without the Node-server wrapper', async () => {
    const db = await createTestDatabase(selectedKinds()[0]);
    const server = await startTestServer(db);
    try {
      const reply = await server.gatehouse.server.inject({ method: 'GET', url: '/health' });
      assert.equal(reply.statusCode, 200);
      assert.deepEqual(reply.json(), { status: 'ok' });
    } finally {
      await server.close();
      await db.drop();
    }
  });
});
