import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

const TENANT = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };
const OTHER_TENANT = { 'x-fusionauth-tenantid': '00000000-0000-4000-8000-0000000000ff' };

for (const kind of selectedKinds()) {
  describe(`pending links and onboardings listed for the operator (${kind})`, () => {
    let world: IdpWorld;
    let linkId: string;
    let onboardingId: string;

    before(async () => {
      world = await startIdpWorld(kind);
      const pendingProvider = await world.provider({ linkingStrategy: 'CreatePendingLink' });
      const linkReply = await world.login(pendingProvider, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-listed-link', 'urn:telematik:claims:email': 'listed@example.de' }));
      assert.equal(linkReply.status, 232, JSON.stringify(linkReply.body));
      linkId = linkReply.body.pendingIdPLinkId as string;
      const lambda = await world.lambda('function reconcile(u, r, jwt, context) { if (!context.input) context.requireOnboarding("consent", { missing: [{ name: "consent", type: "checkbox", required: true }] }); }');
      const onboardingProvider = await world.provider({ lambdaConfiguration: { reconcileId: lambda } });
      const onboardingReply = await world.login(onboardingProvider, await world.idToken({ 'ext-mimoto-original-sub-unique': 'X-listed-onboarding' }));
      onboardingId = onboardingReply.body.pendingOnboardingId as string;
      assert.match(onboardingId ?? '', /^[0-9a-f-]{36}$/, JSON.stringify(onboardingReply.body));
    });
    after(async () => world?.close());

    it('lists both kinds, newest first, with who and why but never the claims', async () => {
      const all = await world.server.api('GET', '/api/identity-provider/pending', undefined, TENANT);
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.equal(all.body.total, 2);
      assert.deepEqual(all.body.pending.map((p: { id: string }) => p.id), [onboardingId, linkId]);
      const [onboarding, link] = all.body.pending;
      assert.equal(link.kind, 'link');
      assert.equal(link.identityProviderUserId, 'X-listed-link');
      assert.equal(link.email, 'listed@example.de');
      assert.equal(onboarding.kind, 'onboarding');
      assert.equal(onboarding.reason, 'consent');
      assert.deepEqual(onboarding.missing, [{ name: 'consent', type: 'checkbox', required: true }]);
      for (const entry of all.body.pending) assert.equal('claims' in entry, false);
    });

    it('filters by kind and pages', async () => {
      const links = await world.server.api('GET', '/api/identity-provider/pending?kind=link', undefined, TENANT);
      assert.deepEqual(links.body.pending.map((p: { id: string }) => p.id), [linkId]);
      const second = await world.server.api('GET', '/api/identity-provider/pending?startRow=1&numberOfResults=1', undefined, TENANT);
      assert.deepEqual(second.body.pending.map((p: { id: string }) => p.id), [linkId]);
      assert.equal(second.body.total, 2);
    });

    it('drops what was completed, shows nothing of another tenant, and refuses bad queries and no key', async () => {
      const done = await world.server.api('POST', `/api/identity-provider/onboarding/${onboardingId}/complete`, { data: { consent: true } }, { authorization: '' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const left = await world.server.api('GET', '/api/identity-provider/pending', undefined, TENANT);
      assert.deepEqual(left.body.pending.map((p: { id: string }) => p.id), [linkId]);
      const other = await world.server.api('GET', '/api/identity-provider/pending', undefined, OTHER_TENANT);
      assert.notEqual(other.status, 200);
      for (const query of ['kind=other', 'numberOfResults=0', 'numberOfResults=501', 'startRow=-1', 'startRow=x', 'kind=link&kind=onboarding', 'kind=%00']) {
        const reply = await world.server.api('GET', `/api/identity-provider/pending?${query}`, undefined, TENANT);
        assert.equal(reply.status, 400, `${query}: ${JSON.stringify(reply.body)}`);
      }
      const anonymous = await world.server.api('GET', '/api/identity-provider/pending', undefined, { authorization: '' });
      assert.equal(anonymous.status, 401);
    });
  });
}
