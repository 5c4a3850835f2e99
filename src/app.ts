import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { cacheLifetimesOf } from './config/cache-lifetimes.js';
import type { GatehouseConfig } from './config/options.js';
import { EventLog } from './events/event-log.js';
import { listenMetrics } from './http/metrics-server.js';
import type { MetricsListener } from './http/metrics-server.js';
import { WebhookDeliverer } from './events/webhook-deliverer.js';
import type { WebhookDeliveryResult } from './events/webhook-deliverer.js';
import { WebhookOutbox } from './events/webhook-outbox.js';
import { createHttpServer } from './http/server.js';
import type { HttpServices } from './http/services.js';
import { adminServices } from './admin/admin-services.js';
import type { AdminDependencies } from './admin/admin-services.js';
import { ConfigurationCache } from './identity/configuration-cache.js';
import { ReconcileService } from './login/reconcile-service.js';
import { RefreshTokens } from './tokens/refresh-tokens.js';
import { UserTokenService } from './tokens/user-tokens.js';
import { applyKickstart, loadKickstartFile } from './kickstart/kickstart.js';
import type { KickstartSummary } from './kickstart/kickstart.js';
import { OwnSigningKeys } from './keys/own-signing-keys.js';
import { LambdaRunner } from './lambda/lambda-runner.js';
import { lambdaLimits } from './lambda/lambda-types.js';
import { MasterKey } from './keys/master-key.js';
import { AuthorizationBroker } from './oauth/authorization-broker.js';
import { authorizationCodeGrant } from './oauth/grants/authorization-code.js';
import { HostedLoginFlow } from './oauth/hosted-login-flow.js';
import { RemoteJwksCache } from './jwt/remote-jwks-cache.js';
import { UpstreamDiscoveryCache } from './idp/upstream-endpoints.js';
import { NO_METRICS } from './metrics/metrics.js';
import type { Metrics } from './metrics/metrics.js';
import { systemClock } from './lib/clock.js';
import type { Clock } from './lib/clock.js';
import type { AddressPolicy } from './lib/address-policy.js';
import type { OAuthContext } from './oauth/context.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import { jwtBearerGrant } from './oauth/grants/jwt-bearer.js';
import { refreshTokenGrant } from './oauth/grants/refresh-token.js';
import { tokenExchangeGrant } from './oauth/grants/token-exchange.js';
import { GrantRegistry } from './oauth/grants/grant.js';
import { SmartClientPolicy } from './smart/smart-client-policy.js';
import { openDatabase } from './store/database.js';
import { purgeExpiredRows } from './store/expired-rows-purge.js';
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
  /** The scrape URL once listening with `--metrics` on; undefined otherwise. */
  readonly metricsUrl: string | undefined;
  /** Drains in-flight requests, stops timers and closes the database. */
  close(): Promise<void>;
}

/** Delivered and failed webhook rows are kept this long (for inspection), then purged. */
const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/** The operator's outbound address rules (`--fetch-allow-private`, `--fetch-allow-cidr`). */
function addressPolicyOf(config: Readonly<GatehouseConfig>): AddressPolicy {
  return { allowPrivate: config.fetchAllowPrivate, allowCidrs: config.fetchAllowCidrs };
}

/** Builds the service graph, once, over the root store. */
export function buildServices(store: Store, remoteJwks: RemoteJwksCache, configuration: ConfigurationCache, deps: AdminDependencies, metrics: Metrics = NO_METRICS): HttpServices {
  const { config, clock, masterKey, lambdaRunner, lifetimes } = deps;
  const admin = adminServices(store, deps);
  const { keys } = admin;
  const smartPolicy = new SmartClientPolicy(store, clock, config.publicUrl, lifetimes.configurationMs, configuration);
  const refreshTokens = new RefreshTokens({ store, clock, webhooks: deps.webhooks });
  const oauth: OAuthContext = {
    config,
    clock,
    store,
    keys,
    configuration,
    remoteJwks,
    refreshTokens,
    smart: smartPolicy,
    metrics,
  };
  const eventLog = new EventLog(store, clock);
  const userTokens = new UserTokenService({ store, clock, keys, publicUrl: config.publicUrl, refreshTokens });
  const discovery = new UpstreamDiscoveryCache({
    fetchPolicy: remoteJwks.fetchPolicy,
    clock,
    ttlMs: lifetimes.upstreamDiscoveryMs,
    failureCooldownMs: config.fetchFailureCooldownSeconds * 1000,
    refetchCooldownMs: config.jwksRefetchCooldownSeconds * 1000,
    metrics,
  });
  const verifier = { store, keys, remoteJwks, ownKeys: new OwnSigningKeys(store, clock), clock, discovery };
  const reconcile = new ReconcileService({ store, configuration, clock, verifier, lambdas: lambdaRunner, eventLog, tokens: userTokens, webhooks: deps.webhooks }, metrics);
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
    authorizationBroker: new AuthorizationBroker({ ctx: oauth, reconcile, eventLog, discovery, verifier, decryptSecret: (s) => masterKey.decrypt(s) }),
    hostedLogin: new HostedLoginFlow({ ctx: oauth, reconcile }),
    ...admin,
    smartPolicy,
    eventLog,
    reconcile,
    userTokens,
    configuration,
  };
}

/** The composition root: opens and migrates storage, wires services, returns the server. */
export async function createGatehouse(options: GatehouseOptions): Promise<Gatehouse> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // One registry per instance: several Gatehouses in one process (tests) never share series.
  // prom-client is loaded only when metrics are on (importing it cost about 20 ms at start-up).
  const prometheus = config.metrics ? new (await import('./metrics/prometheus-metrics.js')).PrometheusMetrics(config.databaseUrl ? 'postgres' : 'sqlite') : undefined;
  const metrics: Metrics = prometheus ?? NO_METRICS;
  const handle = openDatabase({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize, dataDir: config.dataDir, sqliteFile: options.sqliteFile, metrics });
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
      metrics,
    });
    // Sandbox workers start on the first lambda calls, not at start-up.
    const lambdaRunner = new LambdaRunner(lambdaLimits({ timeoutMs: config.lambdaTimeoutMs, memoryMb: config.lambdaMemoryMb }), config.lambdaWorkers, metrics);
    const lifetimes = cacheLifetimesOf(config);
    const configuration = new ConfigurationCache(store, clock, lifetimes.configurationMs);
    const webhooks = new WebhookOutbox({ clock, enabled: config.webhooks, cacheMs: lifetimes.configurationMs });
    const adminDeps: AdminDependencies = { config, clock, masterKey, lambdaRunner, lifetimes, addresses: addressPolicyOf(config), fetchPolicy: remoteJwks.fetchPolicy, webhooks, onChange: () => configuration.clear() };
    const services = buildServices(store, remoteJwks, configuration, adminDeps, metrics);
    await services.keys.checkMasterKey();
    await services.tenants.ensureDefaultTenant();
    // Services bound to the root store must not run inside a transaction: on SQLite's single
    // connection they would wait for it forever. Kickstart's unit of work is the admin services
    // bound to its transaction.
    const kickstartDocument = (document: JsonObject) =>
      store.transaction(async (tx) => {
        const summary = await applyKickstart({ store: tx, ...adminServices(tx, adminDeps) }, document, process.env);
        await new EventLog(tx, clock).write(
          'Information',
          `Kickstart applied: ${summary.created.length} created, ${summary.updated.length} updated, ${summary.unchanged.length} unchanged.`,
        );
        return summary;
      }).finally(() => services.configuration.clear());
    const kickstart = config.kickstart ? await kickstartDocument(loadKickstartFile(config.kickstart)) : undefined;
    const generatedApiKey = await services.apiKeys.bootstrap(config.bootstrapApiKey);
    await startupLock.release();
    const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
    const server = await createHttpServer(services, { tls, metrics });
    const deliverer = config.webhooks && config.webhookDelivery
      ? new WebhookDeliverer({
          store,
          clock,
          eventLog: services.eventLog,
          outbox: webhooks,
          cacheMs: lifetimes.configurationMs,
          metrics,
          fetchPolicy: { maxBytes: config.fetchMaxBytes, allowHttp: config.fetchAllowHttp, addresses: addressPolicyOf(config), fetch: options.fetch },
          decrypt: (s) => masterKey.decrypt(s),
          pollIntervalMs: config.webhookPollIntervalMs,
          maxAttempts: config.webhookMaxAttempts,
          backoffBaseMs: config.webhookBackoffBaseMs,
          onDelivery: options.onWebhookDelivery,
        })
      : undefined;
    deliverer?.start();

    // One purge at a time: a run that outlasts the interval skips the next tick.
    let purging = false;
    const purge = setInterval(() => {
      if (purging) return;
      purging = true;
      purgeExpiredRows(store, clock.now(), OUTBOX_RETENTION_MS)
        .then(() => store.checkpoint())
        .catch((error: unknown) => server.log.warn({ err: error }, 'purge failed'))
        .finally(() => (purging = false));
    }, config.purgeIntervalMs);
    purge.unref();

    let closed = false;
    let metricsListener: MetricsListener | undefined;
    return {
      server,
      services,
      generatedApiKey,
      kickstart,
      applyKickstart: kickstartDocument,
      async listen() {
        await server.listen({ port: config.port, host: config.host });
        if (prometheus && !metricsListener) metricsListener = await listenMetrics(prometheus, config.metricsHost, config.metricsPort);
        const address = server.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        return `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      },
      get metricsUrl() {
        return metricsListener?.url;
      },
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(purge);
        await deliverer?.stop();
        await metricsListener?.close();
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
