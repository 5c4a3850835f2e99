import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

for (const kind of selectedKinds()) {
  describe(`reconcile lambdas in logins (${kind})`, () => {
    let world: IdpWorld;

    before(async () => {
      world = await startIdpWorld(kind);
    });
    after(async () => world?.close());

    const userCount = () => world.server.gatehouse.services.store.users.count();
    const withLambda = async (body: string, lambdaFields: Record<string, unknown> = {}, providerFields: Record<string, unknown> = {}) =>
      world.provider({ lambdaConfiguration: { reconcileId: await world.lambda(body, lambdaFields) }, ...providerFields });
    const events = async (message: string) => {
      const reply = await world.server.api('GET', `/api/system/event-log/search?message=${encodeURIComponent(message)}&numberOfResults=50`);
      assert.equal(reply.status, 200);
      return reply.body.eventLogs as { type: string; message: string }[];
    };

    it('maps claims in the lambda, including roles and registration data', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt) {
        user.firstName = jwt['urn:telematik:claims:given_name'];
        user.lastName = jwt['urn:telematik:claims:family_name'];
        user.birthDate = jwt.birthdate;
        user.data.kvnr = jwt['urn:telematik:claims:id'];
        registration.roles = ['patient', 'admin'];
        registration.data.acr = jwt.acr;
      }`);
      const reply = await world.login(provider, await world.idToken());
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const { user } = reply.body;
      assert.equal(user.lastName, 'Boedefeld');
      assert.equal(user.birthDate, '1973-09-01');
      assert.equal(user.data.kvnr, 'X110411675');
      assert.deepEqual(user.registrations[0].roles, ['patient', 'admin']);
      assert.deepEqual((await world.verifyAccessToken(reply.body.token)).roles, ['patient', 'admin']);
    });

    it('email and username cannot be changed by the lambda once the user is linked', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt) { user.email = 'changed-' + jwt['ext-mimoto-original-sub-unique'] + '@example.de'; user.username = 'lambda-name'; }`);
      const token = () => world.idToken({ 'ext-mimoto-original-sub-unique': 'X-immutable', 'urn:telematik:claims:email': 'immutable@example.de' });
      const first = await world.login(provider, await token());
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.user.email, 'changed-X-immutable@example.de', 'before linking the lambda may set the email');
      assert.equal(first.body.user.username, 'lambda-name');
      const again = await world.login(provider, await token());
      assert.equal(again.status, 200);
      assert.equal(again.body.user.email, 'changed-X-immutable@example.de');
      assert.equal(again.body.user.username, 'lambda-name');
    });

    it('the jwt is frozen inside the lambda', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt) { 'use strict'; jwt.sub = 'x'; }`);
      const reply = await world.login(provider, await world.idToken());
      assert.equal(reply.status, 400);
      assert.equal(reply.body.generalErrors[0].code, '[LambdaInvocationException]');
      assert.match(reply.body.generalErrors[0].message, /TypeError/);
    });

    it('context.reject refuses the login with the lambda’s code and message verbatim; nothing is created', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt, context) {
        if (jwt.acr !== 'gematik-ehealth-loa-high') context.reject('LoaTooLow', 'Bitte mit der Gesundheitskarte anmelden.');
      }`);
      const before = await userCount();
      const reply = await world.login(provider, await world.idToken({ acr: 'gematik-ehealth-loa-substantial' }));
      assert.equal(reply.status, 403, JSON.stringify(reply.body));
      assert.equal(reply.body.generalErrors[0].code, 'LoaTooLow');
      assert.equal(reply.body.generalErrors[0].message, 'Bitte mit der Gesundheitskarte anmelden.');
      assert.equal(await userCount(), before);
      assert.equal((await world.login(provider, await world.idToken())).status, 200);
    });

    it('a reject code and message are cut to 64 and 1,024 characters (a 10 MB message is not returned)', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt, context) {
        context.reject('C'.repeat(100), 'm'.repeat(10 * 1024 * 1024));
      }`);
      const before = await userCount();
      const reply = await world.login(provider, await world.idToken());
      assert.equal(reply.status, 403, JSON.stringify(reply.body).slice(0, 300));
      assert.equal(reply.body.generalErrors[0].code, 'C'.repeat(64));
      assert.equal(reply.body.generalErrors[0].message, 'm'.repeat(1024));
      assert.equal(await userCount(), before);
    });

    it('context.requireOnboarding holds the claims; completing it runs the lambda again with context.input', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt, context) {
        const email = jwt['urn:telematik:claims:email'] || (context.input && context.input.email);
        if (!email) { context.requireOnboarding('email-required', { missing: ['email'] }); return; }
        user.email = email;
        user.username = jwt['ext-mimoto-original-sub-unique'];
        if (context.input) user.data.consent = context.input.consent;
      }`);
      for (const email of [undefined, '']) {
        const before = await userCount();
        const reply = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email, 'ext-mimoto-original-sub-unique': `X-onboard-${email === undefined ? 'absent' : 'empty'}` }));
        assert.equal(reply.status, 234, JSON.stringify(reply.body));
        assert.equal(reply.body.reason, 'email-required');
        assert.deepEqual(reply.body.missing, ['email']);
        assert.match(reply.body.pendingOnboardingId, /^[0-9a-f-]{36}$/);
        assert.equal(await userCount(), before);
        const path = `/api/identity-provider/onboarding/${reply.body.pendingOnboardingId}/complete`;
        const incomplete = await world.server.api('POST', path, { data: {} }, { authorization: '' });
        assert.equal(incomplete.status, 234, 'the lambda asks again; the old id is used up');
        const done = await world.server.api('POST', `/api/identity-provider/onboarding/${incomplete.body.pendingOnboardingId}/complete`, { data: { email: `onboarded-${email === undefined ? 'a' : 'e'}@example.de`, consent: true } }, { authorization: '' });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        assert.equal(done.body.user.data.consent, true);
        assert.ok(done.body.token);
        const replayed = await world.server.api('POST', `/api/identity-provider/onboarding/${incomplete.body.pendingOnboardingId}/complete`, { data: {} }, { authorization: '' });
        assert.equal(replayed.status, 404, 'an onboarding completes once');
        assert.equal(replayed.body.generalErrors[0].code, '[PendingOnboardingNotFound]');
      }
    });

    it('requireOnboarding passes field descriptions through, and a description Gatehouse cannot show fails the login as the lambda\'s error', async () => {
      const described = await withLambda(`function reconcile(u, r, jwt, context) {
        context.requireOnboarding('profile', { missing: ['email', { name: 'birthDate', label: 'Geburtsdatum', type: 'date', required: false, extra: 'dropped' }] });
      }`);
      const held = await world.login(described, await world.idToken());
      assert.equal(held.status, 234, JSON.stringify(held.body));
      assert.deepEqual(held.body.missing, ['email', { name: 'birthDate', label: 'Geburtsdatum', type: 'date', required: false }]);
      for (const entry of ["{ name: 'pin', type: 'password' }", "{ name: 'a b' }", "{ name: 'x', required: 'yes' }", "{ label: 'no name' }", "'email', 'email'"]) {
        const provider = await withLambda(`function reconcile(u, r, jwt, context) { context.requireOnboarding('profile', { missing: [${entry}] }); }`);
        const before = await userCount();
        const reply = await world.login(provider, await world.idToken());
        assert.equal(reply.status, 400, entry);
        const error = reply.body.generalErrors[0];
        assert.equal(error.code, '[LambdaInvocationException]', entry);
        assert.equal(error.data.reason, 'LAMBDA_BAD_OUTPUT', entry);
        assert.match(error.message, /missing\[\d\]|listed twice/, entry);
        assert.equal(await userCount(), before);
      }
    });

    it('a lambda that throws, loops or exhausts memory fails with a 400 naming it, an event log entry, nothing created', async () => {
      const cases: [string, RegExp][] = [
        [`function reconcile(user) { throw new Error('KVNR missing'); }`, /KVNR missing/],
        [`function reconcile(user) { while (true) {} }`, /did not finish/],
        [`function reconcile(user) { const a = []; while (true) a.push('x'.repeat(1024)); }`, /out of memory|did not finish/],
        [`function reconcile(user) { user.data = process.env; }`, /'?process'? is not defined/],
        [`function reconcile(user) { require('fs'); }`, /'?require'? is not defined/],
        [`function reconcile(user) { fetch('http://127.0.0.1/'); }`, /'?fetch'? is not defined/],
      ];
      for (const [body, message] of cases) {
        const lambdaId = await world.lambda(body);
        const provider = await world.provider({ lambdaConfiguration: { reconcileId: lambdaId } });
        const before = await userCount();
        const reply = await world.login(provider, await world.idToken());
        assert.equal(reply.status, 400, body);
        const error = reply.body.generalErrors[0];
        assert.equal(error.code, '[LambdaInvocationException]');
        assert.match(error.message, message);
        assert.match(error.message, new RegExp(lambdaId));
        assert.equal(error.data.lambdaId, lambdaId);
        assert.equal(await userCount(), before);
        const logged = await events(lambdaId);
        assert.ok(logged.some((e) => e.type === 'Error' && message.test(e.message)), body);
      }
    });

    it('console output goes to the event log; debug lines only when the lambda’s debug is on', async () => {
      const body = (tag: string) => `function reconcile(user, registration, jwt) { console.info('${tag} info'); console.debug('${tag} debug'); console.error('${tag} error'); }`;
      const quiet = await withLambda(body('quiet-lambda'));
      const loud = await withLambda(body('loud-lambda'), { debug: true });
      assert.equal((await world.login(quiet, await world.idToken())).status, 200);
      assert.equal((await world.login(loud, await world.idToken())).status, 200);
      const quietEvents = await events('quiet-lambda');
      assert.deepEqual(quietEvents.map((e) => e.type).sort(), ['Error', 'Information']);
      const loudEvents = await events('loud-lambda');
      assert.deepEqual(loudEvents.map((e) => e.type).sort(), ['Debug', 'Error', 'Information']);
    });

    it('with the provider’s debug on, each reconcile writes its step trace (no token, no claim values)', async () => {
      const provider = await world.provider({ debug: true, name: 'debug-trace-provider' });
      const token = await world.idToken({ 'urn:telematik:claims:email': 'trace-subject@example.de' });
      assert.equal((await world.login(provider, token)).status, 200);
      const traces = await events('debug-trace-provider');
      assert.equal(traces.length, 1);
      assert.equal(traces[0].type, 'Debug');
      for (const title of ['Signature', 'Issuer', 'Audience', 'Link', 'Saved']) assert.match(traces[0].message, new RegExp(title));
      assert.ok(!traces[0].message.includes(token.split('.')[2]), 'no token in the event log');
      await world.login(provider, await world.idToken({ aud: 'wrong' }));
      const failed = await events('debug-trace-provider');
      assert.equal(failed.length, 2);
      assert.match(failed[0].message, /FAIL Audience/);
    });

    it('POST /api/identity-provider/{id}/test shows every step and the resulting user, and writes nothing', async () => {
      const provider = await withLambda(`function reconcile(user, registration, jwt) { console.info('dry'); user.data.kvnr = jwt['urn:telematik:claims:id']; }`, {}, { enabled: false });
      const before = await userCount();
      const reply = await world.server.api('POST', `/api/identity-provider/${provider}/test`, { encodedJWT: await world.idToken(), applicationId: world.application.id });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const { result } = reply.body;
      assert.equal(result.success, true);
      assert.equal(result.decision, 'create');
      assert.equal(result.user.data.kvnr, 'X110411675');
      assert.deepEqual(result.registration.roles, ['patient']);
      assert.deepEqual(result.logs, [{ level: 'info', message: 'dry' }]);
      assert.deepEqual(
        result.steps.map((s: { title: string }) => s.title),
        ['Decode', 'Algorithm', 'Key', 'Signature', 'Expiry', 'Issuer', 'Audience', 'Unique id', 'Link', 'Lambda', 'Result'],
      );
      assert.equal(await userCount(), before);
      const bad = await world.server.api('POST', `/api/identity-provider/${provider}/test`, { encodedJWT: await world.idToken({ iss: 'https://evil.example/' }), applicationId: world.application.id });
      assert.equal(bad.status, 200);
      assert.equal(bad.body.result.success, false);
      assert.equal(bad.body.result.steps.at(-1).title, 'Issuer');
      assert.equal(bad.body.result.error.code, '[ExternalAuthenticationException]InvalidJWT');
    });
  });
}
