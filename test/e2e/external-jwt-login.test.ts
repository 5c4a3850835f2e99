import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientKey } from '../helpers/client-keys.js';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID, MIMOTO_ISSUER, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

for (const kind of selectedKinds()) {
  describe(`External JWT login and reconcile (${kind})`, () => {
    let world: IdpWorld;
    let providerId: string;

    before(async () => {
      world = await startIdpWorld(kind);
      providerId = await world.provider({
        claimMap: { 'urn:telematik:claims:id': 'UserData', 'urn:telematik:claims:given_name': 'firstName', acr: 'RegistrationData' },
      });
    });
    after(async () => world?.close());

    const userCount = async () => world.server.gatehouse.services.store.users.count();

    it('logs a new user in with FusionAuth’s response and claim set, verified against the JWKS URL', async () => {
      const email = 'darius_michael@mail.boedefeld.de';
      const token = await world.idToken({ 'urn:telematik:claims:email': email, 'ext-mimoto-original-sub-unique': 'X110411675-first' });
      const reply = await world.login(providerId, token);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      const { user } = reply.body;
      assert.equal(user.email, email);
      assert.equal(user.firstName, 'Darius');
      assert.equal(user.data['urn:telematik:claims:id'], 'X110411675');
      assert.equal(user.registrations.length, 1);
      assert.equal(user.registrations[0].applicationId, world.application.id);
      assert.deepEqual(user.registrations[0].roles, ['patient']);
      assert.equal(user.registrations[0].data.acr, 'gematik-ehealth-loa-high');

      const claims = await world.verifyAccessToken(reply.body.token);
      for (const name of ['aud', 'exp', 'iat', 'iss', 'sub', 'jti', 'authenticationType', 'email', 'email_verified', 'applicationId', 'roles', 'tid', 'auth_time']) {
        assert.ok(name in claims, `claim ${name}`);
      }
      assert.equal(claims.sub, user.id);
      assert.equal(claims.aud, world.application.oauthConfiguration.clientId);
      assert.equal(claims.authenticationType, 'FEDERATED_JWT');
      assert.equal(claims.applicationId, world.application.id);
      assert.deepEqual(claims.roles, ['patient']);
      assert.equal(claims.tid, DEFAULT_TENANT_ID);
      assert.equal(reply.body.tokenExpirationInstant, (claims.exp as number) * 1000);
      assert.equal(typeof reply.body.refreshToken, 'string');
      assert.match(reply.body.refreshTokenId, /^[0-9a-f-]{36}$/);

      const link = await world.server.api('GET', `/api/identity-provider/link?identityProviderId=${providerId}&identityProviderUserId=X110411675-first`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(link.status, 200, JSON.stringify(link.body));
      assert.equal(link.body.identityProviderLink.userId, user.id);
      assert.equal(link.body.identityProviderLink.identityProviderType, 'ExternalJWT');
      assert.equal(link.body.identityProviderLink.displayName, email);
      assert.equal(link.body.identityProviderLink.token, undefined, 'the external token is not stored by a login');
    });

    it('finds a returning user by its link, not by email, and keeps one user', async () => {
      const first = await world.login(providerId, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-returning', 'urn:telematik:claims:email': 'before@example.de' }));
      assert.equal(first.status, 200);
      const count = await userCount();
      const again = await world.login(providerId, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-returning', 'urn:telematik:claims:email': 'after@example.de' }));
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.user.id, first.body.user.id);
      assert.equal(again.body.user.email, 'before@example.de', 'email of a linked user is not changed by a later token');
      assert.equal(await userCount(), count);
    });

    it('attribute mappings fill a new user but never change a linked user’s email or username', async () => {
      const mapped = await world.provider({ attributeMappings: { 'user.email': '/alt_email', 'user.data.insurer': '/urn:telematik:claims:organization' } });
      const token = (altEmail: string) => world.idToken({ 'ext-mimoto-original-sub-unique': 'X-mapped', alt_email: altEmail, 'urn:telematik:claims:organization': '109500969' });
      const first = await world.login(mapped, await token('first-mapped@example.de'));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.user.email, 'first-mapped@example.de');
      assert.equal(first.body.user.data.insurer, '109500969');
      const again = await world.login(mapped, await token('second-mapped@example.de'));
      assert.equal(again.body.user.email, 'first-mapped@example.de');
      const stored = await world.server.api('GET', `/api/user?email=first-mapped@example.de`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(stored.status, 200);
      assert.equal(stored.body.user.id, first.body.user.id);
    });

    it('POST /api/jwt/reconcile takes data.token and answers like the login API', async () => {
      const token = await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-reconcile' });
      // FusionAuth's documented example body (reconcile-request.json), with a token of this issuer.
      const reply = await world.server.api('POST', '/api/jwt/reconcile', { applicationId: world.application.id, data: { token }, identityProviderId: providerId, ipAddress: '192.168.1.42' }, { authorization: '' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(decode(reply.body.token).sub, reply.body.user.id);
    });

    it('accepts the FusionAuth flutter example body as it is (no API key, encodedJWT)', async () => {
      const token = await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-flutter' });
      const lambdaProvider = await world.provider({
        lambdaConfiguration: { reconcileId: await world.lambda('function reconcile(user, registration, jwt) { user.username = jwt["ext-mimoto-original-sub-unique"]; user.data.kvnr = jwt["urn:telematik:claims:id"]; }') },
      });
      const reply = await world.server.api('POST', '/api/identity-provider/login', JSON.stringify({ applicationId: world.application.id, encodedJWT: token, identityProviderId: lambdaProvider }), {
        authorization: '',
        'content-type': 'application/json; charset=UTF-8',
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.user.username, 'X-flutter');
      assert.match(reply.body.user.email, /@example\.de$/);
      assert.equal(reply.body.user.data.kvnr, 'X110411675');
    });

    it('answers 202 with a token but no roles when the user is not registered for the application', async () => {
      const noRegistration = await world.provider({ applicationConfiguration: { [world.application.id]: { enabled: true, createRegistration: false } } });
      const reply = await world.login(noRegistration, await world.idToken());
      assert.equal(reply.status, 202, JSON.stringify(reply.body));
      assert.deepEqual(reply.body.user.registrations, []);
      const claims = decode(reply.body.token);
      assert.equal(claims.applicationId, undefined);
      assert.equal(claims.roles, undefined);
      assert.equal(reply.body.refreshToken, undefined, 'no refresh token without a registration');
    });

    it('noJWT logs in without tokens; noLink refuses an unlinked identity with 404', async () => {
      const noJwt = await world.login(providerId, await world.idToken(), { noJWT: true });
      assert.equal(noJwt.status, 200);
      assert.equal(noJwt.body.token, undefined);
      assert.ok(noJwt.body.user.id);
      const count = await userCount();
      const noLink = await world.login(providerId, await world.idToken(), { noLink: true });
      assert.equal(noLink.status, 404);
      assert.equal(noLink.body.generalErrors[0].code, '[ExternalAuthenticationException]MissingUser');
      assert.equal(await userCount(), count);
    });

    it('refuses unknown or disabled providers and applications with 401, and bad bodies with 400', async () => {
      const token = await world.idToken();
      const unknown = await world.login('6b7b7d0e-2d0c-4a52-9d43-000000000000', token);
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.generalErrors[0].code, '[ExternalAuthenticationException]InvalidIdentityProviderId');
      const disabled = await world.provider({ enabled: false });
      assert.equal((await world.login(disabled, token)).status, 401);
      const otherApp = await world.server.api('POST', '/api/identity-provider/login', { applicationId: '6b7b7d0e-2d0c-4a52-9d43-000000000001', identityProviderId: providerId, encodedJWT: token }, { authorization: '' });
      assert.equal(otherApp.status, 401);
      assert.equal(otherApp.body.generalErrors[0].code, '[ExternalAuthenticationException]InvalidApplication');
      const notEnabled = await world.provider({ applicationConfiguration: {} });
      assert.equal((await world.login(notEnabled, token)).body.generalErrors[0].code, '[ExternalAuthenticationException]InvalidApplication');
      const wrongTenant = await world.server.api('POST', '/api/identity-provider/login', { applicationId: world.application.id, identityProviderId: providerId, encodedJWT: token }, { authorization: '', 'x-fusionauth-tenantid': '6b7b7d0e-2d0c-4a52-9d43-000000000002' });
      assert.equal(wrongTenant.status, 401);
      for (const body of ['[]', '"x"', '{"applicationId":', '']) {
        const reply = await world.server.api('POST', '/api/identity-provider/login', body, { authorization: '', 'content-type': 'application/json' });
        assert.equal(reply.status, 400, body);
      }
    });

    it('refuses every verification failure with 401 and a stable code, creating nothing', async () => {
      const count = await userCount();
      const stranger = await clientKey('ES256', world.issuerKey.kid);
      const cases: [string, string][] = [
        ['not-a-jwt', 'MALFORMED'],
        [await world.idToken({}, stranger), 'BAD_SIGNATURE'],
        [await world.idToken({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 4000 }), 'EXPIRED'],
        [await world.idToken({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'NOT_YET_VALID'],
        [await world.idToken({ iss: 'https://evil.example/' }), 'WRONG_ISSUER'],
        [await world.idToken({ aud: 'someone-else' }), 'WRONG_AUDIENCE'],
      ];
      for (const [token, reason] of cases) {
        const reply = await world.login(providerId, token);
        assert.equal(reply.status, 401, reason);
        assert.equal(reply.body.generalErrors[0].code, '[ExternalAuthenticationException]InvalidJWT', reason);
        assert.equal(reply.body.generalErrors[0].data.reason, reason);
      }
      const noId = await world.login(providerId, await world.idToken({ 'ext-mimoto-original-sub-unique': undefined }));
      assert.equal(noId.status, 401);
      assert.equal(noId.body.generalErrors[0].code, '[ExternalAuthenticationException]MissingUniqueId');
      const managed = await world.provider({ domains: ['acme.com'] });
      const outside = await world.login(managed, await world.idToken({ 'urn:telematik:claims:email': 'jenny@other.com' }));
      assert.equal(outside.status, 401);
      assert.equal(outside.body.generalErrors[0].code, '[ExternalAuthenticationException]DomainNotManaged');
      assert.equal(await userCount(), count);
    });

    it('GET /api/identity-provider/lookup finds the provider managing a domain, without an API key', async () => {
      const managed = await world.provider({ domains: ['Lookup.Example'] });
      const reply = await world.server.api('GET', '/api/identity-provider/lookup?domain=jenny@lookup.example', undefined, { authorization: '' });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.identityProvider.id, managed);
      assert.deepEqual(reply.body.identityProvider.applicationIds, [world.application.id]);
      assert.equal((await world.server.api('GET', '/api/identity-provider/lookup?domain=nobody.example', undefined, { authorization: '' })).status, 404);
      assert.equal((await world.server.api('GET', '/api/identity-provider/lookup', undefined, { authorization: '' })).status, 400);
    });

    it('rotates refresh tokens and revokes the family when a rotated one is used again', async () => {
      const login = await world.login(providerId, await world.idToken());
      const first = login.body.refreshToken as string;
      const refreshed = await world.server.api('POST', '/api/jwt/refresh', { refreshToken: first }, { authorization: '' });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.notEqual(refreshed.body.refreshToken, first);
      const claims = await world.verifyAccessToken(refreshed.body.token);
      assert.equal(claims.sub, login.body.user.id);
      assert.equal(claims.authenticationType, 'REFRESH_TOKEN');
      const second = refreshed.body.refreshToken as string;

      const reuse = await world.server.api('POST', '/api/jwt/refresh', { refreshToken: first }, { authorization: '' });
      assert.equal(reuse.status, 404);
      assert.equal(reuse.body.generalErrors[0].code, '[InvalidRefreshToken]REUSED');
      const afterReuse = await world.server.api('POST', '/api/jwt/refresh', { refreshToken: second }, { authorization: '' });
      assert.equal(afterReuse.status, 404, 'the whole family is revoked');
      assert.equal(afterReuse.body.generalErrors[0].code, '[InvalidRefreshToken]REVOKED');
      assert.equal((await world.server.api('POST', '/api/jwt/refresh', { refreshToken: 'nonsense' }, { authorization: '' })).status, 404);
      assert.equal((await world.server.api('POST', '/api/jwt/refresh', {}, { authorization: '' })).status, 400);
    });

    it('DELETE /api/jwt/refresh revokes a user’s refresh tokens (API key only)', async () => {
      const login = await world.login(providerId, await world.idToken());
      const userId = login.body.user.id as string;
      const headers = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };
      assert.equal((await world.server.api('DELETE', `/api/jwt/refresh?userId=${userId}`, undefined, { authorization: '' })).status, 401);
      assert.equal((await world.server.api('DELETE', '/api/jwt/refresh', undefined, headers)).status, 400);
      assert.equal((await world.server.api('DELETE', `/api/jwt/refresh?userId=${userId}`, undefined, headers)).status, 200);
      const refresh = await world.server.api('POST', '/api/jwt/refresh', { refreshToken: login.body.refreshToken }, { authorization: '' });
      assert.equal(refresh.status, 404);
      assert.equal(refresh.body.generalErrors[0].code, '[InvalidRefreshToken]REVOKED');
    });

    it('answers every malformed request with its status and code, creating nothing', async () => {
      const count = await userCount();
      const anonymous = { authorization: '' };
      const tenant = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };
      const general = (reply: { body: { generalErrors?: { code: string }[] } }) => reply.body.generalErrors?.[0]?.code;
      const field = (reply: { body: { fieldErrors?: Record<string, { code: string }[]> } }, name: string) => reply.body.fieldErrors?.[name]?.[0]?.code;
      const cases: [Promise<{ status: number; body: any }>, number, (reply: any) => string | undefined, string][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
        [world.server.api('POST', '/api/identity-provider/login', '[]', { ...anonymous, 'content-type': 'application/json' }), 400, general, '[invalid]body'],
        [world.server.api('POST', '/api/jwt/reconcile', '"token"', { ...anonymous, 'content-type': 'application/json' }), 400, general, '[invalid]body'],
        [world.server.api('POST', '/api/identity-provider/login', { applicationId: world.application.id, identityProviderId: providerId }, anonymous), 401, general, '[ExternalAuthenticationException]InvalidJWT'],
        [world.server.api('POST', `/api/identity-provider/onboarding/${DEFAULT_TENANT_ID}/complete`, { data: [] }, anonymous), 400, (r) => field(r, 'data'), '[invalid]data'],
        [world.server.api('POST', `/api/identity-provider/onboarding/${DEFAULT_TENANT_ID}/complete`, { data: {} }, anonymous), 404, general, '[PendingOnboardingNotFound]'],
        [world.server.api('POST', '/api/identity-provider/onboarding/not-a-uuid/complete', {}, anonymous), 404, general, '[PendingOnboardingNotFound]'],
        [world.server.api('POST', '/api/jwt/refresh', {}, anonymous), 400, (r) => field(r, 'refreshToken'), '[blank]refreshToken'],
        [world.server.api('POST', '/api/jwt/refresh', { refreshToken: 'x'.repeat(513) }, anonymous), 400, (r) => field(r, 'refreshToken'), '[blank]refreshToken'],
        [world.server.api('POST', '/api/jwt/refresh', { refreshToken: 'unknown' }, anonymous), 404, general, '[InvalidRefreshToken]NOT_FOUND'],
        [world.server.api('DELETE', '/api/jwt/refresh', undefined, tenant), 400, general, '[MissingQuery]'],
        [world.server.api('GET', '/api/identity-provider/lookup?domain=%20', undefined, anonymous), 400, (r) => field(r, 'domain'), '[blank]domain'],
        [world.server.api('GET', '/api/identity-provider/link', undefined, tenant), 400, (r) => field(r, 'userId'), '[blank]userId'],
        [world.server.api('GET', '/api/identity-provider/link?identityProviderUserId=x', undefined, tenant), 400, (r) => field(r, 'identityProviderId'), '[blank]identityProviderId'],
        [world.server.api('DELETE', '/api/identity-provider/link?identityProviderUserId=x', undefined, tenant), 400, general, '[invalid]link'],
        [
          world.server.api('POST', '/api/identity-provider/link', { pendingIdPLinkId: DEFAULT_TENANT_ID, identityProviderLink: { userId: DEFAULT_TENANT_ID } }, tenant),
          400,
          (r) => field(r, 'pendingIdPLinkId'),
          '[invalid]pendingIdPLinkId',
        ],
        [
          world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: providerId, identityProviderUserId: 'x', userId: DEFAULT_TENANT_ID } }, tenant),
          400,
          (r) => field(r, 'identityProviderLink.userId'),
          '[invalid]identityProviderLink.userId',
        ],
        [
          world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: DEFAULT_TENANT_ID, identityProviderUserId: 'x', userId: DEFAULT_TENANT_ID } }, tenant),
          400,
          (r) => field(r, 'identityProviderLink.identityProviderId'),
          '[invalid]identityProviderLink.identityProviderId',
        ],
      ];
      for (const [pending, status, codeOf, code] of cases) {
        const reply = await pending;
        assert.equal(reply.status, status, `${code}: ${JSON.stringify(reply.body)}`);
        assert.equal(codeOf(reply), code, JSON.stringify(reply.body));
      }
      assert.equal(await userCount(), count);
    });

    it('the provider dry run names a missing tenant and reports an onboarding without calling it a pending link', async () => {
      const global = await world.provider({ applicationConfiguration: {} });
      const noTenant = await world.server.api('POST', `/api/identity-provider/${global}/test`, { encodedJWT: await world.idToken() });
      assert.equal(noTenant.status, 200);
      assert.equal(noTenant.body.result.success, false);
      assert.equal(noTenant.body.result.error.code, '[ExternalAuthenticationException]InvalidApplication');
      const onboarding = await world.provider({ lambdaConfiguration: { reconcileId: await world.lambda("function reconcile(u, r, jwt, context) { context.requireOnboarding('consent', { missing: ['consent'] }); }") } });
      const dry = await world.server.api('POST', `/api/identity-provider/${onboarding}/test`, { encodedJWT: await world.idToken(), applicationId: world.application.id });
      assert.equal(dry.body.result.success, true);
      assert.equal(dry.body.result.decision, undefined);
      assert.deepEqual(dry.body.result.onboarding, { reason: 'consent', missing: ['consent'] });
    });

    it('creates exactly one user and link when the same identity logs in concurrently', async () => {
      const count = await userCount();
      const tokens = await Promise.all(Array.from({ length: 8 }, () => world.idToken({ 'ext-mimoto-original-sub-unique': 'X-concurrent', 'urn:telematik:claims:email': 'concurrent@example.de' })));
      const replies = await Promise.all(tokens.map((token) => world.login(providerId, token)));
      for (const reply of replies) assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(new Set(replies.map((r) => r.body.user.id)).size, 1);
      assert.equal(await userCount(), count + 1);
      const links = await world.server.api('GET', `/api/identity-provider/link?userId=${replies[0].body.user.id}`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(links.body.identityProviderLinks.length, 1);
    });

    it('keeps issuer and audience checks that Keycloak V1 skips (token issued to another client)', async () => {
      const token = await world.idToken({ aud: 'another-mimoto-client', iss: MIMOTO_ISSUER });
      const reply = await world.login(providerId, token);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.generalErrors[0].data.reason, 'WRONG_AUDIENCE');
    });
  });
}
