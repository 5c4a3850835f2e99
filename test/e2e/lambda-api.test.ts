import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const KICKSTART_LAMBDA = '6d2c1a10-0000-4000-8000-0000000000f1';

/** The example of FusionAuth's External JWT reconcile lambda documentation, as it is. */
const FUSIONAUTH_EXAMPLE = `// This is an example External JWT reconcile, modify this to your liking.
function reconcile(user, registration, jwt) {
  // User claims
  user.firstName = jwt.first_name;
  user.lastName = jwt.last_name;
  user.birthDate = jwt.birth_date;
  user.imageUrl = jwt.image_url;
  user.data = user.data || {};
  user.data['email'] = jwt.email;

  // Registration claims
  registration.data = registration.data || {};
  registration.data['iss'] = jwt.iss;
}`;

for (const kind of selectedKinds()) {
  describe(`lambda API (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let lambdaId: string;

    before(async () => {
      db = await createTestDatabase(kind);
      const file = join(db.dataDir, 'k.json');
      writeFileSync(file, JSON.stringify({ lambdas: [{ id: KICKSTART_LAMBDA, name: 'From kickstart', type: 'ExternalJWTReconcile', body: 'function reconcile(user) { user.fromKickstart = true; }' }] }));
      server = await startTestServer(db, { config: { kickstart: file } });
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it("accepts FusionAuth's lambda object and documented example as they are", async () => {
      const reply = await server.api('POST', '/api/lambda', { lambda: { name: 'Example reconcile', type: 'ExternalJWTReconcile', body: FUSIONAUTH_EXAMPLE, debug: false, enabled: true, engineType: 'GraalJS' } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      lambdaId = reply.body.lambda.id;
      assert.deepEqual(Object.keys(reply.body.lambda).sort(), ['body', 'debug', 'enabled', 'engineType', 'id', 'insertInstant', 'lastUpdateInstant', 'name', 'type']);
      assert.equal((await server.api('GET', `/api/lambda/${lambdaId}`)).body.lambda.body, FUSIONAUTH_EXAMPLE);
      assert.equal((await server.api('GET', '/api/lambda?type=ExternalJWTReconcile')).body.lambdas.length, 2);
      assert.equal((await server.api('POST', '/api/lambda/search', { search: { name: 'example' } })).body.total, 1);
      assert.equal((await server.api('GET', '/api/lambda/search?body=fromKickstart')).body.lambdas[0].id, KICKSTART_LAMBDA);
    });

    it('refuses a body that does not compile or defines no reconcile, and unsupported types', async () => {
      const syntax = await server.api('POST', '/api/lambda', { lambda: { name: 'broken', type: 'ExternalJWTReconcile', body: 'function reconcile( {' } });
      assert.equal(syntax.status, 400);
      assert.match(syntax.body.fieldErrors['lambda.body'][0].message, /^LAMBDA_SYNTAX_ERROR/);
      const missing = await server.api('POST', '/api/lambda', { lambda: { name: 'other', type: 'ExternalJWTReconcile', body: 'function populate() {}' } });
      assert.match(missing.body.fieldErrors['lambda.body'][0].message, /^LAMBDA_FUNCTION_MISSING/);
      const looping = await server.api('POST', '/api/lambda', { lambda: { name: 'loop at load', type: 'ExternalJWTReconcile', body: 'while (true) {} function reconcile() {}' } });
      assert.match(looping.body.fieldErrors['lambda.body'][0].message, /^LAMBDA_TIMEOUT/);
      const type = await server.api('POST', '/api/lambda', { lambda: { name: 'jwt populate', type: 'JWTPopulate', body: 'function populate() {}' } });
      assert.equal(type.body.fieldErrors['lambda.type'][0].code, '[invalid]lambda.type');
      const blank = await server.api('POST', '/api/lambda', { lambda: { type: 'ExternalJWTReconcile' } });
      assert.deepEqual(Object.keys(blank.body.fieldErrors).sort(), ['lambda.body', 'lambda.name']);
    });

    it('updates keep the type; PATCH changes single fields', async () => {
      const changeType = await server.api('PUT', `/api/lambda/${lambdaId}`, { lambda: { name: 'x', type: 'JWTPopulate', body: FUSIONAUTH_EXAMPLE } });
      assert.equal(changeType.body.fieldErrors['lambda.type'][0].code, '[notAllowed]lambda.type');
      const patched = await server.api('PATCH', `/api/lambda/${lambdaId}`, { lambda: { debug: true } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.lambda.debug, true);
      assert.equal(patched.body.lambda.body, FUSIONAUTH_EXAMPLE);
    });

    it('test runs the lambda on given claims and persists nothing', async () => {
      const usersBefore = await server.gatehouse.services.store.users.count();
      const reply = await server.api('POST', `/api/lambda/${lambdaId}/test`, {
        jwt: { first_name: 'Darius', last_name: 'Bödefeld', email: 'd@example.org', iss: 'https://mimoto-test.pie.azuma-health.tech/' },
        user: { email: 'd@example.org', firstName: 'D.' },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.result.status, 'completed');
      assert.deepEqual(reply.body.result.diff.user.firstName, { before: 'D.', after: 'Darius' });
      assert.deepEqual(reply.body.result.diff.registration.data, { before: null, after: { iss: 'https://mimoto-test.pie.azuma-health.tech/' } });
      assert.equal('email' in reply.body.result.diff.user, false, 'unchanged fields are not in the diff');
      assert.equal(await server.gatehouse.services.store.users.count(), usersBefore);
      const noJwt = await server.api('POST', `/api/lambda/${lambdaId}/test`, {});
      assert.equal(noJwt.body.fieldErrors.jwt[0].code, '[missing]jwt');
    });

    it('test shows rejections, onboarding and failures with their logs', async () => {
      const create = async (body: string) => (await server.api('POST', '/api/lambda', { lambda: { name: `l-${Math.random()}`, type: 'ExternalJWTReconcile', body } })).body.lambda.id as string;
      const rejecting = await create('function reconcile(u, r, jwt, context) { console.info("checking"); context.reject("NOT_INSURED", "Keine Versicherung."); }');
      const rejected = (await server.api('POST', `/api/lambda/${rejecting}/test`, { jwt: {} })).body.result;
      assert.deepEqual(rejected, { status: 'rejected', code: 'NOT_INSURED', message: 'Keine Versicherung.', logs: [{ level: 'info', message: 'checking' }] });
      const onboarding = await create('function reconcile(u, r, jwt, context) { if (!context.input) context.requireOnboarding("EMAIL", { missing: ["email"] }); else u.email = context.input.email; }');
      assert.deepEqual((await server.api('POST', `/api/lambda/${onboarding}/test`, { jwt: {} })).body.result, { status: 'onboarding', reason: 'EMAIL', missing: ['email'], logs: [] });
      assert.equal((await server.api('POST', `/api/lambda/${onboarding}/test`, { jwt: {}, input: { email: 'a@b.de' } })).body.result.user.email, 'a@b.de');
      const throwing = await create('function reconcile() { throw new Error("KVNR missing"); }');
      assert.deepEqual((await server.api('POST', `/api/lambda/${throwing}/test`, { jwt: {} })).body.result, { status: 'failed', code: 'LAMBDA_THREW', message: 'Error: KVNR missing', logs: [] });
    });

    it('is for global API keys; deleting makes it 404', async () => {
      const tenants = await server.api('GET', '/api/tenant');
      const scoped = await server.api('POST', '/api/api-key', { apiKey: { tenantId: tenants.body.tenants[0].id } });
      assert.equal((await fetch(`${server.url}/api/lambda`, { headers: { authorization: scoped.body.apiKey.key } })).status, 401);
      assert.equal((await server.api('DELETE', `/api/lambda/${lambdaId}`)).status, 200);
      assert.equal((await server.api('GET', `/api/lambda/${lambdaId}`)).status, 404);
    });
  });
}
