import { randomBytes } from 'node:crypto';
import { resolveConfig } from '../../src/config/options.js';
import { ConfigurationCache } from '../../src/identity/configuration-cache.js';
import { RemoteJwksCache } from '../../src/jwt/remote-jwks-cache.js';
import { KeyService } from '../../src/keys/key-service.js';
import { MasterKey } from '../../src/keys/master-key.js';
import { ManualClock } from '../../src/lib/clock.js';
import { sha256 } from '../../src/lib/hash.js';
import { newId } from '../../src/lib/ids.js';
import { NO_METRICS } from '../../src/metrics/metrics.js';
import type { OAuthContext } from '../../src/oauth/context.js';
import { SmartClientPolicy } from '../../src/smart/smart-client-policy.js';
import { openDatabase } from '../../src/store/database.js';
import type { Application, Tenant, User } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { RefreshTokens } from '../../src/tokens/refresh-tokens.js';

export const PUBLIC_URL = 'https://gatehouse.example.org';

/**
 * The OAuth core over a real in-memory SQLite store with a real tenant signing key (ES256), a
 * manual clock and no HTTP: what the unit tests of oauth/ and tokens/ start from.
 */
export interface OAuthWorld {
  ctx: OAuthContext;
  clock: ManualClock;
  store: Store;
  tenant: Tenant;
  /** Stores an application (active, client_secret_basic unless `oauth` says otherwise) and, when given, its secret's hash. */
  application(oauth?: Partial<Application['oauthConfiguration']>, fields?: Partial<Application>, secret?: string): Promise<Application>;
  /** Stores an active user registered for `application`. */
  registeredUser(application: Application): Promise<User>;
  close(): Promise<void>;
}

export async function createOAuthWorld(): Promise<OAuthWorld> {
  const clock = new ManualClock(1_800_000_000_000);
  const store = Store.fromHandle(openDatabase({ databaseUrl: undefined, dataDir: '.', sqliteFile: ':memory:' }));
  await store.migrate();
  const config = resolveConfig({ env: {}, overrides: { publicUrl: PUBLIC_URL } });
  const keys = new KeyService(store, MasterKey.fromBase64url(randomBytes(32).toString('base64url')), clock);
  const now = clock.now();
  const tenant: Tenant = {
    id: newId(),
    name: 'Unit',
    slug: 'unit',
    jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' },
    data: {},
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await store.tenants.insert(tenant);
  await keys.createTenantSigningKey(store, tenant.id, tenant.name, 'ES256');
  const ctx: OAuthContext = {
    config,
    clock,
    store,
    keys,
    configuration: new ConfigurationCache(store, clock),
    remoteJwks: new RemoteJwksCache({ fetchPolicy: { timeoutMs: 1000, maxBytes: 65536, allowHttp: true, addresses: { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] } }, clock, defaultTtlMs: 60_000, maxTtlMs: 60_000, refetchCooldownMs: 0, maxEntries: 10 }),
    refreshTokens: new RefreshTokens({ store, clock }),
    metrics: NO_METRICS,
    smart: new SmartClientPolicy(store, clock, PUBLIC_URL),
  };
  let sequence = 0;
  return {
    ctx,
    clock,
    store,
    tenant,
    async application(oauth = {}, fields = {}, secret) {
      const application: Application = {
        id: newId(),
        tenantId: tenant.id,
        name: `app-${++sequence}`,
        active: true,
        roles: [],
        oauthConfiguration: { clientId: `client-${sequence}`, enabledGrants: ['client_credentials', 'refresh_token'], clientAuthenticationMethod: 'client_secret_basic', ...oauth },
        jwtConfiguration: { enabled: true },
        loginConfiguration: { generateRefreshTokens: true },
        data: {},
        insertInstant: now,
        lastUpdateInstant: now,
        ...fields,
      };
      await store.applications.insert(application);
      if (secret) await store.applications.setClientSecretHash(application.id, sha256(secret));
      return application;
    },
    async registeredUser(application) {
      const user: User = { id: newId(), tenantId: tenant.id, email: `user-${++sequence}@example.org`, data: {}, active: true, verified: true, insertInstant: now, lastUpdateInstant: now };
      await store.users.insert(user);
      await store.registrations.insert({ id: newId(), tenantId: tenant.id, userId: user.id, applicationId: application.id, roles: ['patient'], data: {}, verified: true, insertInstant: now, lastUpdateInstant: now });
      return user;
    },
    close: () => store.close(),
  };
}
