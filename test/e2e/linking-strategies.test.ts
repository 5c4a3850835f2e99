import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

const TENANT = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

for (const kind of selectedKinds()) {
  describe(`linking strategies (${kind})`, () => {
    let world: IdpWorld;

    before(async () => {
      world = await startIdpWorld(kind);
    });
    after(async () => world?.close());

    const createUser = async (fields: Record<string, unknown>) => {
      const reply = await world.server.api('POST', '/api/user', { user: fields }, TENANT);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.user.id as string;
    };
    const code = (reply: { body: { generalErrors?: { code: string }[] } }) => reply.body.generalErrors?.[0]?.code;
    const uniqueEmail = () => `u-${randomUUID().slice(0, 8)}@example.de`;
    const links = async (userId: string) => (await world.server.api('GET', `/api/identity-provider/link?userId=${userId}`, undefined, TENANT)).body.identityProviderLinks as unknown[];

    it('LinkByEmail links an existing user by email, creates one otherwise', async () => {
      const provider = await world.provider({ linkingStrategy: 'LinkByEmail' });
      const email = uniqueEmail();
      const existing = await createUser({ email });
      const linked = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email.toUpperCase() }));
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal(linked.body.user.id, existing);
      const created = await world.login(provider, await world.idToken());
      assert.equal(created.status, 200);
      assert.notEqual(created.body.user.id, existing);
    });

    it('LinkByEmail refuses an email the token marks unverified, and a user linked under another id', async () => {
      const provider = await world.provider({ linkingStrategy: 'LinkByEmail' });
      const email = uniqueEmail();
      const existing = await createUser({ email });
      const unverified = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email, email_verified: false }));
      assert.equal(unverified.status, 401);
      assert.equal(code(unverified), '[ExternalAuthenticationException]UnverifiedEmail');
      assert.equal((await links(existing)).length, 0);
      // Only boolean true and "true" mean verified: every other present value blocks the link.
      for (const value of ['False', 'FALSE', 0, '0', null]) {
        const refused = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email, email_verified: value }));
        assert.equal(refused.status, 401, JSON.stringify(value));
        assert.equal(code(refused), '[ExternalAuthenticationException]UnverifiedEmail', JSON.stringify(value));
      }
      assert.equal((await links(existing)).length, 0);

      assert.equal((await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email, 'ext-mimoto-original-sub-unique': 'X-first-id' }))).status, 200);
      const second = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email, 'ext-mimoto-original-sub-unique': 'X-second-id' }));
      assert.equal(second.status, 409);
      assert.equal(code(second), '[ExternalAuthenticationException]UserAlreadyLinked');
    });

    it('LinkByEmail without an email claim and no lambda to set one: MissingEmail, nothing created', async () => {
      const provider = await world.provider({ linkingStrategy: 'LinkByEmail' });
      const before = await world.server.gatehouse.services.store.users.count();
      for (const email of [undefined, '', '   ']) {
        const reply = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email }));
        assert.equal(reply.status, 400);
        assert.equal(code(reply), '[ExternalAuthenticationException]MissingEmail');
      }
      assert.equal(await world.server.gatehouse.services.store.users.count(), before);
    });

    it('LinkByEmailForExistingUser never creates a user', async () => {
      const provider = await world.provider({ linkingStrategy: 'LinkByEmailForExistingUser' });
      const missing = await world.login(provider, await world.idToken());
      assert.equal(missing.status, 404);
      assert.equal(code(missing), '[ExternalAuthenticationException]UserDoesNotExistByEmail');
      const email = uniqueEmail();
      const existing = await createUser({ email });
      const reply = await world.login(provider, await world.idToken({ 'urn:telematik:claims:email': email }));
      assert.equal(reply.status, 200);
      assert.equal(reply.body.user.id, existing);
    });

    it('LinkByUsername and LinkByUsernameForExistingUser use the username claim', async () => {
      const oauth2 = { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email', usernameClaim: 'ext-mimoto-original-sub-unique' };
      const byUsername = await world.provider({ linkingStrategy: 'LinkByUsername', oauth2 });
      const existing = await createUser({ username: 'X-username-1' });
      const linked = await world.login(byUsername, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-username-1' }));
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal(linked.body.user.id, existing);
      const created = await world.login(byUsername, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-username-2', 'urn:telematik:claims:email': undefined }));
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.user.username, 'X-username-2');

      const existingOnly = await world.provider({ linkingStrategy: 'LinkByUsernameForExistingUser', oauth2 });
      const missing = await world.login(existingOnly, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-username-3' }));
      assert.equal(missing.status, 404);
      assert.equal(code(missing), '[ExternalAuthenticationException]UserDoesNotExistByUsername');
    });

    it('LinkAnonymously creates a user without email or username and finds it again', async () => {
      const provider = await world.provider({ linkingStrategy: 'LinkAnonymously' });
      const token = await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-anonymous' });
      const first = await world.login(provider, token);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.user.email, undefined);
      assert.equal(first.body.user.username, undefined);
      const again = await world.login(provider, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-anonymous' }));
      assert.equal(again.body.user.id, first.body.user.id);
    });

    it('Disabled logs in only identities linked through the Link API', async () => {
      const provider = await world.provider({ linkingStrategy: 'Disabled' });
      const token = await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-disabled' });
      const refused = await world.login(provider, token);
      assert.equal(refused.status, 404);
      assert.equal(code(refused), '[ExternalAuthenticationException]LinkingDisabled');
      const userId = await createUser({ email: uniqueEmail() });
      const link = await world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: provider, identityProviderUserId: 'X-disabled', userId, displayName: 'Darius' } }, TENANT);
      assert.equal(link.status, 200, JSON.stringify(link.body));
      const reply = await world.login(provider, token);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.user.id, userId);
      const duplicate = await world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: provider, identityProviderUserId: 'X-disabled', userId } }, TENANT);
      assert.equal(duplicate.status, 400);
      const unlink = await world.server.api('DELETE', `/api/identity-provider/link?identityProviderId=${provider}&identityProviderUserId=X-disabled&userId=${userId}`, undefined, TENANT);
      assert.equal(unlink.status, 200);
      assert.equal((await world.login(provider, token)).status, 404);
    });

    it('CreatePendingLink answers 232, and the Link API completes the pending link once', async () => {
      const provider = await world.provider({ linkingStrategy: 'CreatePendingLink' });
      const before = await world.server.gatehouse.services.store.users.count();
      const pending = await world.login(provider, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-pending' }));
      assert.equal(pending.status, 232, JSON.stringify(pending.body));
      const id = pending.body.pendingIdPLinkId as string;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(Object.keys(pending.body), ['pendingIdPLinkId']);
      assert.equal(await world.server.gatehouse.services.store.users.count(), before);

      const shown = await world.server.api('GET', `/api/identity-provider/link/pending/${id}`, undefined, TENANT);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.pendingIdPLink.identityProviderUserId, 'X-pending');
      const userId = await createUser({ email: uniqueEmail() });
      const complete = await world.server.api('POST', '/api/identity-provider/link', { pendingIdPLinkId: id, identityProviderLink: { userId } }, TENANT);
      assert.equal(complete.status, 200, JSON.stringify(complete.body));
      assert.equal(complete.body.identityProviderLink.identityProviderUserId, 'X-pending');
      const again = await world.server.api('POST', '/api/identity-provider/link', { pendingIdPLinkId: id, identityProviderLink: { userId } }, TENANT);
      assert.equal(again.status, 400);
      const login = await world.login(provider, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-pending' }));
      assert.equal(login.status, 200);
      assert.equal(login.body.user.id, userId);
    });

    it('the tenant link-count limit holds for the Link API', async () => {
      const provider = await world.provider({ linkingStrategy: 'Disabled', tenantConfiguration: { [DEFAULT_TENANT_ID]: { limitUserLinkCount: { enabled: true, maximumLinks: 2 } } } });
      const userId = await createUser({ email: uniqueEmail() });
      for (const id of ['L-1', 'L-2']) {
        const reply = await world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: provider, identityProviderUserId: id, userId } }, TENANT);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      }
      const third = await world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: provider, identityProviderUserId: 'L-3', userId } }, TENANT);
      assert.equal(third.status, 400);
      assert.equal(code(third), '[LinkCountExceeded]');
      assert.equal((await links(userId)).length, 2);
    });

    it('the Link API validates its body and needs an API key', async () => {
      const bad = await world.server.api('POST', '/api/identity-provider/link', { identityProviderLink: {} }, TENANT);
      assert.equal(bad.status, 400);
      assert.ok(bad.body.fieldErrors['identityProviderLink.userId']);
      const anonymous = await world.server.api('GET', `/api/identity-provider/link?userId=${randomUUID()}`, undefined, { authorization: '' });
      assert.equal(anonymous.status, 401);
    });
  });
}
