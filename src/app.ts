import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { cacheLifetimesOf } from './config/cache-lifetimes.js';
import type { GatehouseConfig } from './config/options.js';
import { EventLog } from './events/event-log.js';
import { WebhookDeliverer } from './events/webhook-deliverer.js';
import type { WebhookDeliveryResult } from './events/webhook-deliverer.js';
import { WebhookOutbox } from './events/webhook-outbox.js';
import { createHttpServer } from './http/server.js';
import type { HttpServices } from './http/services.js';
import { ApiKeyService } from './admin/api-key-service.js';
import { ApplicationService } from './admin/application-service.js';
import { TenantService } from './admin/tenant-service.js';
import { ConfigurationCache } from './identity/configuration-cache.js';
import { LinkService } from './admin/link-service.js';
import { ReconcileService } from './login/reconcile-service.js';
import { UserService } from './admin/user-service.js';
import { WebhookService } from './admin/webhook-service.js';
import { RefreshTokens } from './tokens/refresh-tokens.js';
import { UserTokenService } from './tokens/user-tokens.js';
import { applyKickstart, loadKickstartFile } from './kickstart/kickstart.js';
import type { KickstartSummary } from './kickstart/kickstart.js';
import { IdentityProviderService } from './admin/identity-provider-service.js';
import { KeyService } from './keys/key-service.js';
import { OwnSigningKeys } from './keys/own-signing-keys.js';
import { LambdaRunner } from './lambda/lambda-runner.js';
import { LambdaService } from './admin/lambda-service.js';
import { lambdaLimits } from './lambda/lambda-types.js';
import { MasterKey } from './keys/master-key.js';
import { AuthorizationBroker } from './oauth/authorization-broker.js';
import { authorizationCodeGrant } from './oauth/grants/authorization-code.js';
import { RemoteJwksCache } from './jwt/remote-jwks-cache.js';
import { systemClock } from './lib/clock.js';
import type { Clock } from './lib/clock.js';
import type { AddressPolicy } from './lib/address-policy.js';
import type { OAuthContext } from './oauth/context.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import { jwtBearerGrant } from './oauth/grants/jwt-bearer.js';
import { refreshTokenGrant } from './oauth/grants/refresh-token.js';
import { tokenExchangeGrant } from './oauth/grants/token-exchange.js';
import { GrantRegistry } from './oauth/grants/grant.js';
import { RoleService } from './admin/role-service.js';
import { SmartClientPolicy } from './smart/smart-client-policy.js';
import { openDatabase } from './store/database.js';
import type { JsonObject } from './store/records.js';
import { StartupLock } from './store/startup-lock.js';
import { Store } from './store/store.js';

export type { GatehouseConfig } from './config/options.js';
export { resolveConfig } from './config/options.js';

export interface GatehouseOptions {
  config: Readonly<GatehouseConfig>;
  clock?: Clock;
  /**
   * Injected into outbound JWKS / discovery fetches (tests may count calls). The address policy
   * still applies: literal-address URLs are refused before it is called, and it is handed the
   * address-guarded dispatcher as `init.dispatcher` for the connect-time check of host names.
   */
  fetch?: typeof fetch;
  /** SQLite file instead of `{dataDir}/gatehouse.sqlite` (`:memory:` for tests). */
  sqliteFile?: string;
  /** Called after every webhook delivery attempt (metrics). */
  onWebhookDelivery?: (result: WebhookDeliveryResult) => void;
}

export interface Gatehouse {
  server: FastifyInstance;
  services: HttpServices;
  /** The superuser key generated on first start, if one was (to print once). */
  generatedApiKey: string | undefined;
  kickstart: KickstartSummary | undefined;
  /** Applies a kickstart document in one transaction, through services bound to it. */
  applyKickstart(document: JsonObject): Promise<KickstartSummary>;
  /** Listens on the configured host and port; resolves to the base URL. */
  listen(): Promise<string>;
  /** Drains in-flight requests, stops timers and closes the database. */
  close(): Promise<void>;
}

const PURGE_INTERVAL_MS = 60_000;
/** Delivered and failed webhook rows are kept this long (for inspection), then purged. */
const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/** The operator's outbound address rules (`--fetch-allow-private`, `--fetch-allow-cidr`). */
function addressPolicyOf(config: Readonly<GatehouseConfig>): AddressPolicy {
  return { allowPrivate: config.fetchAllowPrivate, allowCidrs: config.fetchAllowCidrs };
}

/** Builds the service graph over one store (the root store, or a transaction for kickstart). */
export function buildServices(
  config: Readonly<GatehouseConfig>,
  store: Store,
  clock: Clock,
  masterKey: MasterKey,
  remoteJwks: RemoteJwksCache,
  lambdaRunner: LambdaRunner,
): HttpServices {
  const lifetimes = cacheLifetimesOf(config);
  const keys = new KeyService(store, masterKey, clock, lifetimes);
  const configuration = new ConfigurationCache(store, clock, lifetimes.configurationMs);
  const changed = () => configuration.clear();
  const tenants = new TenantService(store, keys, clock, changed);
  const applications = new ApplicationService(store, clock, { allowHttpJwksUri: config.fetchAllowHttp, addresses: addressPolicyOf(config) }, changed);
  const roles = new RoleService(store, clock);
  const smartPolicy = new SmartClientPolicy(store, clock, config.publicUrl, lifetimes.configurationMs);
  const webhookOutbox = new WebhookOutbox({ clock, enabled: config.webhooks, cacheMs: lifetimes.configurationMs });
  const refreshTokens = new RefreshTokens({ store, clock, webhooks: webhookOutbox });
  const oauth: OAuthContext = {
    config,
    clock,
    store,
    keys,
    configuration,
    remoteJwks,
    refreshTokens,
    smart: smartPolicy,
  };
  const eventLog = new EventLog(store, clock);
  const userTokens = new UserTokenService({ store, clock, keys, publicUrl: config.publicUrl, refreshTokens });
  const reconcile = new ReconcileService({ store, configuration, clock, verifier: { store, keys, remoteJwks, ownKeys: new OwnSigningKeys(store, clock), clock }, lambdas: lambdaRunner, eventLog, tokens: userTokens, webhooks: webhookOutbox });
  const grants = new GrantRegistry()
    .register(authorizationCodeGrant(userTokens))
    .register(clientCredentialsGrant)
    .register(refreshTokenGrant(userTokens))
    .register(tokenExchangeGrant(reconcile))
    .register(jwtBearerGrant(reconcile));
  return {
    config,
    store,
    oauth,
    grants,
    authorizationBroker: new AuthorizationBroker({ ctx: oauth, reconcile, eventLog, decryptSecret: (s) => masterKey.decrypt(s) }),
    tenants,
    applications,
    users: new UserService(store, clock, webhookOutbox),
    apiKeys: new ApiKeyService(store, clock),
    keys,
    roles,
    smartPolicy,
    eventLog,
    lambdas: new LambdaService(store, lambdaRunner, clock, changed),
    identityProviders: new IdentityProviderService(store, clock, { allowHttpJwksUri: config.fetchAllowHttp, addresses: addressPolicyOf(config), encryptSecret: (s) => masterKey.encrypt(s) }, changed),
    reconcile,
    links: new LinkService(store, clock, webhookOutbox),
    userTokens,
    configuration,
    webhooks: new WebhookService(store, clock, { urls: { allowHttp: config.fetchAllowHttp, addresses: addressPolicyOf(config) }, encryptSecret: (s) => masterKey.encrypt(s) }, () => webhookOutbox.changed()),
  };
}

/** The composition root: opens and migrates storage, wires services, returns the server. */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteFile: options.sqliteFile });
  const store = Store.fromHandle(handle);
  let startupLock: StartupLock | undefined;
  try {
    // Nodes sharing a PostgreSQL schema start one at a time, up to the bootstrap API key.
    startupLock = await StartupLock.acquire(store);
    await store.migrate();
    const masterKey = config.masterKey ? MasterKey.fromBase64url(config.masterKey) : MasterKey.loadOrCreate(config.dataDir);
    const remoteJwks = new RemoteJwksCache({
      fetchPolicy: { timeoutMs: config.fetchTimeoutMs, maxBytes: config.fetchMaxBytes, allowHttp: config.fetchAllowHttp, addresses: addressPolicyOf(config), fetch: options.fetch },
      clock,
      defaultTtlMs: config.jwksDefaultTtlSeconds * 1000,
      maxTtlMs: config.jwksMaxTtlSeconds * 1000,
      refetchCooldownMs: config.jwksRefetchCooldownSeconds * 1000,
      failureCooldownMs: config.fetchFailureCooldownSeconds * 1000,
      maxEntries: config.jwksCacheEntries,
    });
    // Sandbox workers start on the first lambda calls, not at start-up.
    const lambdaRunner = new LambdaRunner(lambdaLimits({ timeoutMs: config.lambdaTimeoutMs, memoryMb: config.lambdaMemoryMb }), config.lambdaWorkers);
    const services = buildServices(config, store, clock, masterKey, remoteJwks, lambdaRunner);
    await services.keys.checkMasterKey();
    await services.tenants.ensureDefaultTenant();
    // Services bound to the root store must not run inside a transaction: on SQLite's single
    // connection they would wait for it forever. Kickstart gets services bound to its transaction.
    const kickstartDocument = (document: JsonObject) =>
      store.transaction(async (tx) => {
        const txServices = buildServices(config, tx, clock, masterKey, remoteJwks, lambdaRunner);
        const summary = await applyKickstart(txServices, document, process.env);
        await txServices.eventLog.write(
          'Information',
          `Kickstart applied: ${summary.created.length} created, ${summary.updated.length} updated, ${summary.unchanged.length} unchanged.`,
        );
        return summary;
      }).finally(() => services.configuration.clear());
    const kickstart = config.kickstart ? await kickstartDocument(loadKickstartFile(config.kickstart)) : undefined;
    const generatedApiKey = await services.apiKeys.bootstrap(config.bootstrapApiKey);
    await startupLock.release();
    const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
    const server = await createHttpServer(services, { tls });
    const deliverer = config.webhooks
      ? new WebhookDeliverer({
          store,
          clock,
          eventLog: services.eventLog,
          fetchPolicy: { maxBytes: config.fetchMaxBytes, allowHttp: config.fetchAllowHttp, addresses: addressPolicyOf(config), fetch: options.fetch },
          decrypt: (s) => masterKey.decrypt(s),
          pollIntervalMs: config.webhookPollIntervalMs,
          maxAttempts: config.webhookMaxAttempts,
          backoffBaseMs: config.webhookBackoffBaseMs,
          onDelivery: options.onWebhookDelivery,
        })
      : undefined;
    deliverer?.start();

    const purge = setInterval(() => {
      const now = clock.now();
      Promise.all([store.replay.purge(now), store.revocations.purge(now), store.pendingActions.purge(now), store.refreshTokens.purge(now), store.authorizationTransactions.purge(now), store.webhookOutbox.purgeCompleted(now - OUTBOX_RETENTION_MS)])
        .then(() => store.checkpoint()).catch((error: unknown) => server.log.warn({ err: error }, 'purge failed'));
    }, PURGE_INTERVAL_MS);
    purge.unref();

    let closed = false;
    return {
      server,
      services,
      generatedApiKey,
      kickstart,
      applyKickstart: kickstartDocument,
      async listen() {
        await server.listen({ port: config.port, host: config.host });
        const address = server.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        return `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      },
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(purge);
        await deliverer?.stop();
        await server.close();
        await lambdaRunner.close();
        await store.close();
      },
    };
  } catch (error) {
    await startupLock?.release().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
