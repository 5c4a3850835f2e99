import { createServer } from 'node:http';
import type { Server } from 'node:http';

/** The bench's JWKS server: the client's key at `/jwks.json`, the ID-token issuer's at `/idp/jwks`. */
export interface BenchJwksServer {
  server: Server;
  /** The client's JWKS URL. */
  jwksUri: string;
  /** The issuer's JWKS URL. */
  idpJwksUri: string;
}

/** Serves both public keys on a free port of 127.0.0.1 until `server.close()`. */
export async function startBenchJwksServer(clientJwk: Record<string, unknown>, issuerJwk: Record<string, unknown>): Promise<BenchJwksServer> {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    response.end(JSON.stringify({ keys: [request.url === '/idp/jwks' ? issuerJwk : clientJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { server, jwksUri: `${base}/jwks.json`, idpJwksUri: `${base}/idp/jwks` };
}
