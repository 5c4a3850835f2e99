import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticateClient } from '../../../src/oauth/client-auth/authenticate-client.js';
import { OAuthError } from '../../../src/oauth/errors.js';
import type { OAuthErrorCode } from '../../../src/oauth/errors.js';
import type { Application } from '../../../src/store/records.js';
import { ASSERTION_TYPE, clientKey, jwks, signAssertion } from '../../helpers/client-keys.js';
import type { ClientKey } from '../../helpers/client-keys.js';
import { createOAuthWorld, PUBLIC_URL } from '../../helpers/oauth-context.js';
import type { OAuthWorld } from '../../helpers/oauth-context.js';

const SECRET = 'a-client-secret-of-at-least-32-characters';
const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** RFC 6749 §2.3 client authentication: exactly one method, fitting the registered one, of an active client. */
describe('client authentication (oauth/client-auth)', () => {
  let world: OAuthWorld;
  let basicClient: Application;
  let postClient: Application;
  let publicClient: Application;
  let jwtClient: Application;
  let inactive: Application;
  let key: ClientKey;

  before(async () => {
    world = await createOAuthWorld();
    key = await clientKey('ES256');
    basicClient = await world.application({}, {}, SECRET);
    postClient = await world.application({ clientAuthenticationMethod: 'client_secret_post' }, {}, SECRET);
    publicClient = await world.application({ clientAuthenticationMethod: 'none' });
    jwtClient = await world.application({ clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(key) });
    inactive = await world.application({}, { active: false }, SECRET);
  });
  after(async () => world?.close());

  const authenticate = (params: Record<string, string>, authorization?: string) =>
    authenticateClient(world.ctx, { tenant: world.tenant, params: new Map(Object.entries(params)), authorization });
  const refusal = async (promise: Promise<unknown>): Promise<{ error: OAuthErrorCode; basicChallenge: boolean } | 'authenticated'> => {
    try {
      await promise;
      return 'authenticated';
    } catch (error) {
      if (error instanceof OAuthError) return { error: error.error, basicChallenge: error.basicChallenge };
      throw error;
    }
  };
  const assertion = (clientId: string) =>
    signAssertion(key, { clientId, audience: `${PUBLIC_URL}/t/unit/oauth2/token`, nowSeconds: Math.floor(world.clock.now() / 1000) });

  it('client_secret_basic and client_secret_post authenticate the client registered for them', async () => {
    const viaBasic = await authenticate({}, basic(basicClient.oauthConfiguration.clientId, SECRET));
    assert.equal(viaBasic.application.id, basicClient.id);
    assert.equal(viaBasic.method, 'client_secret_basic');
    const viaPost = await authenticate({ client_id: postClient.oauthConfiguration.clientId, client_secret: SECRET });
    assert.equal(viaPost.application.id, postClient.id);
    assert.equal(viaPost.method, 'client_secret_post');
  });

  it('a public client is identified by client_id alone; private_key_jwt by a signed assertion', async () => {
    const viaNone = await authenticate({ client_id: publicClient.oauthConfiguration.clientId });
    assert.equal(viaNone.method, 'none');
    assert.equal(viaNone.application.id, publicClient.id);
    const viaJwt = await authenticate({ client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(jwtClient.oauthConfiguration.clientId) });
    assert.equal(viaJwt.method, 'private_key_jwt');
    assert.equal(viaJwt.application.id, jwtClient.id);
  });

  it('more than one method is invalid_request (§2.3), with the Basic challenge when Basic was one of them', async () => {
    const clientId = basicClient.oauthConfiguration.clientId;
    assert.deepEqual(await refusal(authenticate({ client_id: clientId, client_secret: SECRET }, basic(clientId, SECRET))), { error: 'invalid_request', basicChallenge: true });
    assert.deepEqual(
      await refusal(authenticate({ client_id: postClient.oauthConfiguration.clientId, client_secret: SECRET, client_assertion_type: ASSERTION_TYPE, client_assertion: 'x.y.z' })),
      { error: 'invalid_request', basicChallenge: false },
    );
  });

  it('a client secret is accepted by either secret method, whichever was registered (RFC 6749 §2.3.1)', async () => {
    // Deliberately changed: these two were invalid_client while the method had to be exactly the registered one.
    const basicForPost = await authenticate({}, basic(postClient.oauthConfiguration.clientId, SECRET));
    assert.deepEqual([basicForPost.application.id, basicForPost.method], [postClient.id, 'client_secret_basic']);
    const postForBasic = await authenticate({ client_id: basicClient.oauthConfiguration.clientId, client_secret: SECRET });
    assert.deepEqual([postForBasic.application.id, postForBasic.method], [basicClient.id, 'client_secret_post']);
    // Still a secret check: the wrong secret fails either way.
    assert.deepEqual(await refusal(authenticate({ client_id: basicClient.oauthConfiguration.clientId, client_secret: `${SECRET}-wrong` })), { error: 'invalid_client', basicChallenge: false });
    assert.deepEqual(await refusal(authenticate({}, basic(postClient.oauthConfiguration.clientId, `${SECRET}-wrong`))), { error: 'invalid_client', basicChallenge: true });
  });

  it('private_key_jwt and none stay exact: any other method is invalid_client', async () => {
    assert.deepEqual(await refusal(authenticate({ client_id: jwtClient.oauthConfiguration.clientId, client_secret: SECRET })), { error: 'invalid_client', basicChallenge: false });
    assert.deepEqual(await refusal(authenticate({}, basic(publicClient.oauthConfiguration.clientId, SECRET))), { error: 'invalid_client', basicChallenge: true });
    assert.deepEqual(
      await refusal(authenticate({ client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(basicClient.oauthConfiguration.clientId) })),
      { error: 'invalid_client', basicChallenge: false },
    );
    assert.deepEqual(await refusal(authenticate({ client_id: basicClient.oauthConfiguration.clientId })), { error: 'invalid_client', basicChallenge: false });
    assert.deepEqual(await refusal(authenticate({ client_id: jwtClient.oauthConfiguration.clientId })), { error: 'invalid_client', basicChallenge: false });
    assert.deepEqual(
      await refusal(authenticate({ client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(publicClient.oauthConfiguration.clientId) })),
      { error: 'invalid_client', basicChallenge: false },
    );
  });

  it('an unknown, overlong or inactive client, or a wrong secret, is invalid_client', async () => {
    const signed = await assertion('no-such-client');
    const cases: (() => Promise<unknown>)[] = [
      () => authenticate({}, basic('no-such-client', SECRET)),
      () => authenticate({}, basic('x'.repeat(192), SECRET)),
      () => authenticate({}, basic(inactive.oauthConfiguration.clientId, SECRET)),
      () => authenticate({}, basic(basicClient.oauthConfiguration.clientId, `${SECRET}-wrong`)),
      () => authenticate({ client_id: 'no-such-client' }),
      () => authenticate({ client_id: inactive.oauthConfiguration.clientId, client_secret: SECRET }),
      () => authenticate({ client_assertion_type: ASSERTION_TYPE, client_assertion: signed }),
      () => authenticate({}),
    ];
    for (const [index, attempt] of cases.entries()) assert.equal(((await refusal(attempt())) as { error: string }).error, 'invalid_client', `case ${index}`);
  });

  it('a client deactivated after it was read is refused once the configuration cache is cleared (as every write does)', async () => {
    const client = await world.application({ clientAuthenticationMethod: 'none' });
    assert.equal((await authenticate({ client_id: client.oauthConfiguration.clientId })).application.id, client.id);
    await world.store.applications.update({ ...client, active: false, lastUpdateInstant: world.clock.now() });
    world.ctx.configuration.clear();
    assert.deepEqual(await refusal(authenticate({ client_id: client.oauthConfiguration.clientId })), { error: 'invalid_client', basicChallenge: false });
  });
});
