import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGatehouse } from '../../src/app.js';
import type { Gatehouse } from '../../src/app.js';
import { ApiKeyService } from '../../src/admin/api-key-service.js';
import { TenantService } from '../../src/admin/tenant-service.js';
import { resolveConfig } from '../../src/config/options.js';
import { KeyService } from '../../src/keys/key-service.js';
import { MasterKey } from '../../src/keys/master-key.js';
import { systemClock } from '../../src/lib/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { freePort } from '../helpers/test-server.js';

const NODES = 3;
const ROUNDS = 3;
const KICKSTART_TENANT = '7a1e0c55-0000-4000-8000-000000000001';
const KICKSTART_APP = '7a1e0c55-0000-4000-8000-000000000002';

const kickstartYaml = `
tenants:
  - id: ${KICKSTART_TENANT}
    name: Kickstarted
    slug: kickstarted
    applications:
      - id: ${KICKSTART_APP}
        name: Module K
        oauthConfiguration:
          clientId: module-k
          clientSecret: a-very-long-client-secret-for-the-multi-node-test
          enabledGrants: [client_credentials]
`;

async function startNode(db: TestDatabase, kickstart: string, bootstrapApiKey: string | undefined): Promise<Gatehouse> {
  const port = await freePort();
  const config = resolveConfig({
    env: {},
    overrides: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}`, dataDir: db.dataDir, databaseUrl: db.databaseUrl, masterKey: db.masterKey, bootstrapApiKey, kickstart, logLevel: 'silent' },
  });
  const gatehouse = await createGatehouse({ config });
  try {
    await gatehouse.listen();
  } catch (error) {
    await gatehouse.close();
    throw error;
  }
  return gatehouse;
}

async function countRows(store: Store) {
  const count = async (table: 'tenants' | 'tenant_signing_keys' | 'keys' | 'api_keys' | 'applications', tenantId?: string) => {
    let query = store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
    if (tenantId) query = query.where('tenant_id', '=', tenantId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  return {
    tenants: await count('tenants'),
    defaultTenants: Number((await store.db.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).where('id', '=', DEFAULT_TENANT_ID).executeTakeFirstOrThrow()).n),
    defaultSigningKeys: await count('tenant_signing_keys', DEFAULT_TENANT_ID),
    kickstartSigningKeys: await count('tenant_signing_keys', KICKSTART_TENANT),
    keys: await count('keys'),
    apiKeys: await count('api_keys'),
    applications: await count('applications'),
  };
}

/** Starts NODES nodes at once on one empty database and checks that each first row exists once. */
async function startTogether(db: TestDatabase, bootstrapApiKey: string | undefined): Promise<void> {
  const kickstart = join(db.dataDir, 'kickstart.yaml');
  writeFileSync(kickstart, kickstartYaml);
  const started = await Promise.allSettled(Array.from({ length: NODES }, () => startNode(db, kickstart, bootstrapApiKey)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    assert.deepEqual(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)), []);
    for (const node of nodes) {
      const ready = await node.server.inject({ method: 'GET', url: '/ready' });
      assert.equal(ready.statusCode, 200);
    }
    assert.deepEqual(await countRows(nodes[0]!.services.store), {
      tenants: 2,
      defaultTenants: 1,
      defaultSigningKeys: 1,
      kickstartSigningKeys: 1,
      keys: 2,
      apiKeys: 1,
      applications: 1,
    });
    const generated = nodes.map((n) => n.generatedApiKey).filter((k) => k !== undefined);
    assert.equal(generated.length, bootstrapApiKey ? 0 : 1);
    const superuserKey = bootstrapApiKey ?? generated[0]!;
    for (const node of nodes) {
      const tenants = await node.server.inject({ method: 'GET', url: '/api/tenant', headers: { authorization: superuserKey } });
      assert.equal(tenants.statusCode, 200);
    }
    // The kickstart document was applied once and found in place by the other nodes.
    assert.equal(nodes.filter((n) => n.kickstart?.created.includes(`tenant ${KICKSTART_TENANT}`)).length, 1);
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
}

async function migrateOnly(db: TestDatabase): Promise<void> {
  const store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

for (const kind of selectedKinds()) {
  describe(`start-up of several nodes at once (${kind})`, () => {
    it(`${NODES} nodes on one empty schema all become ready, and the first rows exist once (${ROUNDS} rounds)`, { skip: kind === 'sqlite' ? 'SQLite serves one node: its file is not shared by nodes (Kysely runs SQLite migrations with neither lock nor transaction); PostgreSQL is the database for several nodes' : false }, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const db = await createTestDatabase(kind);
        try {
          // The last round on a schema migrated beforehand: no migration staggers the nodes, so
          // they reach the default tenant and kickstart at the same moment.
          if (round === ROUNDS - 1) await migrateOnly(db);
          // Every other round with a configured bootstrap key, the rest with a generated one.
          await startTogether(db, round % 2 === 1 ? randomBytes(32).toString('base64url') : undefined);
        } finally {
          await db.drop();
        }
      }
    });

    it('the start-up writes are idempotent on their own: run at once without the lock, each row appears once', async () => {
      const db = await createTestDatabase(kind);
      await migrateOnly(db);
      const store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      try {
        const keys = new KeyService(store, MasterKey.fromBase64url(db.masterKey), systemClock);
        const tenants = new TenantService(store, keys, systemClock);
        const apiKeys = new ApiKeyService(store, systemClock);
        const configured = randomBytes(32).toString('base64url');
        await Promise.all(Array.from({ length: NODES }, () => Promise.all([keys.checkMasterKey(), tenants.ensureDefaultTenant()])));
        const generated = await Promise.all(Array.from({ length: NODES }, () => apiKeys.bootstrap(undefined)));
        assert.equal(generated.filter((k) => k !== undefined).length, 1);
        await Promise.all(Array.from({ length: NODES }, () => apiKeys.bootstrap(configured)));
        const counts = await countRows(store);
        assert.equal(counts.tenants, 1);
        assert.equal(counts.defaultSigningKeys, 1);
        assert.equal(counts.keys, 1);
        assert.equal(counts.apiKeys, 2);
        assert.ok(await apiKeys.authenticate(configured));
      } finally {
        await store.close();
        await db.drop();
      }
    });
  });
}
