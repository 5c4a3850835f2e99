import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { selectedKinds } from '../helpers/databases.js';
import { createApplication, tokenPath } from '../helpers/fixtures.js';
import { MIMOTO_ISSUER, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TYPE = 'urn:ietf:params:oauth:token-type:';
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

for (const kind of selectedKinds()) {
  describe(`token endpoint: token exchange, JWT bearer and refresh (${kind})`, () => {
    let world: IdpWorld;
    let providerId: string;
    let secret: string;
    let publicApp: { id: string; oauthConfiguration: { clientId: string } };
    const clientId = 'token-exchange-client';

    before(async () => {
      world = await startIdpWorld(kind, {
        oauthConfiguration: { clientId, clientAuthenticationMethod: 'client_secret_post', enabledGrants: [TOKEN_EXCHANGE, 'refresh_token', JWT_BEARER] },
      });
      secret = world.application.oauthConfiguration.clientSecret!;
      publicApp = await createApplication(world.server, {
        name: `mobile-${randomUUID()}`,
        oauthConfiguration: { clientId: 'mobile-app', clientAuthenticationMethod: 'none', enabledGrants: [TOKEN_EXCHANGE] },
      });
      providerId = await world.provider({
        name: 'mimoto',
        applicationConfiguration: { [world.application.id]: { enabled: true, createRegistration: true }, [publicApp.id]: { enabled: true, createRegistration: true } },
      });
    });
    after(async () => world?.close());

    const exchange = (params: Record<string, string>) =>
      world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: TOKEN_EXCHANGE, ...params });

    it('answers the Keycloak mobile example body (flutter-keycloak-ce) with Gatehouse tokens', async () => {
      const idToken = await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-exchange' });
      const reply = await exchange({ subject_token: idToken, subject_issuer: MIMOTO_ISSUER, subject_token_type: `${TYPE}id_token`, audience: clientId, scope: 'openid email profile' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(reply.body.issued_token_type, `${TYPE}access_token`);
      assert.equal(reply.body.token_type, 'Bearer');
      assert.equal(reply.body.scope, 'openid email profile');
      assert.ok(reply.body.expires_in > 0);
      const claims = await world.verifyAccessToken(reply.body.access_token);
      assert.equal(claims.authenticationType, 'TOKEN_EXCHANGE');
      assert.equal(claims.aud, clientId);
      const idClaims = await world.verifyAccessToken(reply.body.id_token);
      assert.equal(idClaims.sub, claims.sub);
      assert.equal(idClaims.aud, clientId);
      assert.equal(typeof reply.body.refresh_token, 'string');

      // The same identity again: the same user (the link holds), found without subject_issuer.
      const again = await exchange({ subject_token: await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-exchange' }), subject_token_type: `${TYPE}jwt` });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(decode(again.body.access_token).sub, claims.sub);
      assert.equal(again.body.id_token, undefined, 'no ID token without openid');
    });

    it('issues a refresh or ID token when requested, typed N_A', async () => {
      const refresh = await exchange({ subject_token: await world.idToken(), subject_token_type: `${TYPE}jwt`, requested_token_type: `${TYPE}refresh_token` });
      assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
      assert.equal(refresh.body.issued_token_type, `${TYPE}refresh_token`);
      assert.equal(refresh.body.token_type, 'N_A');
      const used = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: refresh.body.access_token });
      assert.equal(used.status, 200, JSON.stringify(used.body));
      const id = await exchange({ subject_token: await world.idToken(), subject_token_type: `${TYPE}jwt`, requested_token_type: `${TYPE}id_token` });
      assert.equal(id.body.issued_token_type, `${TYPE}id_token`);
      assert.ok(decode(id.body.access_token).auth_time);
    });

    it('refuses invalid subject tokens and unsupported parameters with RFC 8693 errors', async () => {
      const valid = await world.idToken();
      const cases: [Record<string, string>, string, number][] = [
        [{ subject_token: await world.idToken({ aud: 'another-client' }), subject_token_type: `${TYPE}jwt` }, 'invalid_request', 400],
        [{ subject_token: 'garbage', subject_token_type: `${TYPE}jwt`, subject_issuer: 'mimoto' }, 'invalid_request', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}access_token` }, 'invalid_request', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}jwt`, actor_token: valid, actor_token_type: `${TYPE}jwt` }, 'invalid_request', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}jwt`, audience: 'someone-else' }, 'invalid_target', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}jwt`, resource: 'https://api.example/' }, 'invalid_target', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}jwt`, scope: 'admin:everything' }, 'invalid_scope', 400],
        [{ subject_token: valid, subject_token_type: `${TYPE}jwt`, subject_issuer: 'unknown-provider' }, 'invalid_request', 400],
        [{ subject_token_type: `${TYPE}jwt` }, 'invalid_request', 400],
      ];
      for (const [params, error, status] of cases) {
        const reply = await exchange(params);
        assert.equal(reply.status, status, JSON.stringify(params));
        assert.equal(reply.body.error, error, JSON.stringify(reply.body));
      }
      const wrongAudience = await exchange({ subject_token: await world.idToken({ aud: 'another-client' }), subject_token_type: `${TYPE}jwt` });
      assert.equal(wrongAudience.body.code, '[ExternalAuthenticationException]InvalidJWT');
      assert.equal(wrongAudience.body.reason, 'WRONG_AUDIENCE');
    });

    it('public clients exchange only where the provider’s application configuration allows it', async () => {
      const params = { client_id: 'mobile-app', grant_type: TOKEN_EXCHANGE, subject_token_type: `${TYPE}jwt` };
      const refused = await world.server.form(tokenPath(), { ...params, subject_token: await world.idToken() });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'unauthorized_client');
      const allowed = await world.provider({
        issuer: 'https://other-broker.example/',
        applicationConfiguration: { [publicApp.id]: { enabled: true, createRegistration: true, allowPublicClients: true } },
      });
      const reply = await world.server.form(tokenPath(), { ...params, subject_token: await world.idToken({ iss: 'https://other-broker.example/' }) });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const stored = await world.server.gatehouse.services.store.identityProviders.findById(allowed);
      assert.equal(stored?.applicationConfiguration[publicApp.id].allowPublicClients, true);
    });

    it('a reject or an onboarding keeps the lambda’s code and the pending id in the OAuth error', async () => {
      const lambda = await world.lambda(`function reconcile(user, registration, jwt, context) {
        if (jwt.acr !== 'gematik-ehealth-loa-high') return context.reject('LoaTooLow', 'LoA high required.');
        const email = jwt['urn:telematik:claims:email'] || (context.input && context.input.email);
        if (!email) return context.requireOnboarding('email-required', { missing: ['email'] });
        user.email = email;
      }`);
      await world.provider({ issuer: 'https://lambda-broker.example/', lambdaConfiguration: { reconcileId: lambda } });
      const rejected = await exchange({ subject_token: await world.idToken({ iss: 'https://lambda-broker.example/', acr: 'low' }), subject_token_type: `${TYPE}jwt` });
      assert.equal(rejected.status, 400);
      assert.equal(rejected.body.error, 'invalid_request');
      assert.equal(rejected.body.code, 'LoaTooLow');
      assert.equal(rejected.body.error_description, 'LoA high required.');
      const onboarding = await exchange({ subject_token: await world.idToken({ iss: 'https://lambda-broker.example/', 'urn:telematik:claims:email': undefined }), subject_token_type: `${TYPE}jwt` });
      assert.equal(onboarding.status, 400);
      assert.equal(onboarding.body.code, 'OnboardingRequired');
      assert.match(onboarding.body.pending_onboarding_id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(onboarding.body.missing, ['email']);
      const done = await world.server.api('POST', `/api/identity-provider/onboarding/${onboarding.body.pending_onboarding_id}/complete`, { data: { email: 'later@example.de' } }, { authorization: '' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    });

    it('refresh_token grant: only for the client it was issued to; reuse revokes the family; revocation revokes it', async () => {
      const first = await exchange({ subject_token: await world.idToken(), subject_token_type: `${TYPE}jwt` });
      const refreshToken = first.body.refresh_token as string;
      const other = await createApplication(world.server, { name: `other-${randomUUID()}`, oauthConfiguration: { clientId: `other-${randomUUID()}`, enabledGrants: ['refresh_token'] } });
      const stolen = await world.server.form(tokenPath(), { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: `Basic ${Buffer.from(`${other.oauthConfiguration.clientId}:${other.oauthConfiguration.clientSecret}`).toString('base64')}` });
      assert.equal(stolen.status, 400);
      assert.equal(stolen.body.error, 'invalid_grant');

      const rotated = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: refreshToken });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.notEqual(rotated.body.refresh_token, refreshToken);
      assert.equal(rotated.body.token_type, 'Bearer');
      const otherScope = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token, scope: 'openid' });
      assert.equal(otherScope.status, 400);
      assert.equal(otherScope.body.error, 'invalid_scope');
      const reused = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: refreshToken });
      assert.equal(reused.body.error, 'invalid_grant');
      const family = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token });
      assert.equal(family.body.error, 'invalid_grant', 'the rotated successor is revoked with its family');

      const fresh = (await exchange({ subject_token: await world.idToken(), subject_token_type: `${TYPE}jwt` })).body.refresh_token as string;
      const revoke = await world.server.form(`/t/default/oauth2/revoke`, { client_id: clientId, client_secret: secret, token: fresh });
      assert.equal(revoke.status, 200);
      const afterRevoke = await world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: fresh });
      assert.equal(afterRevoke.body.error, 'invalid_grant');
    });

    it('JWT bearer (RFC 7523) logs in a linked user once per assertion; unlinked users and foreign audiences are refused', async () => {
      const tokenUrl = `${world.server.publicUrl}${tokenPath()}`;
      const linkedId = 'X-bearer-linked';
      assert.equal((await world.login(providerId, await world.idToken({ 'ext-mimoto-original-sub-unique': linkedId }))).status, 200);
      const assertion = (claims: Record<string, unknown>) => {
        const now = Math.floor(Date.now() / 1000);
        const payload: Record<string, unknown> = { iss: MIMOTO_ISSUER, aud: tokenUrl, sub: 'ignored', 'ext-mimoto-original-sub-unique': linkedId, iat: now, exp: now + 120, jti: randomUUID(), ...claims };
        for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
        return new SignJWT(payload).setProtectedHeader({ alg: world.issuerKey.alg, kid: world.issuerKey.kid }).sign(world.issuerKey.privateKey);
      };
      const bearer = (token: string) => world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, grant_type: JWT_BEARER, assertion: token });

      const token = await assertion({});
      const reply = await bearer(token);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal((await world.verifyAccessToken(reply.body.access_token)).authenticationType, 'JWT_BEARER');
      assert.equal(reply.body.refresh_token, undefined);
      const replay = await bearer(token);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal(replay.body.reason, 'REPLAYED');

      const notLinked = await bearer(await assertion({ 'ext-mimoto-original-sub-unique': 'X-never-seen' }));
      assert.equal(notLinked.body.error, 'invalid_grant');
      assert.equal(notLinked.body.code, '[ExternalAuthenticationException]MissingUser');
      const foreign = await bearer(await assertion({ aud: 'some-other-server' }));
      assert.equal(foreign.body.reason, 'WRONG_AUDIENCE');
      const longLived = await bearer(await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 }));
      assert.equal(longLived.body.error, 'invalid_grant');
      assert.equal(longLived.body.reason, 'LIFETIME_TOO_LONG');
      const noJti = await bearer(await assertion({ jti: undefined }));
      assert.equal(noJti.body.error, 'invalid_grant');
    });

    it('publishes the new grant types in the authorization server metadata', async () => {
      const metadata = await world.server.api('GET', '/t/default/.well-known/oauth-authorization-server');
      for (const grant of [TOKEN_EXCHANGE, JWT_BEARER, 'refresh_token']) assert.ok(metadata.body.grant_types_supported.includes(grant), grant);
    });
  });
}
