import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { clientKey, jwks } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const APP = '7c1d0e2a-0000-4000-8000-000000000003';
const PROVIDER = '7c1d0e2a-0000-4000-8000-000000000004';
const SECRET = 'patient-app-secret-for-the-walkthrough-test-0123456789';

/** The README's Health-ID walk-through, from examples/health-id-kickstart.yaml, with mimoto served locally. */
for (const kind of selectedKinds()) {
  describe(`Health-ID walk-through from the example kickstart (${kind})`, () => {
    let db: TestDatabase;
    let documents: DocumentServer;
    let server: TestServer;
    let mimoto: ClientKey;
    let issuer: string;

    before(async () => {
      db = await createTestDatabase(kind);
      documents = await startDocumentServer();
      mimoto = await clientKey('ES256');
      documents.set('/mimoto/.well-known/jwks', jwks(mimoto));
      issuer = `${documents.baseUrl}/mimoto/`;
      Object.assign(process.env, { MIMOTO_ISSUER: issuer, PATIENT_APP_SECRET: SECRET, GATEHOUSE_ADMIN_KEY: 'walkthrough-admin-key-0123456789abcdefghijkl' });
      server = await startTestServer(db, { config: { kickstart: join(process.cwd(), 'examples/health-id-kickstart.yaml') } });
    });
    after(async () => {
      await server?.close();
      await documents?.close();
      await db?.drop();
      for (const name of ['MIMOTO_ISSUER', 'PATIENT_APP_SECRET', 'GATEHOUSE_ADMIN_KEY']) delete process.env[name];
    });

    const idToken = (claims: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: '11186bbc-c07d-48ec-8ce5-8a9839e0ba0e',
        sub: 'b0f3c0de-5a2e-4c51-9a7e-3f1c2d4e5f60',
        iat: now,
        exp: now + 600,
        acr: 'gematik-ehealth-loa-high',
        'urn:telematik:claims:id': 'X110411675',
        'urn:telematik:claims:email': 'darius_michael@mail.boedefeld.de',
        'urn:telematik:claims:organization': '109500969',
        birthdate: '1973-09-01',
        'ext-mimoto-original-sub-unique': 'X110411675-3e0a9c1b7f',
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: mimoto.kid, typ: 'JWT' }).sign(mimoto.privateKey);
    };
    const login = async (token: string) => server.api('POST', '/api/identity-provider/login', { applicationId: APP, identityProviderId: PROVIDER, encodedJWT: token }, { authorization: '' });

    it('logs a patient in through the FusionAuth login API and through token exchange', async () => {
      const reply = await login(await idToken());
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.user.data.kvnr, 'X110411675');
      assert.equal(reply.body.user.registrations[0].data.insurer, '109500969');
      const exchanged = await server.form('/t/default/oauth2/token', {
        client_id: 'patient-app',
        client_secret: SECRET,
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: await idToken(),
        subject_issuer: issuer,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        scope: 'openid email profile',
      });
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
      assert.ok(exchanged.body.id_token);
      const sub = JSON.parse(Buffer.from(exchanged.body.access_token.split('.')[1], 'base64url').toString()).sub;
      assert.equal(sub, reply.body.user.id);
    });

    it('refuses LoA substantial with the lambda’s message, and onboards a patient without email', async () => {
      const low = await login(await idToken({ acr: 'gematik-ehealth-loa-substantial', 'ext-mimoto-original-sub-unique': 'X-low' }));
      assert.equal(low.status, 403);
      assert.equal(low.body.generalErrors[0].code, 'LoaTooLow');
      const pending = await login(await idToken({ 'urn:telematik:claims:email': undefined, 'ext-mimoto-original-sub-unique': 'X-onboarding' }));
      assert.equal(pending.status, 234, JSON.stringify(pending.body));
      const done = await server.api('POST', `/api/identity-provider/onboarding/${pending.body.pendingOnboardingId}/complete`, { data: { email: 'collected@example.de' } }, { authorization: '' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.user.email, 'collected@example.de');
      assert.equal(done.body.user.username, 'X-onboarding');
    });

    it('re-applies the same file without changing anything it created', async () => {
      const summary = await server.gatehouse.applyKickstart((await import('../../src/kickstart/kickstart.js')).loadKickstartFile(join(process.cwd(), 'examples/health-id-kickstart.yaml')));
      assert.deepEqual(summary.created, []);
      assert.equal((await login(await idToken())).status, 200);
    });
  });
}
