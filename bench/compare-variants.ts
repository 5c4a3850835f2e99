import { join } from 'node:path';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { cpuMs, startProcess } from './processes.js';
import type { Scenario, Variant, VariantServer } from './variants.js';

export interface CompareSetup {
  port: number;
  /** Holds `data` (client credentials) and `login-data` (logins), like the main bench. */
  dir: string;
  kickstart: string;
  /** `gatehouse start` flags every variant shares, after port and data dir. */
  commonFlags: string[];
  env: NodeJS.ProcessEnv;
  tokenPath: string;
  tokenBody: () => string;
  loginBody: () => string;
  /** A login of an identity never seen: user, registration and link created. */
  newUserBody: () => string;
  /** Logs every returning identity in once, on the first login server. */
  seedLogins: (loginUrl: string) => Promise<void>;
}

export interface LoadOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/** A start on a machine loaded by other work can take far longer than on a quiet one. */
const READY_TIMEOUT_MS = 120_000;
/** Long enough for the requests in flight when autocannon stops to be answered, on a loaded machine too. */
const IN_FLIGHT_WAIT_MS = 1500;

type Measured = LoadResult & { cpuMsPerRequest: number };

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
};
const triple = (values: number[], digits: number) => {
  const { min, median, max } = stats(values);
  return `min ${min.toFixed(digits)} / median ${median.toFixed(digits)} / max ${max.toFixed(digits)}`;
};

/**
 * Runs the client_credentials, the returning-login and the new-user-login scenario on each
 * variant, alternating the variant order every round so that drift on a shared machine hits all
 * alike, and reports each variant's figures and its ratio to the first variant IN THE SAME ROUND
 * (min / median / max over the rounds): throughput, and the server's CPU per request (the
 * Gatehouse process only, read after the variant's `settle`, so work the load left behind counts).
 */
export async function compareVariants(variants: Variant[], setup: CompareSetup, options: LoadOptions): Promise<string[]> {
  const { port, dir } = setup;
  const load = { seconds: options.seconds, warmupSeconds: options.warmupSeconds, connections: options.connections };
  const scenarios: Scenario[] = ['client_credentials', 'returning login', 'new-user login'];
  const runs = scenarios.map(() => variants.map((): Measured[] => []));
  const checks = variants.map((): string[] => []);
  const server: VariantServer = { baseUrl: `http://127.0.0.1:${port}`, apiKey: String(setup.env.GATEHOUSE_BOOTSTRAP_API_KEY) };
  const measure = async (variant: Variant, pid: number, scenario: Scenario, url: string, body: () => string, headers?: Record<string, string>): Promise<Measured> => {
    const before = cpuMs(pid);
    const result = await drive(url, body, { ...load, headers });
    // autocannon stops with a request in flight on every connection, after the warm-up and after
    // the run; the server still answers them. They count as done, and every variant waits for them.
    const done = result.answered + (load.warmupSeconds > 0 ? 2 : 1) * load.connections;
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_WAIT_MS));
    const settled = await variant.settle?.(server, scenario, { answered: result.answered, done });
    if (settled) checks[variants.indexOf(variant)].push(settled);
    return { ...result, cpuMsPerRequest: (cpuMs(pid) - before) / done };
  };
  const start = (dataDir: string, variant: Variant, kickstart: boolean) =>
    startProcess(
      ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, dataDir), ...(kickstart ? ['--kickstart', setup.kickstart] : []), ...setup.commonFlags, ...variant.flags],
      setup.env,
      `http://127.0.0.1:${port}/ready`,
      READY_TIMEOUT_MS,
    );
  const json = { 'content-type': 'application/json' };
  for (let round = 0; round < options.rounds; round++) {
    const order = variants.map((_, i) => (i + round) % variants.length);
    for (const index of order) {
      const variant = variants[index];
      const tokenServer = await start('data', variant, false);
      await variant.prepare?.(server);
      runs[0][index].push(await measure(variant, tokenServer.child.pid!, scenarios[0], `${server.baseUrl}${setup.tokenPath}`, setup.tokenBody));
      if (variant.check) checks[index].push(await variant.check());
      await variant.finish?.(server);
      await tokenServer.stop();
      const loginServer = await start('login-data', variant, true);
      const loginUrl = `${server.baseUrl}/api/identity-provider/login`;
      if (round === 0 && index === order[0]) await setup.seedLogins(loginUrl);
      await variant.prepare?.(server);
      runs[1][index].push(await measure(variant, loginServer.child.pid!, scenarios[1], loginUrl, setup.loginBody, json));
      runs[2][index].push(await measure(variant, loginServer.child.pid!, scenarios[2], loginUrl, setup.newUserBody, json));
      if (variant.check) checks[index].push(await variant.check());
      await variant.finish?.(server);
      await loginServer.stop();
    }
  }
  const lines: string[] = [];
  const report = (title: string, runs: Measured[][], unit: string, withCpu: boolean) => {
    lines.push('', `${title} — ${options.rounds} rounds of ${options.seconds} s, variant order alternating:`);
    runs.forEach((list, i) => {
      const invalid = list.some((r) => r.non2xx > 0 || r.errors > 0) ? '   WARNING: non-2xx or failed requests, not valid' : '';
      lines.push(`  ${variants[i].name.padEnd(14)} ${unit}: ${triple(list.map((r) => r.requestsPerSecond), 0)}   p50 ${triple(list.map((r) => r.p50), 0)} ms${withCpu ? `   CPU/request ${triple(list.map((r) => r.cpuMsPerRequest), 3)} ms` : ''}${invalid}`);
    });
    for (let i = 1; i < variants.length; i++) {
      const throughput = runs[i].map((r, round) => r.requestsPerSecond / runs[0][round].requestsPerSecond);
      const cpu = runs[i].map((r, round) => r.cpuMsPerRequest / runs[0][round].cpuMsPerRequest);
      lines.push(`  ${variants[i].name} / ${variants[0].name}, same round: throughput ${triple(throughput, 3)}${withCpu ? `; CPU per request ${triple(cpu, 3)}` : ''}`);
    }
  };
  report('client_credentials + private_key_jwt (ES256), SQLite', runs[0], 'grants/s', true);
  report('returning-user login (POST /api/identity-provider/login, lambda, access + refresh token)', runs[1], 'logins/s', true);
  report('new-user login (user, registration and link created)', runs[2], 'logins/s', true);
  checks.forEach((list, i) => list.length > 0 && lines.push(`  ${variants[i].name}, checked in the last round: ${list.slice(-3).join(' | ')}`));
  return lines;
}
