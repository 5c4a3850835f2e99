import { freePort } from './processes.js';

/** One way of starting Gatehouse in a same-run comparison. */
export interface Variant {
  name: string;
  /** Extra `gatehouse start` flags. */
  flags: string[];
  /** While the variant's server still runs after its load: a one-line proof that it is what it says. */
  check?: () => Promise<string>;
}

/** Counts the token responses a metrics listener reports (proof that metrics were on and recording). */
async function scrapedGrants(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const issued = text.split('\n').find((line) => line.startsWith('gatehouse_grants_issued_total{'));
  const logins = text.split('\n').find((line) => line.startsWith('gatehouse_logins_total{'));
  return `scraped: ${issued ?? 'no grant counted'}; ${logins ?? 'no login counted'}`;
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
        { name: 'metrics on', flags: ['--metrics', 'true', '--metrics-port', String(metricsPort)], check: () => scrapedGrants(metricsPort) },
      ];
    }
    default:
      throw new Error(`BENCH_COMPARE=${name}: unknown comparison (known: metrics)`);
  }
}
