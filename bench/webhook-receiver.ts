/**
 * A webhook receiver for the benches, run as a process of its own so that its CPU is not
 * Gatehouse's: answers every POST with 200 and counts requests and distinct event ids (a
 * duplicate delivery would show as requests > distinct). `GET /count` answers the counts as JSON;
 * `GET /wait?distinct=N` answers them once N distinct events have arrived (one request, no polling).
 * Prints `receiver ready <port>` when listening.
 */
import { createServer } from 'node:http';

const seen = new Set<string>();
let requests = 0;
/** TCP connections accepted: far fewer than requests when the sender keeps them alive. */
let connections = 0;
const byType: Record<string, number> = {};
const waiters: { distinct: number; answer: () => void }[] = [];
const counts = () => JSON.stringify({ requests, distinct: seen.size, connections, byType });

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    const wanted = Number(new URL(request.url ?? '/', 'http://receiver').searchParams.get('distinct') ?? 0);
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(counts());
    };
    if (seen.size >= wanted) answer();
    else waiters.push({ distinct: wanted, answer });
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    requests += 1;
    const body = Buffer.concat(chunks).toString('utf8');
    const event = (JSON.parse(body) as { event: { id: string; type: string } }).event;
    if (!seen.has(event.id)) {
      seen.add(event.id);
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].distinct <= seen.size) waiters.splice(i, 1)[0].answer();
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
});
server.on('connection', () => (connections += 1));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`receiver ready ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
