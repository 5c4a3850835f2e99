/**
 * `node dist/bench/webhook-overhead.js`: what a subscribed webhook costs Gatehouse per login,
 * in one process, so the figure does not drown in the noise of a shared machine. One Gatehouse
 * (SQLite, the bench kickstart: ES256 ID tokens from a JWKS URL, the reconcile lambda, access and
 * refresh tokens) runs logins through `inject` in alternating batches: no webhook subscribed
 * (the default install), a webhook on every login event delivered to a receiver in a
 * process of its own, and — a second instance on a database of its own — `--webhooks false`. A subscribed batch ends when the receiver has every event, so the outbox
 * rows, their claims, the POSTs and the marking all count; the CPU is this process's (every
 * thread: lambda workers, the replay writer), not the receiver's. The ID tokens are signed before
 * a batch starts. Prints the median CPU per login of each and the median of the same-round
 * differences, for returning users (one event) and new users (four events).
 * BENCH_BATCHES (15 rounds) and BENCH_BATCH_LOGINS (300) tune it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatehouse, resolveConfig } from '../src/app.js';
import type { JsonObject } from '../src/store/records.js';
import { benchClient } from './assertions.js';
import { benchKickstart, IDP_ID, PATIENT_APP_ID } from './bench-kickstart.js';
import { benchIssuer } from './id-tokens.js';
import { startBenchJwksServer } from './jwks-server.js';
import { startProcess } from './processes.js';

const PAIRS = Number(process.env.BENCH_BATCHES ?? 15);
const PER_BATCH = Number(process.env.BENCH_BATCH_LOGINS ?? 300);
/** Logins in flight at once, so that the group commit batches them as under load. */
const CONCURRENCY = 16;
const RETURNING = 500;
const LOGIN_EVENTS = ['user.create', 'user.identity-provider.link', 'user.registration.create', 'user.login.success', 'user.login.failed'];

type Mode = 'off' | 'none' | 'subscribed';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-webhook-cost-'));
  const issuer = benchIssuer();
  const jwks = await startBenchJwksServer(benchClient().publicJwk, issuer.publicJwk);
  const receiver = await startProcess(['dist/bench/webhook-receiver.js'], process.env, /receiver ready \d+/);
  const receiverPort = Number(/receiver ready (\d+)/.exec(receiver.output())![1]);
  const received = async () => ((await (await fetch(`http://127.0.0.1:${receiverPort}/count`)).json()) as { requests: number; distinct: number; connections: number });
  const config = resolveConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:9011', dataDir: dir, bootstrapApiKey: randomBytes(32).toString('base64url'), logLevel: 'silent', fetchAllowHttp: true, fetchAllowCidrs: ['127.0.0.0/8'] },
  });
  const gatehouse = await createGatehouse({ config });
  // The same login pipeline with `--webhooks false`, on a database of its own, for the default-install comparison.
  mkdirSync(join(dir, 'off'));
  const withoutWebhooks = await createGatehouse({ config: { ...config, dataDir: join(dir, 'off'), webhooks: false } });
  try {
    for (const instance of [gatehouse, withoutWebhooks]) await instance.applyKickstart(benchKickstart(jwks.jwksUri, jwks.idpJwksUri) as JsonObject);
    const { webhooks } = gatehouse.services;
    let target = gatehouse;
    const login = async (payload: string) => {
      const reply = await target.server.inject({ method: 'POST', url: '/api/identity-provider/login', payload, headers: { 'content-type': 'application/json' } });
      if (reply.statusCode !== 200) throw new Error(`login: ${reply.statusCode} ${reply.body}`);
    };
    const body = (uniqueId: string) => JSON.stringify({ applicationId: PATIENT_APP_ID, identityProviderId: IDP_ID, encodedJWT: issuer.idToken(uniqueId, `${uniqueId}@example.de`) });
    const run = async (bodies: string[]) => {
      for (let next = 0; next < bodies.length; ) await Promise.all(bodies.slice(next, (next += CONCURRENCY)).map(login));
    };
    for (const instance of [gatehouse, withoutWebhooks]) {
      target = instance;
      await run(Array.from({ length: RETURNING }, (_, n) => body(`X-returning-${n}`)));
    }
    let newUsers = 0;
    const bodiesOf = (kind: 'returning' | 'new') =>
      Array.from({ length: PER_BATCH }, () => (kind === 'returning' ? body(`X-returning-${Math.floor(Math.random() * RETURNING)}`) : body(`X-new-${(newUsers += 1)}-${randomBytes(3).toString('hex')}`)));

    /** CPU µs per login of one batch; subscribed: until the receiver has all `events` of it; off: on the `--webhooks false` instance. */
    const batch = async (kind: 'returning' | 'new', mode: Mode): Promise<number> => {
      const subscribed = mode === 'subscribed';
      target = mode === 'off' ? withoutWebhooks : gatehouse;
      const id = subscribed ? (await webhooks.create({ url: `http://127.0.0.1:${receiverPort}/hook`, global: true, eventsEnabled: Object.fromEntries(LOGIN_EVENTS.map((t) => [t, true])) })).id : undefined;
      const bodies = bodiesOf(kind);
      const expected = (await received()).distinct + PER_BATCH * (kind === 'new' ? 4 : 1);
      const start = process.cpuUsage();
      await run(bodies);
      if (subscribed) await fetch(`http://127.0.0.1:${receiverPort}/wait?distinct=${expected}`);
      const used = process.cpuUsage(start);
      if (id) await webhooks.delete(id);
      return (used.user + used.system) / PER_BATCH;
    };

    const report: string[] = [];
    const modes: Mode[] = ['off', 'none', 'subscribed'];
    for (const kind of ['returning', 'new'] as const) {
      for (const mode of modes) await batch(kind, mode);
      const cpu: Record<Mode, number[]> = { off: [], none: [], subscribed: [] };
      for (let round = 0; round < PAIRS; round++) {
        // Each round runs the three in a rotated order, so that drift hits all alike.
        for (let i = 0; i < modes.length; i++) {
          const mode = modes[(i + round) % modes.length];
          cpu[mode].push(await batch(kind, mode));
        }
      }
      const compare = (a: Mode, b: Mode, what: string) => {
        const deltas = cpu[a].map((value, round) => value - cpu[b][round]);
        const delta = median(deltas);
        return `${what}: ${delta.toFixed(1)} µs (${((100 * delta) / median(cpu[b])).toFixed(1)} %), rounds from ${Math.min(...deltas).toFixed(0)} to ${Math.max(...deltas).toFixed(0)} µs`;
      };
      report.push(
        `${kind === 'returning' ? 'returning login (1 event)' : 'new-user login (4 events)'}, median CPU per login: webhooks off ${median(cpu.off).toFixed(0)} µs, no subscriber ${median(cpu.none).toFixed(0)} µs, subscribed ${median(cpu.subscribed).toFixed(0)} µs`,
        `  ${compare('none', 'off', 'no subscriber minus off, median of the same-round differences')}`,
        `  ${compare('subscribed', 'none', 'subscribed minus no subscriber')}`,
      );
    }
    const counts = await received();
    report.push(`receiver: ${counts.distinct} distinct events in ${counts.requests} requests over ${counts.connections} connections (each delivered once: ${counts.distinct === counts.requests})`);
    console.log(report.join('\n'));
  } finally {
    await withoutWebhooks.close();
    await gatehouse.close();
    await receiver.stop();
    jwks.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
