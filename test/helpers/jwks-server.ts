import { createServer } from 'node:http';
import type { Server } from 'node:http';

/**
 * A local HTTP server standing in for remote JWKS and discovery documents (client JWKS URLs,
 * identity-provider JWKS). Tests change the documents and read how often each was fetched.
 */
export interface DocumentServer {
  baseUrl: string;
  set(path: string, body: unknown, headers?: Record<string, string>): void;
  /** Raw behaviour for a path: a status, a delay, or an oversized body. */
  misbehave(path: string, how: { status?: number; delayMs?: number; bodyBytes?: number }): void;
  hits(path: string): number;
  lastAccept(path: string): string | undefined;
  close(): Promise<void>;
}

export async function startDocumentServer(): Promise<DocumentServer> {
  const documents = new Map<string, { body: string; headers: Record<string, string> }>();
  const behaviour = new Map<string, { status?: number; delayMs?: number; bodyBytes?: number }>();
  const counts = new Map<string, number>();
  const accepts = new Map<string, string | undefined>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    accepts.set(path, request.headers.accept);
    const how = behaviour.get(path);
    const answer = () => {
      if (how?.bodyBytes) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"keys":[],"pad":"${'x'.repeat(how.bodyBytes)}"}`);
        return;
      }
      if (how?.status) {
        response.writeHead(how.status, { 'content-type': 'application/json' });
        response.end('{}');
        return;
      }
      const document = documents.get(path);
      if (!document) {
        response.writeHead(404);
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', ...document.headers });
      response.end(document.body);
    };
    if (how?.delayMs) setTimeout(answer, how.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    set(path, body, headers = {}) {
      behaviour.delete(path);
      documents.set(path, { body: JSON.stringify(body), headers });
    },
    misbehave(path, how) {
      behaviour.set(path, how);
    },
    hits: (path) => counts.get(path) ?? 0,
    lastAccept: (path) => accepts.get(path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
