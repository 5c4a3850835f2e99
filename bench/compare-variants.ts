import { join } from 'node:path';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { cpuMs, startProcess } from './processes.js';
import type { Variant } from './variants.js';

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
  /** Logs every returning identity in once, on the first login server. */
  seedLogins: (loginUrl: string) => Promise<void>;
}

export interface LoadOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

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
 * Runs the client_credentials and the returning-login scenario on each variant, alternating
 * the variant order every round so that drift on a shared machine hits all alike, and reports
 * each variant's figures and its ratio to the first variant IN THE SAME ROUND (min / median /
 * max over the rounds): throughput, and for logins the server CPU per request too.
 */
export async function compareVariants(variants: Variant[], setup: CompareSetup, options: LoadOptions): Promise<string[]> {
  const { port, dir } = setup;
  const load = { seconds: options.seconds, warmupSeconds: options.warmupSeconds, connections: options.connections };
  const tokens = variants.map((): Measured[] => []);
  const logins = variants.map((): Measured[] => []);
  const checks = variants.map((): string[] => []);
  const measure = async (pid: number, url: string, body: () => string, headers?: Record<string, string>): Promise<Measured> => {
    const before = cpuMs(pid);
    const result = await drive(url, body, { ...load, headers });
    return { ...result, cpuMsPerRequest: (cpuMs(pid) - before) / (result.requestsPerSecond * (load.seconds + load.warmupSeconds)) };
  };
  const start = (dataDir: string, variant: Variant, kickstart: boolean) =>
    startProcess(
      ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, dataDir), ...(kickstart ? ['--kickstart', setup.kickstart] : []), ...setup.commonFlags, ...variant.flags],
      setup.env,
      `http://127.0.0.1:${port}/ready`,
    );
  for (let round = 0; round < options.rounds; round++) {
    const order = variants.map((_, i) => (i + round) % variants.length);
    for (const index of order) {
      const variant = variants[index];
      const server = await start('data', variant, false);
      tokens[index].push(await measure(server.child.pid!, `http://127.0.0.1:${port}${setup.tokenPath}`, setup.tokenBody));
      if (variant.check) checks[index].push(await variant.check());
      await server.stop();
      const loginServer = await start('login-data', variant, true);
      const loginUrl = `http://127.0.0.1:${port}/api/identity-provider/login`;
      if (round === 0 && index === order[0]) await setup.seedLogins(loginUrl);
      logins[index].push(await measure(loginServer.child.pid!, loginUrl, setup.loginBody, { 'content-type': 'application/json' }));
      if (variant.check) checks[index].push(await variant.check());
      await loginServer.stop();
    }
  }
  const lines: string[] = [];
  const report = (title: string, runs: Measured[][], unit: string, withCpu: boolean) => {
    lines.push('', `${title} — ${options.rounds} rounds of ${options.seconds} s, variant order alternating:`);
    runs.forEach((list, i) => {
      const invalid = list.some((r) => r.non2xx > 0 || r.errors > 0) ? '   WARNING: non-2xx or failed requests, not valid' : '';
      lines.push(`  ${variants[i].name.padEnd(14)} ${unit}: ${triple(list.map((r) => r.requestsPerSecond), 0)}   p50 ${triple(list.map((r) => r.p50), 0)} ms${withCpu ? `   CPU/request ${triple(list.map((r) => r.cpuMsPerRequest), 2)} ms` : ''}${invalid}`);
    });
    for (let i = 1; i < variants.length; i++) {
      const throughput = runs[i].map((r, round) => r.requestsPerSecond / runs[0][round].requestsPerSecond);
      const cpu = runs[i].map((r, round) => r.cpuMsPerRequest / runs[0][round].cpuMsPerRequest);
      lines.push(`  ${variants[i].name} / ${variants[0].name}, same round: throughput ${triple(throughput, 3)}${withCpu ? `; CPU per request ${triple(cpu, 3)}` : ''}`);
    }
  };
  report('client_credentials + private_key_jwt (ES256), SQLite', tokens, 'grants/s', true);
  report('returning-user login (POST /api/identity-provider/login, lambda, access + refresh token)', logins, 'logins/s', true);
  checks.forEach((list, i) => list.length > 0 && lines.push(`  ${variants[i].name}, checked in the last round: ${list.slice(-2).join(' | ')}`));
  return lines;
}
