/**
 * A Gatehouse of its own (SQLite, own process) for the console measurements and screenshots:
 * an application, the mimoto guide's reconcile lambda, and an External JWT provider whose JWKS
 * is served by a local HTTP server, all created through `/api` as an operator would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_IDP_AUDIENCE, BENCH_IDP_ISSUER, BENCH_LAMBDA, benchIssuer } from './id-tokens.js';
import type { BenchIssuer } from './id-tokens.js';
import { freePort, startProcess } from './processes.js';

export interface ConsoleWorld {
  url: string;
  apiKey: string;
  issuer: BenchIssuer;
  applicationId: string;
  lambdaId: string;
  providerId: string;
  api(method: string, path: string, body?: unknown): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startConsoleWorld(): Promise<ConsoleWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
  const issuer = benchIssuer();
  const jwks = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [issuer.publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksPort = (jwks.address() as { port: number }).port;
  const port = await freePort();
  const apiKey = randomBytes(32).toString('base64url');
  const server = await startProcess(
    ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8', '--log-level', 'warn'],
    { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: apiKey, DATABASE_URL: '' },
    `http://127.0.0.1:${port}/ready`,
  );
  const url = `http://127.0.0.1:${port}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, { method, headers: { authorization: apiKey, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
  const application = await api('POST', '/api/application', {
    application: { name: 'Patient portal', roles: [{ name: 'patient', isDefault: true }, { name: 'admin' }], oauthConfiguration: { authorizedRedirectURLs: ['https://portal.example/callback'], enabledGrants: ['authorization_code', 'refresh_token'] } },
  });
  const applicationId = application.application.id;
  const lambda = await api('POST', '/api/lambda', { lambda: { name: 'mimoto reconcile', type: 'ExternalJWTReconcile', body: BENCH_LAMBDA.replace('user.data.kvnr', "console.info('KVNR ' + jwt['urn:telematik:claims:id']);\n  user.data = user.data || {};\n  user.data.kvnr") } });
  const provider = await api('POST', '/api/identity-provider', {
    identityProvider: {
      type: 'ExternalJWT',
      name: 'Health-ID (mimoto)',
      enabled: true,
      debug: true,
      headerKeyParameter: 'kid',
      jwksUri: `http://127.0.0.1:${jwksPort}/jwks`,
      issuer: BENCH_IDP_ISSUER,
      audiences: [BENCH_IDP_AUDIENCE],
      linkingStrategy: 'LinkByUsername',
      oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', usernameClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
      lambdaConfiguration: { reconcileId: lambda.lambda.id },
      applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: true } },
    },
  });
  return {
    url,
    apiKey,
    issuer,
    applicationId,
    lambdaId: lambda.lambda.id,
    providerId: provider.identityProvider.id,
    api,
    async stop() {
      await server.stop();
      await new Promise((resolve) => jwks.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
