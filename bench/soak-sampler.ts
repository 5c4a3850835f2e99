import { statSync } from 'node:fs';
import { rssMb } from './processes.js';

/** One sampling interval of a soak: the server's files, memory and event-loop delay. */
export interface SoakSample {
  /** Seconds since the load started, at the end of the interval. */
  atSeconds: number;
  /** Largest size of the WAL file seen during the interval (polled every WAL_POLL_MS), in MB. */
  walMaxMb: number;
  walMb: number;
  dbMb: number;
  rssMb: number;
  /** The server's event-loop delay over the interval (prom-client's monitorEventLoopDelay, reset per scrape). */
  lagP99Ms: number;
  lagMaxMs: number;
  /** Responses in the interval, per scenario, and how many of them were not 2xx. */
  responses: Record<string, number>;
  non2xx: number;
}

const WAL_POLL_MS = 250;
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const sizeOf = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

/** Reads `name` (a gauge in seconds) from a Prometheus text page, in ms. */
function gaugeMs(page: string, name: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Math.round(Number(line.slice(name.length + 1)) * 10000) / 10 : Number.NaN;
}

/**
 * Samples a running server every `intervalSeconds`: WAL and database file sizes, RSS from /proc,
 * and the event-loop delay p99 and max from its metrics endpoint (each scrape resets the
 * histogram, so each sample covers its own interval). `counts` is read and cleared per sample.
 */
export class SoakSampler {
  readonly samples: SoakSample[] = [];
  private walPeak = 0;
  private readonly started = performance.now();
  private readonly poll: NodeJS.Timeout;
  private readonly tick: NodeJS.Timeout;

  constructor(
    private readonly server: { pid: number; dbFile: string; metricsUrl: string },
    private readonly counts: { responses: Record<string, number>; non2xx: number },
    intervalSeconds: number,
    private readonly onSample: (sample: SoakSample) => void,
  ) {
    this.poll = setInterval(() => (this.walPeak = Math.max(this.walPeak, sizeOf(`${server.dbFile}-wal`))), WAL_POLL_MS);
    this.tick = setInterval(() => void this.sample(), intervalSeconds * 1000);
  }

  /** Clears the server's event-loop histogram, so the first sample covers its own interval only. */
  async reset(): Promise<void> {
    await fetch(this.server.metricsUrl).then((response) => response.text());
  }

  stop(): void {
    clearInterval(this.poll);
    clearInterval(this.tick);
  }

  private async sample(): Promise<void> {
    const page = await fetch(this.server.metricsUrl).then((response) => response.text(), () => '');
    const wal = sizeOf(`${this.server.dbFile}-wal`);
    const sample: SoakSample = {
      atSeconds: Math.round((performance.now() - this.started) / 1000),
      walMaxMb: mb(Math.max(this.walPeak, wal)),
      walMb: mb(wal),
      dbMb: mb(sizeOf(this.server.dbFile)),
      rssMb: rssMb(this.server.pid),
      lagP99Ms: gaugeMs(page, 'nodejs_eventloop_lag_p99_seconds'),
      lagMaxMs: gaugeMs(page, 'nodejs_eventloop_lag_max_seconds'),
      responses: { ...this.counts.responses },
      non2xx: this.counts.non2xx,
    };
    for (const name of Object.keys(this.counts.responses)) this.counts.responses[name] = 0;
    this.counts.non2xx = 0;
    this.walPeak = 0;
    this.samples.push(sample);
    this.onSample(sample);
  }
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

export const SAMPLE_HEADER = `${pad('t s', 5)} ${pad('WAL max MB', 10)} ${pad('WAL MB', 7)} ${pad('DB MB', 7)} ${pad('RSS MB', 7)} ${pad('EL p99 ms', 9)} ${pad('EL max ms', 9)}  responses/s by scenario`;

export function sampleRow(sample: SoakSample, intervalSeconds: number): string {
  const rates = Object.entries(sample.responses).map(([name, n]) => `${name} ${Math.round(n / intervalSeconds)}`).join(', ');
  return `${pad(sample.atSeconds, 5)} ${pad(sample.walMaxMb, 10)} ${pad(sample.walMb, 7)} ${pad(sample.dbMb, 7)} ${pad(sample.rssMb, 7)} ${pad(sample.lagP99Ms, 9)} ${pad(sample.lagMaxMs, 9)}  ${rates}${sample.non2xx ? `  (non-2xx ${sample.non2xx})` : ''}`;
}

/** The soak's verdict lines: largest WAL, RSS over time, event-loop delay after the warm-up. */
export function soakSummary(samples: SoakSample[], warmupSeconds: number): string[] {
  const settled = samples.filter((s) => s.atSeconds > warmupSeconds);
  const measured = settled.length > 0 ? settled : samples;
  const max = (values: number[]) => Math.max(...values);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rss = measured.map((s) => s.rssMb);
  const half = Math.floor(measured.length / 2);
  return [
    `largest WAL file: ${max(samples.map((s) => s.walMaxMb))} MB (whole run; limit 64 MB); database file at the end: ${samples.at(-1)?.dbMb} MB`,
    `RSS after warm-up: first ${rss[0]} MB, last ${rss.at(-1)} MB, max ${max(rss)} MB; max of the first half ${max(rss.slice(0, half || 1))} MB, of the second half ${max(rss.slice(half))} MB`,
    `event-loop delay after ${warmupSeconds} s warm-up: p99 per interval median ${median(measured.map((s) => s.lagP99Ms))} ms, worst ${max(measured.map((s) => s.lagP99Ms))} ms; max ${max(measured.map((s) => s.lagMaxMs))} ms (target <= 30 ms)`,
    `non-2xx responses: ${samples.reduce((sum, s) => sum + s.non2xx, 0)}`,
  ];
}
