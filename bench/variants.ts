import { freePort } from './processes.js';

/** One way of starting Gatehouse in a same-run comparison. */
export interface Variant {
  name: string;
  /** Extra `gatehouse start` flags. */
  flags: string[];
  /** While the variant's server still runs after its load: a one-line proof that it is what it says. */
  check?: () => Promise<string>;
}

/** What a metrics listener reports: proof that metrics were on, and queries per request (for bench/metrics-cost.ts). */
async function scrapedCounts(port: number): Promise<string> {
  const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  const total = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const requests = total('gatehouse_http_request_duration_seconds_count{');
  const queries = total('gatehouse_db_query_duration_seconds_count{');
  return `${requests} requests, ${total('gatehouse_grants_issued_total{')} grants, ${total('gatehouse_logins_total{')} logins, ${(queries / Math.max(1, requests)).toFixed(1)} queries per request`;
}

/**
 * `BENCH_COMPARE=<name>`: the variants alternated in the same run. The first is the reference
 * the others are divided by. A new switch (an outbox, a cache, ...) adds its case here.
 */
export async function comparison(name: string): Promise<Variant[]> {
  switch (name) {
    case 'metrics': {
      const metricsPort = await freePort();
      return [
        { name: 'metrics off', flags: ['--metrics', 'false'] },
        { name: 'metrics on', flags: ['--metrics', 'true', '--metrics-port', String(metricsPort)], check: () => scrapedCounts(metricsPort) },
      ];
    }
    case 'lambda-workers':
      // The lambda pool's size against the cores it shares with the rest of the server and the load generator.
      return [
        { name: '2 lambda workers', flags: ['--lambda-workers', '2'] },
        { name: '1 lambda worker', flags: ['--lambda-workers', '1'] },
      ];
    default:
      throw new Error(`BENCH_COMPARE=${name}: unknown comparison (known: metrics, lambda-workers)`);
  }
}
