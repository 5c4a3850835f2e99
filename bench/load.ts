import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** 2xx answers of the warm-up and the measured run together: what the server did. */
  answered: number;
}

/** Drives `url` with POSTs whose body is made fresh for every request; warm-up first, then the measured run. */
export async function drive(url: string, body: () => string, options: { seconds: number; warmupSeconds: number; connections: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url,
      connections: options.connections,
      duration,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
          setupRequest: (request) => ({ ...request, body: body() }),
        },
      ],
    });
  const warm = options.warmupSeconds > 0 ? (await run(options.warmupSeconds))['2xx'] : 0;
  const result = await run(options.seconds);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    answered: warm + result['2xx'],
  };
}
