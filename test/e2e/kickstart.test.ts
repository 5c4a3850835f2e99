import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';

const TENANT = '6d2c1a10-0000-4000-8000-000000000001';
const APP = '6d2c1a10-0000-4000-8000-000000000002';
const KEY = '6d2c1a10-0000-4000-8000-000000000003';
const API_KEY = '6d2c1a10-0000-4000-8000-000000000004';
const USER = '6d2c1a10-0000-4000-8000-000000000005';

const yaml = (appName: string) => `
variables:
  domain: domeinzorgafnemer
apiKeys:
  - id: ${API_KEY}
    key: \${env.KICKSTART_TEST_KEY}
    description: Deployment key
keys:
  - id: ${KEY}
    name: Spare signing key
    algorithm: ES384
tenants:
  - id: ${TENANT}
    name: Domein Zorgafnemer
    slug: \${domain}
    jwtConfiguration:
      timeToLiveInSeconds: 300
    applications:
      - id: ${APP}
        name: ${appName}
        oauthConfiguration:
          clientId: module-a
          clientSecret: a-very-long-client-secret-for-the-kickstart-test
          enabledGrants: [client_credentials]
    users:
      - id: ${USER}
        email: admin@\${domain}.example
`;

for (const kind of selectedKinds()) {
  describe(`kickstart (${kind})`, () => {
    it('applies a YAML file at start, idempotently, and updates to the file state on re-application', async () => {
      const db = await createTestDatabase(kind);
      const file = join(db.dataDir, 'kickstart.yaml');
      process.env.KICKSTART_TEST_KEY = 'kickstart-test-key-0123456789abcdefghijklmnop';
      writeFileSync(file, yaml('Module A'));
      let server = await startTestServer(db, { config: { kickstart: file } });
      try {
        assert.deepEqual(server.gatehouse.kickstart?.created.sort(), [`apiKey ${API_KEY}`, `application ${APP}`, `key ${KEY}`, `tenant ${TENANT}`, `user ${USER}`].sort());
        const viaFileKey = await fetch(`${server.url}/api/application/${APP}`, { headers: { authorization: process.env.KICKSTART_TEST_KEY, 'x-fusionauth-tenantid': TENANT } });
        assert.equal(viaFileKey.status, 200);
        const token = await server.form('/t/domeinzorgafnemer/oauth2/token', { grant_type: 'client_credentials', client_id: 'module-a', client_secret: 'a-very-long-client-secret-for-the-kickstart-test' }, {});
        // The kickstart client uses the default method (client_secret_basic); its secret works in the
        // body too (deliberately changed: a post used to be refused), and a wrong one does not.
        assert.equal(token.status, 200, JSON.stringify(token.body));
        const wrong = await server.form('/t/domeinzorgafnemer/oauth2/token', { grant_type: 'client_credentials', client_id: 'module-a', client_secret: 'not-the-kickstart-secret-at-all' }, {});
        assert.equal(wrong.status, 401);
        const basic = await server.form('/t/domeinzorgafnemer/oauth2/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('module-a:a-very-long-client-secret-for-the-kickstart-test').toString('base64')}` });
        assert.equal(basic.status, 200);
        assert.equal(basic.body.expires_in, 300);
        const port = Number(new URL(server.url).port);
        await server.close();

        writeFileSync(file, yaml('Module A (renamed)'));
        server = await startTestServer(db, { port, apiKey: server.apiKey, config: { kickstart: file } });
        assert.deepEqual(server.gatehouse.kickstart?.created, []);
        assert.deepEqual(server.gatehouse.kickstart?.unchanged, [`key ${KEY}`]);
        const app = await server.api('GET', `/api/application/${APP}`, undefined, { 'x-fusionauth-tenantid': TENANT });
        assert.equal(app.body.application.name, 'Module A (renamed)');
        const tenants = await server.api('GET', '/api/tenant');
        assert.equal(tenants.body.tenants.length, 2, 'default + kickstart tenant, no duplicates');
      } finally {
        await server.close();
        await db.drop();
      }
    });

    it('a broken file stops start-up naming the place, and writes nothing', async () => {
      const db = await createTestDatabase(kind);
      const file = join(db.dataDir, 'broken.json');
      try {
        const cases: [unknown, RegExp][] = [
          [{ tenants: [{ name: 'no id' }] }, /tenants\[0\]\.id must be a fixed UUID/],
          [{ tenants: [{ id: TENANT, name: 'ok', applications: [{ id: APP, name: '' }] }] }, /tenants\[0\]\.applications\[0\]: application\.name/],
          [{ tenant: [] }, /unknown top-level entry "tenant"/],
          [{ tenants: [{ id: TENANT, name: '${missing}' }] }, /unknown variable \$\{missing\}/],
          // The console application is checked in its second pass, after the tenant's applications: here it is a secret client.
          [
            { tenants: [{ id: TENANT, name: 'ok', adminConsoleApplicationId: APP, applications: [{ id: APP, name: 'Not a console', oauthConfiguration: { clientId: 'secret-client', enabledGrants: ['client_credentials'] } }] }] },
            /tenants\[0\]: tenant\.adminConsoleApplicationId: The console application needs the authorization_code grant/,
          ],
          [{ tenants: [{ id: TENANT, name: 'ok', adminConsoleApplicationId: USER }] }, /tenants\[0\]: tenant\.adminConsoleApplicationId: No application of this tenant has this id/],
        ];
        for (const [document, message] of cases) {
          writeFileSync(file, JSON.stringify(document));
          await assert.rejects(startTestServer(db, { config: { kickstart: file } }), message);
        }
        writeFileSync(file, '{not json');
        await assert.rejects(startTestServer(db, { config: { kickstart: file } }), /not valid JSON/);
        const server = await startTestServer(db);
        try {
          assert.equal((await server.api('GET', '/api/tenant')).body.tenants.length, 1, 'nothing half-written');
        } finally {
          await server.close();
        }
      } finally {
        await db.drop();
      }
    });
  });
}
