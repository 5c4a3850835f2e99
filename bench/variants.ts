import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpuMs, freePort, startProcess } from './processes.js';
import type { Started } from './processes.js';

/** The Gatehouse process a variant runs as, for its hooks. */
export interface VariantServer {
  baseUrl: string;
  apiKey: string;
}

/** The measured scenarios of a comparison. */
export type Scenario = 'client_credentials' | 'koppeltaal' | 'returning login' | 'new-user login';

/** One way of starting Gatehouse in a same-run comparison. */
export interface Variant {
  name: string;
  /** Extra `gatehouse start` flags. */
  flags: string[];
  /** Another build's `dist/src/cli.js` (`BENCH_COMPARE=build`); this build's when absent. */
  cli?: string;
  /** The shared start flags as this variant takes them (an older build may not know one). */
  commonFlags?: (flags: string[]) => string[];
  /** While the variant's server still runs after its load: a one-line proof that it is what it says. */
  check?: () => Promise<string>;
  /** After the server is ready, before any load (e.g. subscribe a webhook). */
  prepare?: (server: VariantServer) => Promise<void>;
  /**
   * After a scenario's load, before the server's CPU is read: waits for the work the load left
   * behind (deliveries), so that its CPU counts; answers a line for the report. `answered`: the
   * 2xx answers the load generator saw; `done`: those plus the requests in flight when it stopped.
   */
  settle?: (server: VariantServer, scenario: Scenario, requests: { answered: number; done: number }) => Promise<string | undefined>;
  /** Before the server stops: undoes `prepare`. */
  finish?: (server: VariantServer) => Promise<void>;
}

export interface Comparison {
  variants: Variant[];
  /** Stops what the comparison started besides Gatehouse (a receiver). */
  close(): Promise<void>;
}

/** What a metrics listener reports: proof that metrics were on, and queries per request (for bench/metrics-cost.ts). */
async function scrapedCounts(port: number): Promise<string> {
  const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  const total = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const requests = total('gatehouse_http_request_duration_seconds_count{');
  const queries = total('gatehouse_db_query_duration_seconds_count{');
  return `${requests} requests, ${total('gatehouse_grants_issued_total{')} grants, ${total('gatehouse_logins_total{')} logins, ${(queries / Math.max(1, requests)).toFixed(1)} queries per request`;
}

/** Events per answered request of each scenario, with a webhook on every login event. */
const EVENTS_PER_REQUEST: Record<Scenario, number> = { client_credentials: 0, koppeltaal: 0, 'returning login': 1, 'new-user login': 4 };
/** What a login sends: FusionAuth's events of a first and of a returning login. */
const LOGIN_EVENTS = ['user.create', 'user.identity-provider.link', 'user.registration.create', 'user.login.success', 'user.login.failed'];

interface ReceiverCounts {
  requests: number;
  distinct: number;
}

/**
 * A variant with a webhook on every login event, delivered to a receiver in a process of its
 * own (its CPU is not Gatehouse's). After each scenario it waits until the receiver has every
 * event and the outbox has nothing pending, then reports rows delivered against events received.
 */
async function subscribedVariant(receiver: Started, receiverPort: number): Promise<Variant> {
  const counts = async (): Promise<ReceiverCounts> => (await (await fetch(`http://127.0.0.1:${receiverPort}/count`)).json()) as ReceiverCounts;
  let webhookId = '';
  let last: ReceiverCounts = { requests: 0, distinct: 0 };
  let lastDelivered = 0;
  let receiverCpu = 0;
  const total = (server: VariantServer, status: string) => outboxTotal(server, webhookId, status);
  return {
    name: 'subscribed',
    flags: ['--webhooks', 'true'],
    async prepare(server) {
      webhookId = await subscribeLoginEvents(server, receiverPort);
      last = await counts();
      lastDelivered = 0;
      receiverCpu = cpuMs(receiver.child.pid!);
    },
    async settle(server, scenario, { answered, done }) {
      const expected = last.distinct + answered * EVENTS_PER_REQUEST[scenario];
      const deadline = Date.now() + 300_000;
      // Receiver first (it costs Gatehouse nothing), then the outbox: nothing pending.
      for (let stable = 0, previous = -1; ; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = await counts();
        stable = now.distinct === previous ? stable + 1 : 0;
        previous = now.distinct;
        if (now.distinct >= expected && stable >= 2 && (await total(server, 'pending')) === 0) break;
        if (Date.now() > deadline) throw new Error(`${scenario}: deliveries did not finish (${now.distinct} of ${expected})`);
      }
      const now = await counts();
      const delivered = await total(server, 'delivered');
      const failed = await total(server, 'failed');
      const cpu = cpuMs(receiver.child.pid!);
      const line = `${scenario}: ${answered} answered (${done} with those in flight at the end) x ${EVENTS_PER_REQUEST[scenario]} events; outbox ${delivered - lastDelivered} delivered, ${failed} failed, 0 pending; receiver ${now.distinct - last.distinct} distinct events in ${now.requests - last.requests} requests (receiver CPU ${(cpu - receiverCpu).toFixed(0)} ms, not Gatehouse's)`;
      const exact = delivered - lastDelivered === now.distinct - last.distinct && now.requests - last.requests === now.distinct - last.distinct && failed === 0;
      [last, lastDelivered, receiverCpu] = [now, delivered, cpu];
      return exact ? line : `${line}   WARNING: deliveries and receipts differ`;
    },
    finish: (server) => unsubscribe(server, webhookId),
  };
}

/**
 * A variant that writes every login event to the outbox, subscribed as above, but delivers none
 * (`--webhook-delivery false`: another node would): the cost of the transactional outbox itself.
 * After each scenario it checks that exactly the scenario's events were written and all of them
 * are still pending (none delivered or failed: no attempt was made).
 */
function outboxOnlyVariant(receiverPort: number): Variant {
  let webhookId = '';
  let lastPending = 0;
  return {
    name: 'outbox only',
    flags: ['--webhooks', 'true', '--webhook-delivery', 'false'],
    async prepare(server) {
      webhookId = await subscribeLoginEvents(server, receiverPort);
      lastPending = 0;
    },
    async settle(server, scenario, { answered, done }) {
      const pending = await outboxTotal(server, webhookId, 'pending');
      const attempted = (await outboxTotal(server, webhookId, 'delivered')) + (await outboxTotal(server, webhookId, 'failed'));
      const written = pending - lastPending;
      lastPending = pending;
      const [low, high] = [answered * EVENTS_PER_REQUEST[scenario], done * EVENTS_PER_REQUEST[scenario]];
      const line = `${scenario}: ${answered} answered (${done} with those in flight at the end) x ${EVENTS_PER_REQUEST[scenario]} events; outbox ${written} rows written, all pending; ${attempted} delivered or failed`;
      return written >= low && written <= high && attempted === 0 ? line : `${line}   WARNING: expected ${low}–${high} pending rows and no delivery`;
    },
    finish: (server) => unsubscribe(server, webhookId),
  };
}

// A content type only with a body: Fastify refuses an empty JSON body (a DELETE that failed would leave the webhook on).
const api = (server: VariantServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.baseUrl}${path}`, { ...init, headers: { authorization: server.apiKey, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

/** Rows of the webhook's outbox in `status`. */
const outboxTotal = async (server: VariantServer, webhookId: string, status: string): Promise<number> =>
  ((await (await api(server, `/api/webhook/${webhookId}/delivery?status=${status}&numberOfResults=1`)).json()) as { total: number }).total;

/** Subscribes the one webhook of the server to every login event, sent to the receiver; answers its id. */
async function subscribeLoginEvents(server: VariantServer, receiverPort: number): Promise<string> {
  const hook = { webhook: { url: `http://127.0.0.1:${receiverPort}/hook`, global: true, eventsEnabled: Object.fromEntries(LOGIN_EVENTS.map((type) => [type, true])) } };
  const response = await api(server, '/api/webhook', { method: 'POST', body: JSON.stringify(hook) });
  if (response.status !== 200) throw new Error(`subscribing: ${response.status} ${await response.text()}`);
  const all = ((await (await api(server, '/api/webhook')).json()) as { webhooks: unknown[] }).webhooks;
  if (all.length !== 1) throw new Error(`${all.length} webhooks subscribed, expected this one only`);
  return ((await response.json()) as { webhook: { id: string } }).webhook.id;
}

async function unsubscribe(server: VariantServer, webhookId: string): Promise<void> {
  const response = await api(server, `/api/webhook/${webhookId}`, { method: 'DELETE' });
  if (response.status !== 200) throw new Error(`unsubscribing: ${response.status} ${await response.text()}`);
}

/**
 * `BENCH_COMPARE=<name>[,<name>…]`: the variants alternated in the same run. The first is the
 * reference the others are divided by. A new switch (an outbox, a cache, ...) adds its case here.
 */
export async function comparison(name: string): Promise<Comparison> {
  switch (name) {
    case 'metrics': {
      const metricsPort = await freePort();
      return {
        variants: [
          { name: 'metrics off', flags: ['--metrics', 'false'] },
          { name: 'metrics on', flags: ['--metrics', 'true', '--metrics-port', String(metricsPort)], check: () => scrapedCounts(metricsPort) },
          // The same as the reference: what two identical servers differ by is the noise floor.
          { name: 'metrics off, 2', flags: ['--metrics', 'false'] },
        ],
        close: async () => undefined,
      };
    }
    case 'webhooks': {
      const receiver = await startProcess(['dist/bench/webhook-receiver.js'], process.env, /receiver ready \d+/, 120_000);
      const receiverPort = Number(/receiver ready (\d+)/.exec(receiver.output())![1]);
      return {
        variants: [
          { name: 'webhooks off', flags: ['--webhooks', 'false'] },
          { name: 'no subscriber', flags: ['--webhooks', 'true'] },
          outboxOnlyVariant(receiverPort),
          await subscribedVariant(receiver, receiverPort),
        ],
        close: () => receiver.stop(),
      };
    }
    case 'build': {
      // BENCH_AGAINST=<another checkout, built>: this build against that one (e.g. a commit before a change).
      const other = process.env.BENCH_AGAINST;
      if (!other) throw new Error('BENCH_COMPARE=build needs BENCH_AGAINST=<a built checkout of another commit>');
      const cli = join(resolve(other), 'dist/src/cli.js');
      const options = readFileSync(join(resolve(other), 'dist/src/config/options.js'), 'utf8');
      // Builds from before the outbound address policy know neither --fetch-allow-cidr nor need it.
      const known = (flags: string[]) => (options.includes('fetch-allow-cidr') ? flags : flags.filter((flag, i) => flag !== '--fetch-allow-cidr' && flags[i - 1] !== '--fetch-allow-cidr'));
      return { variants: [{ name: 'this build', flags: [] }, { name: `build ${other}`.slice(0, 40), flags: [], cli, commonFlags: known }], close: async () => undefined };
    }
    case 'lambda-workers':
      // The lambda pool's size against the cores it shares with the rest of the server and the load generator.
      return {
        variants: [
          { name: '2 lambda workers', flags: ['--lambda-workers', '2'] },
          { name: '1 lambda worker', flags: ['--lambda-workers', '1'] },
        ],
        close: async () => undefined,
      };
    default:
      throw new Error(`BENCH_COMPARE=${name}: unknown comparison (known: metrics, webhooks, lambda-workers, build)`);
  }
}
