import { join } from 'node:path';
import { drive } from './load.js';
import { cpuMs, freePort, startProcess } from './processes.js';
import type { Started } from './processes.js';
import { profileArgs } from './settings.js';
import type { Scenario, Variant, VariantServer } from './variants.js';

export interface CompareSetup {
  /** Holds each variant's data directories (`data-<n>`, `login-data-<n>`). */
  dir: string;
  kickstart: string;
  /** The public URL every variant's server is started with: the audience the token bodies' assertions name. */
  publicUrl: string;
  /** `gatehouse start` flags every variant shares, after port and data dir. */
  commonFlags: string[];
  env: NodeJS.ProcessEnv;
  tokenPath: string;
  tokenBody: () => string;
  /** The Koppeltaal tenant's token endpoint and a body for it (scopes derived from the client's role). */
  koppeltaalPath: string;
  koppeltaalBody: () => string;
  loginBody: () => string;
  /** A login of an identity never seen: user, registration and link created. */
  newUserBody: () => string;
  /** Logs every returning identity in once, on a fresh login server. */
  seedLogins: (loginUrl: string) => Promise<void>;
}

export interface SliceOptions {
  /** Rounds, each with fresh server processes. */
  rounds: number;
  /** Measured slices per variant and round. */
  slices: number;
  sliceSeconds: number;
  warmupSeconds: number;
  connections: number;
}

/** A start on a machine loaded by other work can take far longer than on a quiet one. */
const READY_TIMEOUT_MS = 120_000;
/** Long enough for the requests in flight when autocannon stops to be answered. */
const IN_FLIGHT_WAIT_MS = 400;

/** A variant's figures over all rounds. */
interface Measured {
  variant: Variant;
  /** Gatehouse CPU (all threads) and requests done, per slice. */
  slices: { cpuMs: number; done: number; answered: number; failed: boolean }[];
  checks: string[];
}

/** A variant's server in one round; its slices and checks go to the variant's `Measured`. */
interface Running extends Measured {
  server: VariantServer;
  process: Started;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const triple = (values: number[], digits: number) => {
  const s = sorted(values);
  return `min ${s[0].toFixed(digits)} / median ${s[Math.floor(s.length / 2)].toFixed(digits)} / max ${s[s.length - 1].toFixed(digits)}`;
};

/**
 * Runs the client_credentials, the returning-login and the new-user-login scenario with every
 * variant's server running AT ONCE, each driven in turn for a short slice (each turn starting
 * with the next variant). A shared machine's speed drifts by ±15 % over minutes (the same build measured
 * twice, minutes apart, differs that much); slices of a few seconds, interleaved, put every
 * variant under the same drift; every round starts fresh processes (BENCH_ROUNDS), since two
 * identical servers differ by a few percent for their lifetime. BENCH_SCENARIOS picks scenarios
 * by name (comma-separated; `koppeltaal`, the Koppeltaal tenant's grants, runs only when named). Per variant: CPU per request over all its slices (the Gatehouse
 * process, all threads, read after the variant's `settle`, so work the load left behind counts),
 * and each slice's ratio to the first variant's slice of the same turn (min / median / max).
 */
export async function compareVariants(variants: Variant[], setup: CompareSetup, options: SliceOptions): Promise<string[]> {
  const scenarios: { name: Scenario; kind: 'data' | 'login-data'; path: string; body: () => string; headers?: Record<string, string>; onlyWhenNamed?: true }[] = [
    { name: 'client_credentials', kind: 'data', path: setup.tokenPath, body: setup.tokenBody },
    { name: 'koppeltaal', kind: 'data', path: setup.koppeltaalPath, body: setup.koppeltaalBody, onlyWhenNamed: true },
    { name: 'returning login', kind: 'login-data', path: '/api/identity-provider/login', body: setup.loginBody, headers: { 'content-type': 'application/json' } },
    { name: 'new-user login', kind: 'login-data', path: '/api/identity-provider/login', body: setup.newUserBody, headers: { 'content-type': 'application/json' } },
  ];
  const apiKey = String(setup.env.GATEHOUSE_BOOTSTRAP_API_KEY);
  const wanted = (process.env.BENCH_SCENARIOS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const lines: string[] = [];
  for (const scenario of scenarios.filter((s) => (wanted.length === 0 && !s.onlyWhenNamed) || wanted.includes(s.name))) {
    const results: Measured[] = variants.map((variant) => ({ variant, slices: [], checks: [] }));
    for (let round = 0, turn = 0; round < options.rounds; round++) {
      // Fresh processes every round (same data directories): one server's luck (JIT, heap layout)
      // is a few percent, so each variant's figure is taken over several instances.
      const running: Running[] = [];
      try {
        for (const [index, variant] of variants.entries()) {
          const port = await freePort();
          const process = await startProcess(
            [...profileArgs, variant.cli ?? 'dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(setup.dir, `${scenario.kind}-${index}`), '--kickstart', setup.kickstart, '--public-url', setup.publicUrl, ...(variant.commonFlags?.(setup.commonFlags) ?? setup.commonFlags), ...variant.flags],
            setup.env,
            `http://127.0.0.1:${port}/ready`,
            READY_TIMEOUT_MS,
          );
          const server = { baseUrl: `http://127.0.0.1:${port}`, apiKey };
          running.push({ ...results[index], server, process });
          if (round === 0 && scenario.name === 'returning login') await setup.seedLogins(`${server.baseUrl}${scenario.path}`);
          await variant.prepare?.(server);
        }
        const slice = async (entry: Running, seconds: number) => {
          const before = cpuMs(entry.process.child.pid!);
          const result = await drive(`${entry.server.baseUrl}${scenario.path}`, scenario.body, { seconds, warmupSeconds: 0, connections: options.connections, headers: scenario.headers });
          // autocannon stops with a request in flight on every connection; the server still answers them.
          const done = result.answered + options.connections;
          await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_WAIT_MS));
          const settled = await entry.variant.settle?.(entry.server, scenario.name, { answered: result.answered, done });
          if (settled) entry.checks.push(settled);
          return { cpuMs: cpuMs(entry.process.child.pid!) - before, done, answered: result.answered, failed: result.non2xx > 0 || result.errors > 0 };
        };
        for (const entry of running) if (options.warmupSeconds > 0) await slice(entry, options.warmupSeconds);
        // Each turn starts with the next variant, so every variant takes every place in the turn
        // equally often (a slice can meet the work the previous server's load left behind).
        for (let i = 0; i < options.slices; i++, turn++) {
          for (const entry of [...running.slice(turn % running.length), ...running.slice(0, turn % running.length)]) entry.slices.push(await slice(entry, options.sliceSeconds));
        }
        for (const entry of running) if (entry.variant.check) entry.checks.push(await entry.variant.check());
      } finally {
        for (const entry of running) {
          await entry.variant.finish?.(entry.server).catch(() => undefined);
          await entry.process.stop();
        }
      }
    }
    lines.push(...report(scenario.name, results, options));
  }
  return lines;
}

function report(scenario: Scenario, running: Measured[], options: SliceOptions): string[] {
  const unit = scenario === 'client_credentials' || scenario === 'koppeltaal' ? 'grants/s' : 'logins/s';
  const lines = ['', `${scenario} — ${running.length} servers at once, ${options.rounds} rounds of fresh servers, ${options.slices} interleaved slices of ${options.sliceSeconds} s each per round:`];
  const perRequest = (entry: Measured) => entry.slices.reduce((sum, s) => sum + s.cpuMs, 0) / entry.slices.reduce((sum, s) => sum + s.done, 0);
  for (const entry of running) {
    const invalid = entry.slices.some((s) => s.failed) ? '   WARNING: non-2xx or failed requests, not valid' : '';
    const throughput = entry.slices.map((s) => s.answered / options.sliceSeconds);
    lines.push(`  ${entry.variant.name.padEnd(16)} ${unit}: ${triple(throughput, 0)}   CPU/request over all slices ${perRequest(entry).toFixed(3)} ms${invalid}`);
  }
  const reference = running[0];
  for (const entry of running.slice(1)) {
    const ratios = entry.slices.map((s, i) => s.cpuMs / s.done / (reference.slices[i].cpuMs / reference.slices[i].done));
    lines.push(`  ${entry.variant.name} / ${reference.variant.name}: CPU per request over all slices ${(perRequest(entry) / perRequest(reference)).toFixed(3)}; per slice ${triple(ratios, 3)}`);
  }
  for (const entry of running) if (entry.checks.length > 0) lines.push(`  ${entry.variant.name}, checked: ${entry.checks.slice(-2).join(' | ')}`);
  return lines;
}
