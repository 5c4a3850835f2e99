/**
 * What the webhook outbox costs: the token endpoint (client_credentials, no event) and the
 * returning-user login (one `user.login.success` row per login, delivered to a local receiver)
 * with `--webhooks true` against `--webhooks false`, alternated over BENCH_ROUNDS rounds on one
 * SQLite data dir; medians compared. Run: `npm run build && node dist/bench/webhook-overhead.js`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClient, clientCredentialsBody } from './assertions.js';
import { BENCH_IDP_AUDIENCE, BENCH_IDP_ISSUER, benchIssuer } from './id-tokens.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { startProcess } from './processes.js';
import { connections, rounds, seconds, warmupSeconds } from './settings.js';

const TENANT_ID = 'b1000000-0000-4000-8000-000000000001';
const APP_ID = 'b1000000-0000-4000-8000-000000000002';
const PATIENT_APP_ID = 'b1000000-0000-4000-8000-000000000021';
const IDP_ID = 'b1000000-0000-4000-8000-000000000023';
const USERS = 500;

const median = (runs: LoadResult[]): number => [...runs].map((r) => r.requestsPerSecond).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
const listen = (server: ReturnType<typeof createServer>) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-webhook-bench-'));
  const client = benchClient();
  const issuer = benchIssuer();
  const jwks = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    response.end(JSON.stringify({ keys: [request.url === '/idp/jwks' ? issuer.publicJwk : client.publicJwk] }));
  });
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => ((received += 1), response.end('ok')));
  });
  const jwksPort = await listen(jwks);
  const receiverPort = await listen(receiver);
  const apiKey = randomBytes(32).toString('base64url');
  const kickstart = join(dir, 'kickstart.json');
  writeFileSync(
    kickstart,
    JSON.stringify({
      tenants: [
        {
          id: TENANT_ID,
          name: 'Bench',
          slug: 'bench',
          applications: [
            { id: APP_ID, name: 'bench client', oauthConfiguration: { clientId: 'bench-client', clientAuthenticationMethod: 'private_key_jwt', jwksUri: `http://127.0.0.1:${jwksPort}/jwks.json`, enabledGrants: ['client_credentials'], allowedScopes: ['system/*.rs'] } },
            { id: PATIENT_APP_ID, name: 'patient app', roles: [{ name: 'patient', isDefault: true }], loginConfiguration: { generateRefreshTokens: true }, oauthConfiguration: { clientId: 'patient-app', clientAuthenticationMethod: 'none', enabledGrants: [] } },
          ],
        },
      ],
      identityProviders: [
        {
          id: IDP_ID, type: 'ExternalJWT', name: 'mimoto', enabled: true, headerKeyParameter: 'kid', jwksUri: `http://127.0.0.1:${jwksPort}/idp/jwks`, issuer: BENCH_IDP_ISSUER, audiences: [BENCH_IDP_AUDIENCE],
          oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' }, applicationConfiguration: { [PATIENT_APP_ID]: { enabled: true, createRegistration: true } },
        },
      ],
    }),
  );
  const runs = { true: { token: [] as LoadResult[], login: [] as LoadResult[] }, false: { token: [] as LoadResult[], login: [] as LoadResult[] } };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const webhooks of round % 2 === 0 ? (['false', 'true'] as const) : (['true', 'false'] as const)) {
        const port = 20000 + Math.floor(Math.random() * 20000);
        const gatehouse = await startProcess(
          ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--kickstart', kickstart, '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8', '--log-level', 'warn', '--webhooks', webhooks],
          { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: apiKey, DATABASE_URL: '' },
          `http://127.0.0.1:${port}/ready`,
        );
        try {
          const base = `http://127.0.0.1:${port}`;
          const existing = (await (await fetch(`${base}/api/webhook`, { headers: { authorization: apiKey } })).json()) as { webhooks: unknown[] };
          if (existing.webhooks.length === 0) {
            const hook = { webhook: { url: `http://127.0.0.1:${receiverPort}/hook`, global: true, eventsEnabled: { 'user.login.success': true } } };
            await fetch(`${base}/api/webhook`, { method: 'POST', headers: { authorization: apiKey, 'content-type': 'application/json' }, body: JSON.stringify(hook) });
          }
          // The previous round's deliveries finish first: the token run measures this node idle-polling.
          for (let last = -1; last !== received; ) {
            last = received;
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
          const tokenUrl = `http://localhost:${port}/t/bench/oauth2/token`;
          runs[webhooks].token.push(await drive(`${base}/t/bench/oauth2/token`, () => clientCredentialsBody(client, 'bench-client', tokenUrl), { seconds, warmupSeconds, connections }));
          const login = () => {
            const n = Math.floor(Math.random() * USERS);
            return JSON.stringify({ applicationId: PATIENT_APP_ID, identityProviderId: IDP_ID, encodedJWT: issuer.idToken(`X-returning-${n}`, `returning-${n}@example.de`) });
          };
          runs[webhooks].login.push(await drive(`${base}/api/identity-provider/login`, login, { seconds, warmupSeconds, connections, headers: { 'content-type': 'application/json' } }));
        } finally {
          await gatehouse.stop();
        }
      }
    }
    for (const path of ['token', 'login'] as const) {
      const on = median(runs.true[path]);
      const off = median(runs.false[path]);
      console.log(`${path}: webhooks off ${off.toFixed(0)} req/s, on ${on.toFixed(0)} req/s, cost ${((1 - on / off) * 100).toFixed(1)} %`);
    }
    console.log(`webhook requests received: ${received}`);
  } finally {
    jwks.close();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
