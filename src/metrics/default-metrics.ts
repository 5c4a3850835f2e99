import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

/**
 * prom-client's default process and Node.js metrics (its `collectDefaultMetrics` list, read at
 * scrape time) except `nodejs_gc_duration_seconds`: that one keeps a `PerformanceObserver` on
 * every garbage collection, which cost new-user logins about 9 % of their CPU (both builds'
 * servers side by side, 0.907 without it; 0.950 without any default metric). Process CPU and
 * heap sizes stay, and the event-loop delay (`nodejs_eventloop_lag_*` from
 * `monitorEventLoopDelay`).
 */
const WITHOUT_GC = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processHandles',
  'processRequests',
  'processResources',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
] as const;

type DefaultMetric = (registry: Registry, config: { eventLoopMonitoringPrecision: number }) => void;

export function registerDefaultMetrics(registry: Registry): void {
  const require = createRequire(import.meta.url);
  for (const name of WITHOUT_GC) {
    // `processResources` exists only where Node has process.getActiveResourcesInfo, as in prom-client.
    if (name === 'processResources' && typeof process.getActiveResourcesInfo !== 'function') continue;
    (require(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, { eventLoopMonitoringPrecision: 10 });
  }
}
