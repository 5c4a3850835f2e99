import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';

/** One POST the receiver got: its headers, the exact body bytes, and the parsed event. */
export interface Arrival {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  event: { id: string; type: string; createInstant: number; tenantId?: string; [field: string]: unknown };
  /** What the receiver answered. */
  status: number;
}

/**
 * A webhook receiver on 127.0.0.1: records every request and answers 200, or the statuses queued
 * with `answerNext` first. `waitFor` polls the arrivals with a generous bound, never a timing
 * assertion.
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  arrivals: Arrival[];
  answerNext(...statuses: number[]): void;
  /** Arrivals of one event type. */
  ofType(type: string): Arrival[];
  waitFor(predicate: (arrivals: Arrival[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const arrivals: Arrival[] = [];
  const queued: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const status = queued.shift() ?? 200;
      let event: Arrival['event'];
      try {
        event = (JSON.parse(rawBody.toString('utf8')) as { event: Arrival['event'] }).event;
      } catch {
        event = { id: '', type: 'unparsable', createInstant: 0 };
      }
      arrivals.push({ headers: request.headers, rawBody, event, status });
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    arrivals,
    answerNext: (...statuses) => queued.push(...statuses),
    ofType: (type) => arrivals.filter((a) => a.event.type === type),
    async waitFor(predicate, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(arrivals)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${arrivals.map((a) => a.event.type).join(', ') || 'nothing'}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Webhook options of the e2e tests: a short poll and backoff, so nothing waits on defaults. */
export const FAST_WEBHOOKS = { webhookPollIntervalMs: 20, webhookBackoffBaseMs: 5 } as const;
