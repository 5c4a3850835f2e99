import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

/** The client library rejects with its ClientResponse on a non-2xx answer. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as { statusCode: number }).statusCode;
  }
}

const decodeHeader = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string; alg: string };

for (const kind of selectedKinds()) {
  describe(`FusionAuth client parity (${kind})`, () => {
    let world: IdpWorld;
    let client: FusionAuthClient;
    let login: { token: string; refreshToken: string; refreshTokenId: string; user: { id: string } };
    const created: string[] = [];
    let loginIdToken: string;

    before(async () => {
      // FusionAuth's client sends the client secret in the form (RFC 6749 §2.3.1 client_secret_post).
      world = await startIdpWorld(kind, { oauthConfiguration: { clientAuthenticationMethod: 'client_secret_post', enabledGrants: ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'] } });
      client = new FusionAuthClient(world.server.apiKey, world.server.url, DEFAULT_TENANT_ID);
      const providerId = await world.provider({ claimMap: { 'urn:telematik:claims:given_name': 'firstName', 'urn:telematik:claims:family_name': 'lastName' } });
      loginIdToken = await world.idToken({ 'urn:telematik:claims:email': 'darius.parity@example.de' });
      const reply = await world.login(providerId, loginIdToken);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      login = reply.body;
      for (const user of [
        { email: 'anna.jansen@example.de', firstName: 'Anna', lastName: 'Jansen' },
        { username: 'JAN_PIETER', fullName: 'Jan Pieter de Vries' },
        { email: 'percent@example.de', firstName: '100%' },
        { email: 'thousand@example.de', firstName: '1000' },
      ]) {
        created.push((await client.createUser(null as unknown as string, { user })).response.user!.id!);
      }
    });
    after(async () => world?.close());

    it('searchUsersByQuery: queryString matches email, username and names case-insensitively, with paging and a total', async () => {
      const jan = (await client.searchUsersByQuery({ search: { queryString: 'jan', sortFields: [{ name: 'email' }] } })).response;
      assert.equal(jan.total, 2);
      assert.deepEqual(jan.users!.map((u) => u.id), [created[0], created[1]], 'by email, the user without one last');
      const page = (await client.searchUsersByQuery({ search: { queryString: '*', numberOfResults: 2, startRow: 1, sortFields: [{ name: 'insertInstant' }] } })).response;
      assert.equal(page.total, 5);
      assert.deepEqual(page.users!.map((u) => u.id), [created[0], created[1]]);
      const names = (await client.searchUsersByQuery({ search: { queryString: 'DARIUS' } })).response;
      assert.deepEqual(names.users!.map((u) => u.id), [login.user.id]);
      assert.equal(names.users![0].registrations!.length, 1, 'users come with their registrations');
      const wildcard = (await client.searchUsersByQuery({ search: { queryString: 'pie*vries' } })).response;
      assert.deepEqual(wildcard.users!.map((u) => u.id), [created[1]]);
    });

    it('searchUsersByQuery: LIKE wildcards in the query are literal', async () => {
      const percent = (await client.searchUsersByQuery({ search: { queryString: '100%' } })).response;
      assert.deepEqual(percent.users!.map((u) => u.id), [created[2]]);
      const underscore = (await client.searchUsersByQuery({ search: { queryString: 'n_p' } })).response;
      assert.deepEqual(underscore.users!.map((u) => u.id), [created[1]], 'matches JAN_PIETER only, not any one character');
    });

    it('searchUsersByQuery: refuses unsupported criteria with precise field errors', async () => {
      try {
        await client.searchUsersByQuery({ search: { query: '{"match_all":{}}' } });
        assert.fail('expected a 400');
      } catch (error) {
        const { statusCode, exception } = error as { statusCode: number; exception: { fieldErrors: Record<string, { code: string }[]> } };
        assert.equal(statusCode, 400);
        assert.equal(exception.fieldErrors['search.query'][0].code, '[notSupported]search.query');
      }
    });

    it('searchUsersByIds: the users of those ids, unknown and malformed ids ignored', async () => {
      const found = (await client.searchUsersByIds([created[0], created[3], '6b1f9c7e-3c1a-4a57-9a39-2f1b1c0d9e11', 'nonsense'])).response;
      assert.equal(found.total, 2);
      assert.deepEqual(new Set(found.users!.map((u) => u.id)), new Set([created[0], created[3]]));
    });

    it('validateJWT: the claims of a live access token; 401 for anything else', async () => {
      const valid = (await client.validateJWT(login.token)).response;
      assert.equal(valid.jwt!.sub, login.user.id);
      assert.equal(valid.jwt!.iss, `${world.server.publicUrl}/t/default`);
      const [h, p, s] = login.token.split('.');
      const tampered = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      assert.equal(await statusOf(client.validateJWT(tampered)), 401);
      assert.equal(await statusOf(client.validateJWT('not-a-jwt')), 401);
    });

    it('retrieveJWTPublicKeys / retrieveJWTPublicKey / ByApplicationId: PEM keys that verify the access token', async () => {
      const { kid, alg } = decodeHeader(login.token);
      const all = (await client.retrieveJWTPublicKeys()).response;
      assert.ok(all.publicKeys![kid], 'the signing key is listed by kid');
      const one = (await client.retrieveJWTPublicKey(kid)).response;
      assert.equal(one.publicKey, all.publicKeys![kid]);
      const byApplication = (await client.retrieveJWTPublicKeyByApplicationId(world.application.id)).response;
      assert.equal(byApplication.publicKey, one.publicKey);
      assert.equal(alg, 'ES256');
      const [h, p, s] = login.token.split('.');
      const key = createPublicKey(one.publicKey!);
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')));
      assert.equal(await statusOf(client.retrieveJWTPublicKey('no-such-kid')), 404);
    });

    it('retrieveRefreshTokens: ids and metadata of the user’s refresh tokens, never the token', async () => {
      const reply = await client.retrieveRefreshTokens(login.user.id);
      const tokens = reply.response.refreshTokens!;
      assert.equal(tokens.length, 1);
      assert.equal(tokens[0].id, login.refreshTokenId);
      assert.equal(tokens[0].userId, login.user.id);
      assert.equal(tokens[0].applicationId, world.application.id);
      assert.equal(tokens[0].token, undefined);
      assert.ok(!JSON.stringify(reply.response).includes(login.refreshToken));
      assert.equal(await statusOf(client.retrieveRefreshTokens(created[0])), 200);
      assert.equal(await statusOf(client.retrieveRefreshTokens('6b1f9c7e-3c1a-4a57-9a39-2f1b1c0d9e11')), 404);
    });

    it('root aliases: JWKS, discovery and the OAuth endpoints of the default tenant at FusionAuth’s paths', async () => {
      const jwks = (await client.retrieveJsonWebKeySet()).response;
      assert.ok(jwks.keys!.some((k) => k.kid === decodeHeader(login.token).kid));
      const discovery = (await client.retrieveOpenIdConfiguration()).response;
      assert.equal(discovery.issuer, `${world.server.publicUrl}/t/default`, 'the issuer stays the tenant’s');
      const { clientId, clientSecret } = world.application.oauthConfiguration;
      assert.ok(clientSecret, 'a confidential client');
      const refreshed = (await client.exchangeRefreshTokenForAccessToken(login.refreshToken, clientId, clientSecret, '', '')).response;
      assert.equal(await statusOf(client.validateJWT(refreshed.access_token!)), 200, 'the root token endpoint issues tokens of the default tenant');
      assert.notEqual(refreshed.refresh_token, login.refreshToken, 'rotated');
      // RFC 7662 §2.1: introspection authenticates the client; the client's plain call sends only its id.
      assert.equal(await statusOf(client.introspectAccessToken(clientId, login.token)), 401);
    });

    it('retrieveUserInfoFromAccessToken: /oauth2/userinfo at the root is the default tenant’s userinfo endpoint', async () => {
      // OIDC Core §5.3: userinfo answers for a token granted `openid`; the login API's token is not.
      assert.equal(await statusOf(client.retrieveUserInfoFromAccessToken(login.token)), 403);
      const { clientId, clientSecret } = world.application.oauthConfiguration;
      const exchanged = await world.server.form('/oauth2/token', {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        client_id: clientId,
        client_secret: clientSecret!,
        subject_token: loginIdToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        scope: 'openid email',
      });
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
      const userinfo = (await client.retrieveUserInfoFromAccessToken(exchanged.body.access_token)).response;
      assert.equal(userinfo.sub, login.user.id);
      assert.equal(userinfo.email, 'darius.parity@example.de');
    });
  });
}
