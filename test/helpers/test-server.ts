import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { createGatehouse } from '../../src/app.js';
import type { Gatehouse } from '../../src/app.js';
import { resolveConfig } from '../../src/config/options.js';
import type { GatehouseConfig } from '../../src/config/options.js';
import type { Clock } from '../../src/lib/clock.js';
import type { TestDatabase } from './databases.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A real Gatehouse on a real port, with a known superuser API key. */
export interface TestServer {
  url: string;
  publicUrl: string;
  apiKey: string;
  gatehouse: Gatehouse;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  form(path: string, params: Record<string, string>, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function readReply(response: { status: number; headers: Headers; text(): Promise<string> }): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

export async function startTestServer(
  db: TestDatabase,
  options: { clock?: Clock; config?: Partial<GatehouseConfig>; apiKey?: string; port?: number; fetch?: typeof fetch } = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const apiKey = options.apiKey ?? randomBytes(32).toString('base64url');
  const config = resolveConfig({
    env: {},
    overrides: {
      port,
      host: '127.0.0.1',
      publicUrl: `http://127.0.0.1:${port}`,
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      masterKey: db.masterKey,
      bootstrapApiKey: apiKey,
      logLevel: (process.env.GATEHOUSE_TEST_LOG as GatehouseConfig['logLevel']) ?? 'silent',
      fetchAllowHttp: true,
      // The JWKS and upstream servers of the tests listen on loopback.
      fetchAllowCidrs: ['127.0.0.0/8'],
      ...options.config,
    },
  });
  const gatehouse = await createGatehouse({ config, clock: options.clock, fetch: options.fetch });
  const url = await gatehouse.listen();
  // A connection pool of its own: a server restarted on the same port never gets a stale socket.
  // On https (`tlsCert`), trusting the server's own test certificate.
  const dispatcher = new Agent({ keepAliveTimeout: 1000, ...(config.tlsCert ? { connect: { ca: readFileSync(config.tlsCert) } } : {}) });
  return {
    url,
    publicUrl: config.publicUrl,
    apiKey,
    gatehouse,
    async api(method, path, body, headers = {}) {
      const response = await undiciFetch(`${url}${path}`, {
        dispatcher,
        method,
        headers: { authorization: apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return readReply(response);
    },
    async form(path, params, headers = {}) {
      const response = await undiciFetch(`${url}${path}`, {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
      return readReply(response);
    },
    async close() {
      await dispatcher.close();
      await gatehouse.close();
    },
  };
}
