import ipaddr from 'ipaddr.js';
import { DEFAULT_CACHE_LIFETIMES } from './cache-lifetimes.js';
import { optionText, readConfigFile } from './config-file.js';

/**
 * Every option Gatehouse understands, with its flag, environment variable, default and meaning.
 * This table is the documentation: the README's configuration reference is printed from it
 * (`gatehouse help config`). Values are validated, then the config object is frozen.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GatehouseConfig {
  /** The YAML or JSON file the other options were read from, if any (`--config`). */
  configFile: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  publicUrl: string;
  kickstart: string | undefined;
  bootstrapApiKey: string | undefined;
  masterKey: string | undefined;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  clockSkewSeconds: number;
  clientAssertionMaxLifetimeSeconds: number;
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  fetchAllowHttp: boolean;
  fetchAllowPrivate: boolean;
  fetchAllowCidrs: readonly string[];
  fetchFailureCooldownSeconds: number;
  jwksDefaultTtlSeconds: number;
  jwksMaxTtlSeconds: number;
  jwksRefetchCooldownSeconds: number;
  jwksCacheEntries: number;
  configurationCacheMs: number;
  signingKeyCacheMs: number;
  rateLimitTokenPerMinute: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  shutdownTimeoutMs: number;
  lambdaTimeoutMs: number;
  lambdaMemoryMb: number;
  lambdaWorkers: number | undefined;
  ssoSessionTtlSeconds: number;
  metrics: boolean;
  metricsPort: number;
  metricsHost: string;
  webhooks: boolean;
  webhookDelivery: boolean;
  webhookPollIntervalMs: number;
  webhookMaxAttempts: number;
  webhookBackoffBaseMs: number;
  purgeIntervalMs: number;
}

type Parser<T> = (raw: string) => T;

export interface OptionSpec<K extends keyof GatehouseConfig = keyof GatehouseConfig> {
  key: K;
  flag: string;
  env: string;
  default: GatehouseConfig[K];
  parse: Parser<GatehouseConfig[K]>;
  doc: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`expected an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(`expected ${min}..${max}, got ${value}`);
    return value;
  };
const optionalInteger =
  (min: number, max: number): Parser<number | undefined> =>
  (raw) =>
    raw === '' ? undefined : integer(min, max)(raw);
const text: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new ConfigError('must not be empty');
  return raw;
};
const optionalText: Parser<string | undefined> = (raw) => (raw === '' ? undefined : raw);
const bool: Parser<boolean> = (raw) => {
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`expected true or false, got "${raw}"`);
};
const httpUrl: Parser<string> = (raw) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`expected an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`expected http(s), got ${url.protocol}`);
  if (url.search || url.hash) throw new ConfigError('must not carry a query or fragment');
  return url.href.replace(/\/+$/, '');
};
/** A comma-separated CIDR list, each entry checked by ipaddr.js `parseCIDR` and kept in normal form. */
const cidrList: Parser<readonly string[]> = (raw) =>
  Object.freeze(
    raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        try {
          const [network, bits] = ipaddr.parseCIDR(entry);
          return `${network.toString()}/${bits}`;
        } catch {
          throw new ConfigError(`expected a comma-separated list of CIDRs, "${entry}" is not one`);
        }
      }),
  );
const databaseUrl: Parser<string | undefined> = (raw) => {
  if (raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError('expected a postgres:// or postgresql:// URL');
  return raw;
};
const logLevel: Parser<LogLevel> = (raw) => {
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw as LogLevel)) throw new ConfigError(`expected one of ${levels.join(', ')}`);
  return raw as LogLevel;
};
const masterKey: Parser<string | undefined> = (raw) => {
  if (raw === '') return undefined;
  if (Buffer.from(raw, 'base64url').length !== 32 || !/^[A-Za-z0-9_-]{43}$/.test(raw)) {
    throw new ConfigError('expected 32 bytes as base64url (43 characters)');
  }
  return raw;
};

function option<K extends keyof GatehouseConfig>(spec: OptionSpec<K>): OptionSpec<K> {
  return spec;
}

export const OPTIONS: readonly OptionSpec[] = [
  option({ key: 'configFile', flag: '--config', env: 'GATEHOUSE_CONFIG', default: undefined, parse: optionalText, doc: 'YAML or JSON file of options by name (`port: 9011`, `dataDir: /var/lib/gatehouse`); flags and environment win over it.' }),
  option({ key: 'port', flag: '--port', env: 'GATEHOUSE_PORT', default: 9011, parse: integer(0, 65535), doc: 'TCP port to listen on (0 picks a free one).' }),
  option({ key: 'host', flag: '--host', env: 'GATEHOUSE_HOST', default: '127.0.0.1', parse: text, doc: 'Interface to bind; `0.0.0.0` for all.' }),
  option({ key: 'dataDir', flag: '--data-dir', env: 'GATEHOUSE_DATA_DIR', default: './data', parse: text, doc: 'Holds the SQLite database and the generated master key.' }),
  option({ key: 'databaseUrl', flag: '--database-url', env: 'DATABASE_URL', default: undefined, parse: databaseUrl, doc: 'PostgreSQL URL; when absent, SQLite in the data dir.' }),
  option({ key: 'databasePoolSize', flag: '--database-pool-size', env: 'GATEHOUSE_DATABASE_POOL_SIZE', default: 10, parse: integer(2, 1000), doc: 'Most PostgreSQL connections of one node. Logins and jti checks write through one connection each (group commit); the rest serve reads and transactions. At least 2: start-up holds one for its lock.' }),
  option({ key: 'publicUrl', flag: '--public-url', env: 'GATEHOUSE_PUBLIC_URL', default: '', parse: httpUrl, doc: 'Base URL clients see; issuers are `{publicUrl}/t/{tenant}`. Default `http://localhost:{port}`.' }),
  option({ key: 'kickstart', flag: '--kickstart', env: 'GATEHOUSE_KICKSTART', default: undefined, parse: optionalText, doc: 'JSON or YAML file applied idempotently at start.' }),
  option({ key: 'bootstrapApiKey', flag: '--bootstrap-api-key', env: 'GATEHOUSE_BOOTSTRAP_API_KEY', default: undefined, parse: optionalText, doc: 'A superuser API key to ensure at start; when unset and no key exists, one is generated and printed once.' }),
  option({ key: 'masterKey', flag: '--master-key', env: 'GATEHOUSE_MASTER_KEY', default: undefined, parse: masterKey, doc: 'Encrypts private keys at rest (32 bytes, base64url). When unset, generated into `{dataDir}/master.key`. Every node sharing a database needs the same one.' }),
  option({ key: 'logLevel', flag: '--log-level', env: 'GATEHOUSE_LOG_LEVEL', default: 'info', parse: logLevel, doc: 'JSON log level.' }),
  option({ key: 'bodyLimitBytes', flag: '--body-limit', env: 'GATEHOUSE_BODY_LIMIT', default: 65536, parse: integer(1024, 10485760), doc: 'Largest request body accepted (413 above).' }),
  option({ key: 'clockSkewSeconds', flag: '--clock-skew', env: 'GATEHOUSE_CLOCK_SKEW', default: 30, parse: integer(0, 300), doc: 'Tolerance for `exp`, `nbf` and `iat` of incoming JWTs.' }),
  option({ key: 'clientAssertionMaxLifetimeSeconds', flag: '--client-assertion-max-lifetime', env: 'GATEHOUSE_CLIENT_ASSERTION_MAX_LIFETIME', default: 300, parse: integer(1, 300), doc: 'How far ahead a client assertion\'s `exp` may be (SMART: at most 5 minutes).' }),
  option({ key: 'fetchTimeoutMs', flag: '--fetch-timeout', env: 'GATEHOUSE_FETCH_TIMEOUT_MS', default: 3000, parse: integer(100, 30000), doc: 'Time budget of one outbound JWKS or discovery fetch.' }),
  option({ key: 'fetchMaxBytes', flag: '--fetch-max-bytes', env: 'GATEHOUSE_FETCH_MAX_BYTES', default: 262144, parse: integer(1024, 4194304), doc: 'Largest JWKS or discovery document accepted.' }),
  option({ key: 'fetchAllowHttp', flag: '--fetch-allow-http', env: 'GATEHOUSE_FETCH_ALLOW_HTTP', default: false, parse: bool, doc: 'Allow plain-http JWKS URLs (development and tests only).' }),
  option({ key: 'fetchAllowPrivate', flag: '--fetch-allow-private', env: 'GATEHOUSE_FETCH_ALLOW_PRIVATE', default: false, parse: bool, doc: 'Let outbound fetches reach loopback, private (RFC 1918), carrier-grade NAT and unique-local addresses; link-local and other special ranges stay refused.' }),
  option({ key: 'fetchAllowCidrs', flag: '--fetch-allow-cidr', env: 'GATEHOUSE_FETCH_ALLOW_CIDRS', default: Object.freeze([]) as readonly string[], parse: cidrList, doc: 'Comma-separated CIDRs outbound fetches may reach whatever their range (e.g. `127.0.0.0/8,10.1.0.0/16`).' }),
  option({ key: 'fetchFailureCooldownSeconds', flag: '--fetch-failure-cooldown', env: 'GATEHOUSE_FETCH_FAILURE_COOLDOWN', default: 10, parse: integer(0, 3600), doc: 'How long a failed JWKS fetch is remembered (and answered from) before the URL is fetched again.' }),
  option({ key: 'jwksDefaultTtlSeconds', flag: '--jwks-default-ttl', env: 'GATEHOUSE_JWKS_DEFAULT_TTL', default: 300, parse: integer(0, 86400), doc: 'Cache lifetime of a remote JWKS that sends no Cache-Control.' }),
  option({ key: 'jwksMaxTtlSeconds', flag: '--jwks-max-ttl', env: 'GATEHOUSE_JWKS_MAX_TTL', default: 3600, parse: integer(0, 86400), doc: 'Cap on a remote JWKS\'s Cache-Control max-age.' }),
  option({ key: 'jwksRefetchCooldownSeconds', flag: '--jwks-refetch-cooldown', env: 'GATEHOUSE_JWKS_REFETCH_COOLDOWN', default: 10, parse: integer(0, 3600), doc: 'Least time between two re-reads of a JWKS for an unknown `kid`.' }),
  option({ key: 'jwksCacheEntries', flag: '--jwks-cache-entries', env: 'GATEHOUSE_JWKS_CACHE_ENTRIES', default: 1000, parse: integer(1, 1000000), doc: 'How many remote JWKS documents are cached at once.' }),
  option({ key: 'configurationCacheMs', flag: '--configuration-cache', env: 'GATEHOUSE_CONFIGURATION_CACHE_MS', default: DEFAULT_CACHE_LIFETIMES.configurationMs, parse: integer(0, 60000), doc: 'How long a node serves the clients, applications, identity providers, lambdas and SMART scopes it has read: another node\'s change shows within this. 0 reads the database every time.' }),
  option({ key: 'signingKeyCacheMs', flag: '--signing-key-cache', env: 'GATEHOUSE_SIGNING_KEY_CACHE_MS', default: DEFAULT_CACHE_LIFETIMES.signingKeyMs, parse: integer(0, 300000), doc: 'How long a node keeps a tenant\'s active signing key; after a rotation the old key stays published this much longer.' }),
  option({ key: 'rateLimitTokenPerMinute', flag: '--rate-limit-token', env: 'GATEHOUSE_RATE_LIMIT_TOKEN', default: 0, parse: integer(0, 100000000), doc: 'Requests per client IP per minute to the token endpoint, and separately to each authorization-flow endpoint; 0 turns rate limiting off.' }),
  option({ key: 'tlsCert', flag: '--tls-cert', env: 'GATEHOUSE_TLS_CERT', default: undefined, parse: optionalText, doc: 'PEM certificate file; with `--tls-key`, serve HTTPS (TLS 1.2 minimum).' }),
  option({ key: 'tlsKey', flag: '--tls-key', env: 'GATEHOUSE_TLS_KEY', default: undefined, parse: optionalText, doc: 'PEM private key file for `--tls-cert`.' }),
  option({ key: 'shutdownTimeoutMs', flag: '--shutdown-timeout', env: 'GATEHOUSE_SHUTDOWN_TIMEOUT_MS', default: 10000, parse: integer(0, 600000), doc: 'How long SIGTERM waits for in-flight requests.' }),
  option({ key: 'lambdaTimeoutMs', flag: '--lambda-timeout', env: 'GATEHOUSE_LAMBDA_TIMEOUT_MS', default: 500, parse: integer(10, 60000), doc: 'Time budget of one reconcile-lambda call, counted from when its code starts in the sandbox (its thread\'s CPU time on Linux, else wall time); queueing does not count.' }),
  option({ key: 'lambdaMemoryMb', flag: '--lambda-memory', env: 'GATEHOUSE_LAMBDA_MEMORY_MB', default: 32, parse: integer(4, 1024), doc: 'QuickJS heap limit of one reconcile-lambda call, in MB; each sandbox worker\'s WebAssembly memory is capped at twice this.' }),
  option({ key: 'lambdaWorkers', flag: '--lambda-workers', env: 'GATEHOUSE_LAMBDA_WORKERS', default: undefined, parse: optionalInteger(1, 256), doc: 'Sandbox worker threads for reconcile lambdas, started on demand. Default: the available CPU cores, at least 2.' }),
  option({ key: 'ssoSessionTtlSeconds', flag: '--sso-session-ttl', env: 'GATEHOUSE_SSO_SESSION_TTL', default: 28800, parse: integer(0, 2592000), doc: 'Absolute lifetime of the SSO session a browser login starts (a cookie on `/t/{tenant}`): within it a further `/authorize` of the tenant\'s clients skips the upstream login. 0 turns SSO sessions off.' }),
  option({ key: 'metrics', flag: '--metrics', env: 'GATEHOUSE_METRICS', default: false, parse: bool, doc: 'Record Prometheus metrics and serve them at `/metrics` on `--metrics-host`:`--metrics-port` (a listener of its own, no authentication). Off: nothing is recorded.' }),
  option({ key: 'metricsPort', flag: '--metrics-port', env: 'GATEHOUSE_METRICS_PORT', default: 9012, parse: integer(0, 65535), doc: 'TCP port of the metrics listener (0 picks a free one).' }),
  option({ key: 'metricsHost', flag: '--metrics-host', env: 'GATEHOUSE_METRICS_HOST', default: '127.0.0.1', parse: text, doc: 'Interface of the metrics listener: loopback unless the scraper is elsewhere (it has no authentication; bind it only to a network you trust).' }),
  option({ key: 'webhooks', flag: '--webhooks', env: 'GATEHOUSE_WEBHOOKS', default: true, parse: bool, doc: 'Write webhook events to the outbox (with the change they report) and deliver them. `false`: no event rows, no deliverer.' }),
  option({ key: 'webhookDelivery', flag: '--webhook-delivery', env: 'GATEHOUSE_WEBHOOK_DELIVERY', default: true, parse: bool, doc: 'Whether this node delivers webhook events. `false`: it still writes them to the outbox (with `--webhooks true`), and the nodes that deliver send them; for nodes kept for the request path.' }),
  option({ key: 'webhookPollIntervalMs', flag: '--webhook-poll-interval', env: 'GATEHOUSE_WEBHOOK_POLL_INTERVAL_MS', default: 1000, parse: integer(10, 60000), doc: 'How often each node looks for due webhook deliveries.' }),
  option({ key: 'webhookMaxAttempts', flag: '--webhook-max-attempts', env: 'GATEHOUSE_WEBHOOK_MAX_ATTEMPTS', default: 10, parse: integer(1, 100), doc: 'Attempts per event and webhook before the delivery is marked failed (and logged as an Error).' }),
  option({ key: 'webhookBackoffBaseMs', flag: '--webhook-backoff-base', env: 'GATEHOUSE_WEBHOOK_BACKOFF_BASE_MS', default: 1000, parse: integer(1, 3600000), doc: 'Wait after the first failed attempt; doubled after each further one (jittered, capped at an hour).' }),
  option({ key: 'purgeIntervalMs', flag: '--purge-interval', env: 'GATEHOUSE_PURGE_INTERVAL_MS', default: 60000, parse: integer(100, 3600000), doc: 'How often each node deletes expired rows (used jtis, revocations, refresh tokens, pending actions, authorization transactions, SSO sessions, completed webhook deliveries), in small batches.' }),
];

export function defaultConfig(): GatehouseConfig {
  const config = {} as Record<string, unknown>;
  for (const spec of OPTIONS) config[spec.key] = spec.default;
  return config as unknown as GatehouseConfig;
}

/**
 * Resolves the final config: defaults < config file (`--config`) < environment < flags <
 * overrides (from code), then validates cross-field rules and freezes the result. Throws
 * ConfigError naming the offending option.
 */
export function resolveConfig(
  input: { argv?: readonly string[]; env?: NodeJS.ProcessEnv; overrides?: Partial<GatehouseConfig> } = {},
): Readonly<GatehouseConfig> {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const env = input.env ?? {};
  const fromEnv: [OptionSpec, string, string][] = OPTIONS.filter((spec) => env[spec.env] !== undefined).map((spec) => [spec, env[spec.env]!, spec.env]);
  const fromFlags: [OptionSpec, string, string][] = [];
  const argv = input.argv ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const spec = OPTIONS.find((o) => o.flag === flag);
    if (!spec) throw new ConfigError(`unknown option ${flag}`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new ConfigError(`option ${flag} needs a value`);
    fromFlags.push([spec, raw, flag]);
  }
  const configFile = [...fromFlags, ...fromEnv].find(([spec]) => spec.key === 'configFile');
  const file = configFile ? (parseNamed(configFile[0], configFile[1], configFile[2]) as string | undefined) : undefined;
  const fromFile = file ? optionsOfFile(file) : [];
  for (const [spec, raw, name] of [...fromFile, ...fromEnv, ...fromFlags]) config[spec.key] = parseNamed(spec, raw, name);
  Object.assign(config, input.overrides ?? {});
  const result = config as unknown as GatehouseConfig;
  if (!result.publicUrl) result.publicUrl = `http://localhost:${result.port}`;
  if (Boolean(result.tlsCert) !== Boolean(result.tlsKey)) throw new ConfigError('--tls-cert and --tls-key go together');
  if (result.jwksDefaultTtlSeconds > result.jwksMaxTtlSeconds) {
    throw new ConfigError('--jwks-default-ttl must not exceed --jwks-max-ttl');
  }
  if (result.metrics && result.metricsPort !== 0 && result.metricsPort === result.port) throw new ConfigError('--metrics-port must differ from --port');
  return Object.freeze(result);
}

/** A config file's options, each with its spec and text; an unknown key or a value of no option's form is refused. */
function optionsOfFile(file: string): [OptionSpec, string, string][] {
  let document: Record<string, unknown>;
  try {
    document = readConfigFile(file);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return Object.entries(document).map(([key, value]): [OptionSpec, string, string] => {
    const spec = OPTIONS.find((o) => o.key === key);
    if (spec?.key === 'configFile') throw new ConfigError(`${file}: configFile: a config file cannot name another`);
    if (!spec) {
      const byFlag = OPTIONS.find((o) => o.flag === `--${key}`);
      throw new ConfigError(`${file}: unknown option "${key}"${byFlag ? ` (the file names options as ${byFlag.key}, not by flag)` : ''}`);
    }
    const raw = optionText(value);
    if (raw === undefined) throw new ConfigError(`${file}: ${key}: expected a string, number, boolean or list of strings`);
    return [spec, raw, `${file}: ${key}`];
  });
}

function parseNamed(spec: OptionSpec, raw: string, name: string): unknown {
  try {
    return spec.parse(raw);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}
