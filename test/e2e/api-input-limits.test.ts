import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { Reply, TestServer } from '../helpers/test-server.js';

/** The default tenant: the tests create a second one, so tenant-scoped calls name it. */
const T = { 'x-fusionauth-tenantid': '00000000-0000-4000-8000-000000000001' };
const LAMBDA = 'function reconcile(user, registration, jwt) { user.data = { sub: jwt.sub }; }';

/** The one field error of a 400, as [field, code]. */
function fieldError(reply: Reply, field: string): string {
  assert.equal(reply.status, 400, JSON.stringify(reply.body));
  assert.ok(reply.body.fieldErrors?.[field], `no field error for ${field}: ${JSON.stringify(reply.body)}`);
  return reply.body.fieldErrors[field][0].code;
}

/** What the `/api` schemas refuse (README "What is refused and why"): 400 with a stable code, never a 500. */
for (const kind of selectedKinds()) {
  describe(`/api input limits (${kind})`, () => {
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

    it('refuses a query parameter given twice', async () => {
      assert.equal(fieldError(await server.api('GET', '/api/user?email=a@b.c&email=d@e.f'), 'email'), '[repeated]email');
      assert.equal(fieldError(await server.api('GET', '/api/user?username=a&username=b'), 'username'), '[repeated]username');
      assert.equal(fieldError(await server.api('GET', '/api/lambda?type=A&type=B'), 'type'), '[repeated]type');
      // Once is fine: an unknown user is a 404.
      assert.equal((await server.api('GET', '/api/user?email=a@b.c')).status, 404);
    });

    it('refuses wrong types instead of coercing them', async () => {
      const method = await server.api('POST', '/api/application', { application: { name: 'App', oauthConfiguration: { clientAuthenticationMethod: 1 } } });
      assert.equal(fieldError(method, 'application.oauthConfiguration.clientAuthenticationMethod'), '[invalid]application.oauthConfiguration.clientAuthenticationMethod');
      const keyName = await server.api('POST', '/api/key/generate', { key: { name: {}, algorithm: 'ES256' } });
      assert.equal(fieldError(keyName, 'key.name'), '[invalid]key.name');
      const number = await server.api('POST', '/api/tenant', { tenant: { name: 42 } });
      assert.equal(fieldError(number, 'tenant.name'), '[invalid]tenant.name');
      assert.equal((await server.api('GET', '/api/tenant')).body.tenants.length, 1, 'nothing was created');
    });

    it('refuses names longer than their column (191)', async () => {
      const tenant = await server.api('POST', '/api/tenant', { tenant: { name: 'x'.repeat(192) } });
      assert.equal(fieldError(tenant, 'tenant.name'), '[tooLong]tenant.name');
      const lambda = await server.api('POST', '/api/lambda', { lambda: { name: 'y'.repeat(192), type: 'ExternalJWTReconcile', body: LAMBDA } });
      assert.equal(fieldError(lambda, 'lambda.name'), '[tooLong]lambda.name');
      // 191 is allowed.
      const fits = await server.api('POST', '/api/tenant', { tenant: { name: 'z'.repeat(191) } });
      assert.equal(fits.status, 200, JSON.stringify(fits.body));
    });

    it('refuses NUL and other control characters in strings and path ids', async () => {
      assert.equal(fieldError(await server.api('POST', '/api/tenant', { tenant: { name: 'a\u0000b' } }), 'tenant.name'), '[invalid]tenant.name');
      assert.equal(fieldError(await server.api('POST', '/api/user', { user: { email: 'a\u001b@b.c' } }), 'user.email'), '[invalid]user.email');
      assert.equal(fieldError(await server.api('GET', '/api/tenant/a%00b'), 'id'), '[invalid]id');
      assert.equal(fieldError(await server.api('GET', '/api/user/%00'), 'id'), '[invalid]id');
      assert.equal(fieldError(await server.api('DELETE', '/api/lambda/x%01'), 'id'), '[invalid]id');
      // Lambda code keeps its line breaks and tabs.
      const lambda = await server.api('POST', '/api/lambda', { lambda: { name: 'Lines', type: 'ExternalJWTReconcile', body: `\t${LAMBDA}\r\n` } });
      assert.equal(lambda.status, 200, JSON.stringify(lambda.body));
      const nul = await server.api('POST', '/api/lambda', { lambda: { name: 'Nul', type: 'ExternalJWTReconcile', body: `${LAMBDA}\u0000` } });
      assert.equal(fieldError(nul, 'lambda.body'), '[invalid]lambda.body');
    });

    it('answers an over-long path id with 400 and an unknown one with 404', async () => {
      assert.equal(fieldError(await server.api('GET', `/api/application/${'a'.repeat(37)}`), 'id'), '[tooLong]id');
      assert.equal((await server.api('GET', '/api/application/not-an-id', undefined, T)).status, 404);
    });

    it('refuses unknown fields only in the Gatehouse-only dry-run bodies', async () => {
      const lambda = await server.api('POST', '/api/lambda', { lambda: { name: 'Dry', type: 'ExternalJWTReconcile', body: LAMBDA } });
      const dry = await server.api('POST', `/api/lambda/${lambda.body.lambda.id}/test`, { jwt: { sub: 's' }, claims: {} });
      assert.equal(fieldError(dry, 'claims'), '[notAllowed]claims');
      // FusionAuth bodies: extra fields are accepted and ignored.
      const user = await server.api('POST', '/api/user', { user: { email: 'extra@example.com', insertInstant: 1, twoFactor: {} }, sendSetPasswordEmail: false }, T);
      assert.equal(user.status, 200, JSON.stringify(user.body));
      assert.equal(user.body.user.twoFactor, undefined);
    });

    it('keeps the OAuth error format on /t routes', async () => {
      const reply = await server.form('/t/default/oauth2/token', { grant_type: 'client_credentials' });
      assert.equal(typeof reply.body.error, 'string');
      assert.equal(reply.body.fieldErrors, undefined);
    });
  });
}
